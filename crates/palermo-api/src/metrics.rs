//! Prometheus metrics: requests by route and status, latencies, index sizes. Each router has
//! its own registry, so tests can run many hubs in one process.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IndexLabels {
    index: &'static str,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 1.6 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.000_05, 2.0, 16,
    ))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    checks: Family<IndexLabels, Counter>,
    hits: Family<IndexLabels, Counter>,
    index_records: Family<IndexLabels, Gauge>,
    index_bytes: Family<IndexLabels, Gauge>,
    spooled: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("palermo");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let checks = Family::<IndexLabels, Counter>::default();
        let hits = Family::<IndexLabels, Counter>::default();
        let index_records = Family::<IndexLabels, Gauge>::default();
        let index_bytes = Family::<IndexLabels, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register("checks", "Queries checked, by record kind", checks.clone());
        registry.register(
            "check_hits",
            "Matches found by checks, by record kind",
            hits.clone(),
        );
        registry.register(
            "index_records",
            "Records held by the in-memory indexes",
            index_records.clone(),
        );
        registry.register(
            "index_memory_bytes",
            "Memory held by the in-memory indexes",
            index_bytes.clone(),
        );
        let spooled = Gauge::default();
        registry.register(
            "audit_spooled_entries",
            "Checks' audit entries waiting in the spool for the database server (0 while it answers)",
            spooled.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            checks,
            hits,
            index_records,
            index_bytes,
            spooled,
        }
    }

    pub fn count_checks(&self, kind: &'static str, queries: usize, hits: usize) {
        self.checks
            .get_or_create(&IndexLabels { index: kind })
            .inc_by(queries as u64);
        if hits > 0 {
            self.hits
                .get_or_create(&IndexLabels { index: kind })
                .inc_by(hits as u64);
        }
    }

    pub fn render(&self, stats: palermo_hub::IndexStats) -> String {
        let set = |family: &Family<IndexLabels, Gauge>, index, value: usize| {
            family
                .get_or_create(&IndexLabels { index })
                .set(value as i64);
        };
        set(&self.index_records, "documents", stats.documents);
        set(&self.index_records, "vehicles", stats.vehicles);
        set(&self.index_records, "notices", stats.notices_hitting);
        set(
            &self.index_records,
            "public_extracts",
            stats.public_extracts,
        );
        set(&self.index_bytes, "documents", stats.documents_memory_bytes);
        set(&self.index_bytes, "vehicles", stats.vehicles_memory_bytes);
        self.spooled.set(stats.audit_spooled_entries as i64);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a string");
        out
    }
}

/// Middleware: counts and times every request by its route template (not its raw path, which
/// would make one series per record id).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .inc();
    response
}
