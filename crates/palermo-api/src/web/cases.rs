//! Trafficking case reports: the list, the report form (pasted or uploaded, format 1 of
//! `docs/case-report.md`), and the case page with its links to other bureaus' cases and to
//! the hub's records, its network drawn on the server, and the investigation checklist.
//! The hub submits, matches, protects victims and audits.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palermo_core::{FieldErrors, Permissions};
use palermo_hub::HubError;
use palermo_hub::case_work::TickInput;

use super::graph;
use super::html::{csrf, layout, svg, value};
use super::{Form, Posted, WebUser, blocking, failure};
use crate::AppState;

/// Hops of the network drawn around a case unless the reader asks for more (`?hops=`).
const NETWORK_HOPS: usize = 1;
const NETWORK_HOPS_MAX: usize = 3;

fn hops_of(query: &HashMap<String, String>) -> usize {
    query
        .get("hops")
        .and_then(|h| h.parse::<usize>().ok())
        .unwrap_or(NETWORK_HOPS)
        .clamp(1, NETWORK_HOPS_MAX)
}
/// The example report, to start from.
const EXAMPLE: &str = include_str!("../../../../docs/examples/case-report.json");

pub(crate) async fn list(State(state): State<AppState>, user: WebUser) -> Response {
    let caller = user.caller.clone();
    let cases = match blocking(&state, move |hub| hub.cases(&caller, None, None, 100)).await {
        Ok(cases) => cases,
        Err(error) => return failure(Some(&user), error),
    };
    let content = html! {
        @if user.may(Permissions::WRITE_RECORDS) { p { a.button href="/cases/new" { "Report a case" } } }
        @if cases.is_empty() { p { "No cases yet." } } @else {
            div.scroll { table {
                thead { tr { th { "Case" } th { "Reference" } th { "Bureau" } th { "Form" } th { "Status" } th { "Reported" } th { "Version" } } }
                tbody { @for case in &cases { tr {
                    td { a href={"/cases/" (case.id)} { (case.id) } }
                    td { (case.reference) }
                    td { (case.owner) }
                    td { (case.form) }
                    td { (case.status) }
                    td { (case.reported_date) }
                    td { (case.version) }
                } } }
            } }
        }
    };
    layout(&user, "Cases", "/cases", content)
}

fn report_form(user: &WebUser, text: &str, errors: Option<&FieldErrors>) -> Response {
    let content = html! {
        @if let Some(errors) = errors {
            div.problem role="alert" #report-errors {
                strong { "The report was not accepted" }
                ul { @for e in &errors.0 { li { code { (e.field) } ": " (e.detail) } } }
            }
        }
        p { "Write the report in format 1 (" a href="/api/v1/schemas/case-report-v1.json" { "its JSON Schema" } "), or upload the file your case system exports. A report with the reference of one of your cases is its next version." }
        form.stack method="post" action="/cases/new" enctype="multipart/form-data" {
            (csrf(user))
            label for="report" { "The report (JSON)" }
            textarea #report.code name="report" rows="20" spellcheck="false" aria-describedby="report-errors" { (text) }
            label for="file" { "…or its file" }
            input #file type="file" name="file" accept=".json,application/json";
            button.primary type="submit" { "Submit the report" }
        }
    };
    layout(user, "Report a case", "/cases", content)
}

pub(crate) async fn form(user: WebUser) -> Response {
    report_form(&user, EXAMPLE, None)
}

