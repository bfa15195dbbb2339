//! The audit trail, for auditors: entries with filters (organisation, user, action or its
//! prefix, outcome, period), paged by sequence number, and the verification of the whole
//! chain against the signed heads. The hub scopes what each auditor reads (a bureau's own
//! actions and those that concern it) and audits the reading.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use palermo_core::{FieldErrors, Timestamp};
use palermo_hub::HubError;
use palermo_store::AuditFilter;

use super::html::{layout, time};
use super::{WebUser, blocking, failure};
use crate::AppState;

const PAGE: usize = 100;
const FILTER_MAX_CHARS: usize = 200;
const FILTERS: &[(&str, &str, &str)] = &[
    ("org", "Organisation", "FRA, SECRETARIAT …"),
    ("user", "User", ""),
    (
        "action",
        "Action",
        "check.documents, or check. for all checks",
    ),
    ("outcome", "Outcome", "ok, denied, failed, throttled"),
    ("from", "From", "YYYY-MM-DD"),
    ("to", "To", "YYYY-MM-DD, included"),
];

/// A day of the form (or epoch milliseconds), read as the API reads it.
fn day(field: &str, text: &str, end: bool) -> Result<Timestamp, FieldErrors> {
    crate::security::parse_instant(field, text, end).map_err(|error| FieldErrors(error.errors))
}

fn filter_of(query: &HashMap<String, String>) -> Result<AuditFilter, FieldErrors> {
    let text = |name: &str| -> Result<Option<String>, FieldErrors> {
        match query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            Some(value) if value.chars().count() > FILTER_MAX_CHARS => Err(FieldErrors::single(
                name,
                format!("is longer than {FILTER_MAX_CHARS} characters"),
            )),
            other => Ok(other.map(str::to_owned)),
        }
    };
    let after = match text("after")? {
        Some(value) => Some(
            value
                .parse::<i64>()
                .map_err(|_| FieldErrors::single("after", "must be a sequence number"))?,
        ),
        None => None,
    };
    Ok(AuditFilter {
        after,
        from: text("from")?.map(|t| day("from", &t, false)).transpose()?,
        to: text("to")?.map(|t| day("to", &t, true)).transpose()?,
        org: text("org")?,
        user: text("user")?,
        action: text("action")?,
        outcome: text("outcome")?,
        visible_to: None,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let filter = match filter_of(&query) {
        Ok(filter) => filter,
        Err(errors) => return failure(Some(&user), HubError::Invalid(errors)),
    };
    let verify = query.contains_key("verify");
    let caller = user.caller.clone();
    let found = blocking(&state, move |hub| {
        let entries = hub.audit_entries(&caller, &filter, PAGE)?;
        let verification = if verify {
            Some(hub.verify_audit(&caller, None)?)
        } else {
            None
        };
        Ok((entries, verification))
    })
    .await;
    let (entries, verification) = match found {
        Ok(found) => found,
        Err(error) => return failure(Some(&user), error),
    };
    let kept: Vec<(&str, String)> = FILTERS
        .iter()
        .filter_map(|(name, _, _)| query.get(*name).map(|v| (*name, v.clone())))
        .collect();
    let next = (entries.len() == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let next_link = next.map(|after| {
        let mut link = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &kept {
            link.append_pair(name, value);
        }
        link.append_pair("after", &after.to_string());
        format!("/audit?{}", link.finish())
    });
    let content = html! {
        form.row method="get" action="/audit" {
            @for (name, label, hint) in FILTERS {
                div {
                    label for=(name) { (label) }
                    input id=(name) name=(name) value=(query.get(*name).map(String::as_str).unwrap_or_default()) placeholder=(hint);
                }
            }
            button type="submit" { "Filter" }
        }
        form method="get" action="/audit" {
            input type="hidden" name="verify" value="1";
            button type="submit" { "Verify the whole chain" }
        }
        @if let Some(v) = &verification {
            @if v.intact {
                p.notice role="status" #verification {
                    "The chain is intact: " (v.entries_verified) " entries verified, "
                    (v.signed_heads_checked) " signed heads agree"
                    (if v.key_pinned { " (checked against the hub's own key)" } else { "" }) "."
                }
            } @else {
                div.problem role="alert" #verification {
                    strong { "The chain is broken" }
                    p { "At entry " (v.broken_at.map(|s| s.to_string()).unwrap_or_default()) ": " (v.reason.as_deref().unwrap_or_default()) }
                }
            }
        }
        div.scroll { table {
            thead { tr { th { "#" } th { "When" } th { "Organisation" } th { "User" } th { "Action" } th { "Target" } th { "Outcome" } th { "Detail" } } }
            tbody { @for e in &entries { tr {
                td { (e.seq) }
                td { (time(e.event.at)) }
                td { (e.event.org) }
                td { (e.event.user.as_deref().unwrap_or("—")) }
                td { code { (e.event.action) } }
                td { (e.event.target.as_deref().unwrap_or("")) }
                td { (e.event.outcome) }
                td { (e.event.detail.as_deref().unwrap_or("")) @if e.payload_withheld { " " small { "(what was asked: withheld)" } } }
            } } }
        } }
        @if let Some(link) = next_link { p { a href=(link) { "Later entries" } } }
    };
    layout(&user, "Audit trail", "/audit", content)
}
