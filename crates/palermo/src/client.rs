//! A small blocking client for a running hub's API, used by `--hub` commands.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Serialize;
use serde_json::Value;

pub struct HubClient {
    base: String,
    /// `Bearer KEY`; empty for the public endpoints.
    authorization: String,
    agent: ureq::Agent,
}

impl HubClient {
    /// A client of the hub at `base`; for `https://`, the hub's certificate must chain to the
    /// system's roots or to `ca_cert` (a PEM file, e.g. from `palermo admin dev-cert`).
    pub fn new(base: &str, key: &str, ca_cert: Option<&Path>) -> anyhow::Result<HubClient> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)));
        if let Some(path) = ca_cert {
            let certificates = CertificateDer::pem_file_iter(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .map(|certificate| {
                    certificate.map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
                })
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("{} holds a malformed PEM certificate", path.display()))?;
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&certificates))
                    .build(),
            );
        }
        Ok(HubClient {
            base: base.trim_end_matches('/').to_owned(),
            authorization: format!("Bearer {key}"),
            agent: config.build().into(),
        })
    }

    /// A client of the hub's public endpoints (the audit head), without credentials.
    pub fn anonymous(base: &str, ca_cert: Option<&Path>) -> anyhow::Result<HubClient> {
        let mut client = HubClient::new(base, "", ca_cert)?;
        client.authorization.clear();
        Ok(client)
    }

    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        let mut request = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", &self.authorization);
        for (name, value) in query {
            request = request.query(*name, *value);
        }
        let response = request
            .call()
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        answer(response)
    }

    /// The text of a success (JSON lines, CSV), or the problem as an error.
    pub fn get_text(&self, path: &str) -> anyhow::Result<String> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", &self.authorization)
            .call()
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        if response.status().is_success() {
            return response
                .body_mut()
                .read_to_string()
                .context("cannot read the hub's answer");
        }
        answer(response).map(|_| String::new())
    }

    /// Any method, with an optional JSON body.
    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .body(body.map(Value::to_string).unwrap_or_default())
            .context("cannot build the request")?;
        let response = self
            .agent
            .run(request)
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        answer(response)
    }

    /// POSTs a body as it is, of `content_type`.
    pub fn post_raw(&self, path: &str, content_type: &str, body: &[u8]) -> anyhow::Result<Value> {
        let response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.authorization)
            .header("Content-Type", content_type)
            .send(body)
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        answer(response)
    }

    pub fn post(&self, path: &str, body: &impl Serialize) -> anyhow::Result<Value> {
        let response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.authorization)
            .send_json(body)
            .with_context(|| format!("cannot reach the hub at {}", self.base))?;
        answer(response)
    }
}

/// The JSON body of a success, or an error that carries the problem's detail and fields.
fn answer(mut response: ureq::http::Response<ureq::Body>) -> anyhow::Result<Value> {
    let status = response.status();
    let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let mut message = format!(
        "hub answered {}: {}",
        status.as_u16(),
        body["detail"].as_str().unwrap_or("no detail")
    );
    for error in body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .skip(1)
        .take(20)
    {
        message.push_str(&format!(
            "\n  {}: {}",
            error["field"].as_str().unwrap_or(""),
            error["detail"].as_str().unwrap_or("")
        ));
    }
    bail!(message)
}
