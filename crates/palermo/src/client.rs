//! A small blocking client for a running hub's API, used by `--hub` commands.

use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::Value;

pub struct HubClient {
    base: String,
    authorization: String,
    agent: ureq::Agent,
}

impl HubClient {
    pub fn new(base: &str, key: &str) -> HubClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        HubClient {
            base: base.trim_end_matches('/').to_owned(),
            authorization: format!("Bearer {key}"),
            agent,
        }
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
