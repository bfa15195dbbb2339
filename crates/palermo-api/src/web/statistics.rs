//! Statistics: trafficking flows between countries (a Sankey diagram of sources and
//! destinations, and the legs on a world map by the countries' capitals), trends by form of
//! exploitation and year, the bureau's hits per month; each downloadable as CSV. The figures
//! are the hub's (`route_statistics`, `hits`, `victim_dataset`), of what the reader may see.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palermo_core::{FieldErrors, Permissions};
use palermo_hub::HubError;
use palermo_hub::cases::RouteStatistics;

use super::html::{layout, svg};
use super::{WebUser, blocking, failure};
use crate::AppState;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn filters(query: &HashMap<String, String>) -> Result<(Option<i32>, Option<String>), FieldErrors> {
    let year = match query
        .get("year")
        .map(|y| y.trim())
        .filter(|y| !y.is_empty())
    {
        Some(text) => Some(
            text.parse::<i32>()
                .map_err(|_| FieldErrors::single("year", "must be a year"))?,
        ),
        None => None,
    };
    let exploitation = query
        .get("exploitation")
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    Ok((year, exploitation))
}

/// Source countries on the left, destinations on the right, a band per pair as wide as its
/// victims.
fn sankey(stats: &RouteStatistics) -> String {
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for flow in &stats.flows {
        *pairs
            .entry((flow.source.clone(), flow.destination.clone()))
            .or_default() += flow.victims.max(flow.cases);
    }
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut destinations: BTreeMap<String, usize> = BTreeMap::new();
    for ((source, destination), n) in &pairs {
        *sources.entry(source.clone()).or_default() += n;
        *destinations.entry(destination.clone()).or_default() += n;
    }
    let total: usize = pairs.values().sum::<usize>().max(1);
    let (width, gap) = (720.0, 6.0);
    let rows = sources.len().max(destinations.len()).max(1) as f64;
    let height = (rows * 34.0).max(200.0);
    let scale = (height - gap * rows) / total as f64;
    let place = |totals: &BTreeMap<String, usize>| {
        let mut at = HashMap::new();
        let mut y = 0.0;
        for (country, n) in totals {
            at.insert(country.clone(), (y, *n as f64 * scale));
            y += *n as f64 * scale + gap;
        }
        at
    };
    let (left, right) = (place(&sources), place(&destinations));
    let mut used_left: HashMap<String, f64> = HashMap::new();
    let mut used_right: HashMap<String, f64> = HashMap::new();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sankey" viewBox="0 0 {width} {height}" role="img" aria-labelledby="sankey-title"><title id="sankey-title">Victims from source countries (left) to destination countries (right)</title>"#
    );
    let (x0, x1) = (90.0, width - 90.0);
    for ((source, destination), n) in &pairs {
        let band = *n as f64 * scale;
        let (ly, _) = left[source];
        let (ry, _) = right[destination];
        let offset = used_left.entry(source.clone()).or_default();
        let l = ly + *offset;
        *offset += band;
        let offset = used_right.entry(destination.clone()).or_default();
        let r = ry + *offset;
        *offset += band;
        let mid = (x0 + x1) / 2.0;
        let _ = write!(
            out,
            r#"<path class="band" d="M{x0},{a:.1} C{mid},{a:.1} {mid},{b:.1} {x1},{b:.1} L{x1},{c:.1} C{mid},{c:.1} {mid},{d:.1} {x0},{d:.1} Z"><title>{} → {}: {n}</title></path>"#,
            escape(source),
            escape(destination),
            a = l,
            b = r,
            c = r + band,
            d = l + band,
        );
    }
    for (side, totals, at, x, anchor) in [
        ("source", &sources, &left, x0, "end"),
        ("destination", &destinations, &right, x1, "start"),
    ] {
        for (country, n) in totals {
            let (y, h) = at[country];
            let bar_x = if side == "source" { x - 8.0 } else { x };
            let text_x = if side == "source" { x - 12.0 } else { x + 12.0 };
            let _ = write!(
                out,
                r#"<rect class="bar" x="{bar_x}" y="{y:.1}" width="8" height="{h:.1}"/><text x="{text_x}" y="{:.1}" text-anchor="{anchor}">{} {n}</text>"#,
                y + h / 2.0 + 4.0,
                escape(country)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A route to draw: its countries in order, its line's weight, and what it says.
pub(crate) struct Route<'a> {
    pub stops: Vec<&'a str>,
    pub weight: f64,
    pub note: String,
}

/// Routes between the countries' capitals, each leg a curve, on an equirectangular world
/// (Natural Earth's land, longitude and latitude lines every 30°).
pub(crate) fn route_map(places: &[palermo_hub::cases::Place], routes: &[Route<'_>]) -> String {
    let (width, height) = (720.0, 360.0);
    let project =
        |lat: f64, lon: f64| ((lon + 180.0) / 360.0 * width, (90.0 - lat) / 180.0 * height);
    let at: HashMap<&str, (f64, f64)> = places
        .iter()
        .map(|p| (p.country.as_str(), project(p.latitude, p.longitude)))
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="routes" viewBox="0 0 {width} {height}" role="img" aria-labelledby="routes-title"><title id="routes-title">Routes between the countries' capitals</title><rect class="sea" width="{width}" height="{height}"/><image href="/assets/world.svg" width="{width}" height="{height}"/>"#
    );
    for lon in (-150..=150).step_by(30) {
        let (x, _) = project(0.0, lon as f64);
        let _ = write!(
            out,
            r#"<line class="graticule" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{height}"/>"#
        );
    }
    for lat in (-60..=60).step_by(30) {
        let (_, y) = project(lat as f64, 0.0);
        let _ = write!(
            out,
            r#"<line class="graticule" x1="0" y1="{y:.1}" x2="{width}" y2="{y:.1}"/>"#
        );
    }
    for route in routes {
        for leg in route.stops.windows(2) {
            let (Some(&(ax, ay)), Some(&(bx, by))) = (at.get(leg[0]), at.get(leg[1])) else {
                continue;
            };
            let (mx, my) = (
                (ax + bx) / 2.0,
                (ay + by) / 2.0 - ((bx - ax).abs() + (by - ay).abs()) * 0.15,
            );
            let _ = write!(
                out,
                r#"<path class="leg" stroke-width="{:.1}" d="M{ax:.1},{ay:.1} Q{mx:.1},{my:.1} {bx:.1},{by:.1}"><title>{} → {} ({})</title></path>"#,
                route.weight,
                escape(leg[0]),
                escape(leg[1]),
                escape(&route.note)
            );
        }
    }
    for place in places {
        let (x, y) = project(place.latitude, place.longitude);
        let _ = write!(
            out,
            r#"<circle class="capital" cx="{x:.1}" cy="{y:.1}" r="3"><title>{} ({})</title></circle><text class="country" x="{:.1}" y="{:.1}">{}</text>"#,
            escape(&place.country),
            escape(&place.capital),
            x + 4.0,
            y - 4.0,
            escape(&place.country)
        );
    }
    out.push_str("</svg>");
    out
}

/// The statistics' flows on the map, each as wide as its victims.
fn map(stats: &RouteStatistics) -> String {
    let most = stats
        .flows
        .iter()
        .map(|f| f.victims.max(f.cases))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let routes: Vec<Route<'_>> = stats
        .flows
        .iter()
        .map(|flow| Route {
            stops: std::iter::once(flow.source.as_str())
                .chain(flow.transit.iter().map(String::as_str))
                .chain(std::iter::once(flow.destination.as_str()))
                .collect(),
            weight: 1.0 + 5.0 * flow.victims.max(flow.cases) as f64 / most,
            note: format!("{}, {}", flow.exploitation, flow.year),
        })
        .collect();
    route_map(&stats.places, &routes)
}

fn trends(stats: &RouteStatistics) -> (Vec<i32>, BTreeMap<String, BTreeMap<i32, usize>>) {
    let mut table: BTreeMap<String, BTreeMap<i32, usize>> = BTreeMap::new();
    let mut years: Vec<i32> = Vec::new();
    for flow in &stats.flows {
        *table
            .entry(flow.exploitation.clone())
            .or_default()
            .entry(flow.year)
            .or_default() += flow.victims;
        if !years.contains(&flow.year) {
            years.push(flow.year);
        }
    }
    years.sort_unstable();
    (years, table)
}

async fn hits_by_month(
    state: &AppState,
    user: &WebUser,
) -> palermo_hub::Result<BTreeMap<String, (usize, usize)>> {
    if !user.may(Permissions::HITS) {
        return Ok(BTreeMap::new());
    }
    let caller = user.caller.clone();
    let hits = blocking(state, move |hub| {
        hub.hits(&caller, None, None, palermo_hub::HITS_PAGE_MAX)
    })
    .await?;
    let mut months: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for hit in &hits {
        let month = hit.at.to_rfc3339()[..7].to_owned();
        let entry = months.entry(month).or_default();
        if hit.to_answer {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    Ok(months)
}

/// The filters of the query and the hub's route statistics under them.
async fn statistics(
    state: &AppState,
    user: &WebUser,
    query: &HashMap<String, String>,
) -> palermo_hub::Result<(Option<i32>, Option<String>, RouteStatistics)> {
    let (year, exploitation) = filters(query).map_err(HubError::Invalid)?;
    let caller = user.caller.clone();
    let wanted = exploitation.clone();
    let stats = blocking(state, move |hub| {
        hub.route_statistics(&caller, year, wanted.as_deref())
    })
    .await?;
    Ok((year, exploitation, stats))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (year, exploitation, stats) = match statistics(&state, &user, &query).await {
        Ok(found) => found,
        Err(error) => return failure(Some(&user), error),
    };
    let months = match hits_by_month(&state, &user).await {
        Ok(months) => months,
        Err(error) => return failure(Some(&user), error),
    };
    let (years, table) = trends(&stats);
    let most_hits = months
        .values()
        .map(|(a, b)| a + b)
        .max()
        .unwrap_or(1)
        .max(1);
    let kept = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(year.map(|y| ("year", y.to_string())))
        .extend_pairs(exploitation.iter().map(|e| ("exploitation", e.clone())))
        .finish();
    let content: Markup = html! {
        form.row method="get" action="/statistics" {
            div { label for="year" { "Year" } input #year name="year" inputmode="numeric" value=(year.map(|y| y.to_string()).unwrap_or_default()); }
            div {
                label for="exploitation" { "Form of exploitation" }
                select #exploitation name="exploitation" {
                    option value="" { "all" }
                    @for (code, label) in palermo_core::case::vocab::EXPLOITATION.values {
                        option value=(code) selected[exploitation.as_deref() == Some(*code)] { (label) }
                    }
                }
            }
            button type="submit" { "Show" }
        }
        p { (stats.cases) " cases with a route, of those you may see." }
        section {
            h2 { "Flows between countries" }
            p { a href={"/statistics/flows.csv?" (kept)} download { "Download the flows (CSV)" } " · "
                a href="/statistics/victims.csv" download { "Victims, k-anonymised (CSV)" } }
            div.columns {
                figure.chart { (svg(sankey(&stats))) figcaption { "Sources and destinations, by victims" } }
                figure.chart { (svg(map(&stats))) figcaption { "The routes' legs between capitals" } }
            }
        }
        section {
            h2 { "By form of exploitation and year (victims)" }
            div.scroll { table #trends {
                thead { tr { th { "Form" } @for y in &years { th { (y) } } } }
                tbody { @for (form, by_year) in &table { tr {
                    td { (form) }
                    @for y in &years { td { (by_year.get(y).copied().unwrap_or(0)) } }
                } } }
            } }
        }
        @if user.may(Permissions::HITS) {
            section {
                h2 { "Hits per month" }
                p { "Of your bureau's latest " (palermo_hub::HITS_PAGE_MAX) " hits. " a href="/statistics/hits.csv" download { "Download (CSV)" } }
                div.scroll { table #hits-per-month {
                    thead { tr { th { "Month" } th { "On our records" } th { "From our checks" } th {} } }
                    tbody { @for (month, (ours, raised)) in &months { tr {
                        td { (month) } td { (ours) } td { (raised) }
                        td { meter min="0" max=(most_hits) value=(ours + raised) aria-label={"hits in " (month)} {} }
                    } } }
                } }
            }
        }
    };
    layout(&user, "Statistics", "/statistics", content)
}

fn csv(body: String, name: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A CSV field: quoted when it holds a separator, a quote or a line break; a leading
/// formula character is defused for spreadsheets.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

pub(crate) async fn flows_csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match statistics(&state, &user, &query).await {
        Ok((_, _, stats)) => {
            let mut out =
                String::from("source,transit,destination,exploitation,year,cases,victims\n");
            for f in &stats.flows {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    field(&f.source),
                    field(&f.transit.join(" ")),
                    field(&f.destination),
                    field(&f.exploitation),
                    f.year,
                    f.cases,
                    f.victims
                );
            }
            csv(out, "flows.csv")
        }
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn hits_csv(State(state): State<AppState>, user: WebUser) -> Response {
    match hits_by_month(&state, &user).await {
        Ok(months) => {
            let mut out = String::from("month,on_our_records,from_our_checks\n");
            for (month, (ours, raised)) in &months {
                let _ = writeln!(out, "{month},{ours},{raised}");
            }
            csv(out, "hits-per-month.csv")
        }
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn victims_csv(State(state): State<AppState>, user: WebUser) -> Response {
    let caller = user.caller.clone();
    match blocking(&state, move |hub| {
        hub.victim_dataset(&caller, palermo_hub::cases::K_DEFAULT)
    })
    .await
    {
        Ok(dataset) => csv(dataset.to_csv(), "victims.csv"),
        Err(error) => failure(Some(&user), error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("FRA"), "FRA");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