pub(crate) async fn submit(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let bytes: Vec<u8> = match form.files("file").next() {
        Some(file) => file.bytes.to_vec(),
        None => form.raw("report").unwrap_or_default().as_bytes().to_vec(),
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.submit_case(&caller, &bytes)).await {
        Ok(case) => super::see_other(&format!("/cases/{}", case.id)),
        Err(HubError::Invalid(errors)) => super::with_status(
            report_form(&user, &text, Some(&errors)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => failure(Some(&user), other),
    }
}

/// The countries of a report's route, in order (a leg without a country is left out).
fn route_countries(report: &serde_json::Value) -> Vec<String> {
    report
        .get("route")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .filter_map(|leg| {
            leg.get("country")
                .and_then(|c| c.as_str())
                .map(str::to_owned)
        })
        .collect()
}

/// The route on the world map, by each country's capital.
fn route_of(report: &serde_json::Value) -> Option<String> {
    let countries = route_countries(report);
    if countries.is_empty() {
        return None;
    }
    let mut places: Vec<palermo_hub::cases::Place> = Vec::new();
    for code in &countries {
        let Some(country) = palermo_core::CountryCode::parse(code) else {
            continue;
        };
        if let Some(capital) = country.capital()
            && !places.iter().any(|p| p.country == *code)
        {
            places.push(palermo_hub::cases::Place {
                country: code.clone(),
                capital: capital.name.to_owned(),
                latitude: capital.latitude,
                longitude: capital.longitude,
            });
        }
    }
    let route = super::statistics::Route {
        stops: countries.iter().map(String::as_str).collect(),
        weight: 3.0,
        note: "the case's route".to_owned(),
    };
    Some(super::statistics::route_map(&places, &[route]))
}

/// The route in words: each country with its role and place.
fn route_text(report: &serde_json::Value) -> String {
    report
        .get("route")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .map(|leg| {
            let text = |key: &str| leg.get(key).and_then(|v| v.as_str()).unwrap_or_default();
            let place = if text("place").is_empty() {
                String::new()
            } else {
                format!(", {}", text("place"))
            };
            format!("{} ({}{place})", text("country"), text("role"))
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// One shared identifier in a line: its kind, its value, how much it says.
fn shared_text(shared: &palermo_hub::cases::SharedIdentifier) -> String {
    let mut line = format!("{} {}", shared.kind, shared.value);
    if shared.score < 1.0 {
        line.push_str(&format!(" (score {:.2})", shared.score));
    }
    if shared.common {
        line.push_str(&format!(
            " — in {} cases: says little",
            shared.cases_sharing
        ));
    }
    line
}

fn legend() -> Markup {
    html! {
        ul.legend aria-label="Kinds of node" {
            @for (kind, label) in graph::KINDS {
                li { span class={"swatch node-" (kind)} {} (label) }
            }
        }
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let hops = hops_of(&query);
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let found = blocking(&state, move |hub| {
        let case = hub.case(&caller, id)?;
        let links = hub.case_links(&caller, id)?;
        let records = hub.case_record_links(&caller, id)?;
        let network = hub.case_network(&caller, id, hops)?;
        // The drawing's layout is CPU work: done here, off the async workers.
        let drawing = graph::svg(&network);
        let checklist = hub.case_checklist(&caller, id).ok();
        Ok((case, links, records, network, drawing, checklist))
    })
    .await;
    let (case, links, records, network, drawing, checklist) = match found {
        Ok(found) => found,
        Err(error) => return failure(Some(&user), error),
    };
    let owner = case.owner == user.caller.org.as_str();
    let content = html! {
        dl.fields.summary {
            dt { "reference" } dd { (case.reference) }
            dt { "bureau" } dd { (case.owner) }
            dt { "form" } dd { (case.form) }
            dt { "status" } dd { (case.status) }
            dt { "reported" } dd { (case.reported_date) }
            dt { "version" } dd { (case.version) }
            dt { "victims" } dd { (case.victims) @if !case.identities_visible { " (identities withheld)" } }
            dt { "suspects" } dd { (case.suspects) }
        }
        section #network {
            h2 { "Network" }
            nav.tabs aria-label="How far the network reaches" {
                @for h in 1..=NETWORK_HOPS_MAX {
                    a href={"/cases/" (id) "?hops=" (h) "#network"} aria-current=[(h == hops).then_some("page")] {
                        (h) @if h == 1 { " link" } @else { " links" } " away"
                    }
                }
                a href={"/cases/" (id) "/network.svg?hops=" (hops)} download { "Download (SVG)" }
            }
            @if network.truncated { p.note { "The network is larger than shown." } }
            @if network.common_links_left_out > 0 {
                p.note { (network.common_links_left_out) " links through identifiers many cases share are left out." }
            }
            figure.network-figure {
                (svg(drawing))
                figcaption { (legend()) }
            }
        }
        @if let Some(map) = route_of(&case.report) {
            section #route {
                h2 { "Route" }
                figure.chart.route-figure { (svg(map)) figcaption { (route_text(&case.report)) } }
            }
        }
        section {
            h2 { "Linked cases (" (links.len()) ")" }
            @if links.is_empty() { p { "No other case shares an identifier with this one." } }
            @if !links.is_empty() {
                div.scroll { table {
                    thead { tr { th { "Case" } th { "Contact" } th { "Shared" } } }
                    tbody { @for link in &links { tr {
                        td { @match link.case { Some(other) => { a href={"/cases/" (other)} { (other) } @if let Some(r) = &link.reference { " " small { (r) } } }, None => { "one you may not see" } } }
                        td { (link.contact) }
                        td { ul.values { @for shared in &link.shared { li { (shared_text(shared)) } } } }
                    } } }
                } }
            }
        }
        section {
            h2 { "Records of the hub (" (records.len()) ")" }
            @if records.is_empty() { p { "No person, document or vehicle of the hub matches the case." } }
            ul {
                @for r in &records {
                    li {
                        (r.record_kind) " matched on " (r.matched_on) ": " (r.value) " (score " (format!("{:.2}", r.score)) ") — "
                        @match r.record_id {
                            Some(record) => { a href={"/records/" (r.record_kind) "s/" (record)} { "record " (record) } " of " (r.contact) },
                            None => { "held by " (r.contact) ": ask them" },
                        }
                    }
                }
            }
        }
        @if let Some(checklist) = &checklist {
            section #checklist {
                h2 { "Investigation checklist (" (checklist.done) " of " (checklist.total) ")" }
                ul.checklist {
                    @for item in &checklist.items {
                        li.done[item.done] {
                            @if owner && user.may(Permissions::WRITE_RECORDS) {
                                form.tick method="post" action={"/cases/" (id) "/checklist"} {
                                    (csrf(&user))
                                    input type="hidden" name="item" value=(item.id);
                                    input type="hidden" name="done" value=(if item.done { "false" } else { "true" });
                                    button type="submit" aria-pressed=(item.done) aria-label={(if item.done { "Untick: " } else { "Tick: " }) (item.text)} {
                                        (if item.done { "☑" } else { "☐" })
                                    }
                                    " " (item.text)
                                }
                            } @else {
                                (if item.done { "☑ " } else { "☐ " }) (item.text)
                            }
                            @if let Some(note) = &item.note { br; small { (note) } }
                        }
                    }
                }
            }
        }
        details { summary { "The report" } (value(&case.report)) }
        p { a href={"/api/v1/cases/" (id) "/ftm"} { "FollowTheMoney export (API)" } }
    };
    layout(&user, &format!("Case {id}"), "/cases", content)
}

/// The network alone, as an SVG file (to save or print).
pub(crate) async fn network_svg(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let hops = hops_of(&query);
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let drawn = blocking(&state, move |hub| {
        hub.case_network(&caller, id, hops)
            .map(|network| graph::svg(&network))
    });
    match drawn.await {
        Ok(drawing) => {
            let mut response = (StatusCode::OK, drawing).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            );
            response
        }
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn tick(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    let Posted { user, form } = posted;
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let input = tick_input(&form);
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.tick_case_item(&caller, id, &input)).await {
        Ok(_) => super::see_other(&format!("/cases/{id}#checklist")),
        Err(error) => failure(Some(&user), error),
    }
}

fn tick_input(form: &Form) -> TickInput {
    TickInput {
        item: form.owned("item"),
        done: form.get("done").map(|d| d == "true"),
        note: form.owned("note"),
    }
}
