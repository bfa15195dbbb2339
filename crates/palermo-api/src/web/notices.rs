//! Notices and diffusions: the request form, which shows the review rules' verdicts as the
//! operator types (the hub's dry run, `evaluate_notice`); the lists, the reviewers' queue
//! first; and a notice's page with its checklist, history and the moves the caller may make
//! (`notice_moves`), overrides with their justification included. The hub decides each move.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use palermo_core::notice::NoticeInput;
use palermo_core::notice::rules::Override;
use palermo_core::{FieldErrors, Permissions};
use palermo_hub::HubError;
use palermo_hub::notices::{EvaluationView, NoticeListQuery, NoticeMoveInput, RuleView};

use super::html::{csrf, field_error, layout, other_errors, time, value};
use super::{Form, Posted, WebUser, blocking, failure};
use crate::AppState;

const KINDS: &[(&str, &str)] = &[
    ("red", "Red notice — arrest for extradition"),
    ("yellow", "Yellow notice — missing person"),
    ("blue", "Blue notice — information on a person"),
    ("black", "Black notice — unidentified body"),
    ("green", "Green notice — warning of a person's activities"),
    ("orange", "Orange notice — imminent threat"),
    ("purple", "Purple notice — modus operandi"),
    ("silver", "Silver notice — assets"),
    ("wanted", "Wanted diffusion"),
    ("missing", "Missing diffusion"),
    ("information", "Information diffusion"),
    ("warning", "Warning diffusion"),
];

/// The form's simple fields, as the request's JSON keys.
const TEXT_FIELDS: &[(&str, &str, &str)] = &[
    (
        "person",
        "Person",
        "the record number in the persons database",
    ),
    ("summary", "Summary", "one line, for lists and messages"),
    (
        "warning",
        "Activities warned of",
        "Green notices and warning diffusions",
    ),
    (
        "purpose",
        "What is sought",
        "Blue notices and information diffusions",
    ),
    ("recipients", "Recipients", "diffusions: DEU, ITA … or all"),
    ("external_ref", "Your reference", ""),
    (
        "restriction",
        "Who may see it",
        "all (default), only or except",
    ),
    (
        "restriction_countries",
        "Countries of the restriction",
        "comma-separated",
    ),
    ("handling", "Handling code", "H0 (default) to H3"),
    ("handling_note", "Handling note", "required with H3"),
];
const LISTS: &[&str] = &["recipients", "restriction_countries"];

/// The request the form describes, read as the API reads its JSON; `more` holds the parts
/// the form has no field for (warrants, a disappearance …) as a JSON object.
fn request_of(form: &Form) -> Result<NoticeInput, FieldErrors> {
    let mut object = match form.get("more") {
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => return Err(FieldErrors::single("more", "must be a JSON object")),
            Err(error) => {
                return Err(FieldErrors::single(
                    "more",
                    format!(
                        "is not JSON: line {} column {}: {error}",
                        error.line(),
                        error.column()
                    ),
                ));
            }
        },
        None => serde_json::Map::new(),
    };
    if let Some(kind) = form.get("kind") {
        object.insert("kind".into(), kind.into());
    }
    for (name, _, _) in TEXT_FIELDS {
        let Some(text) = form.get(name) else { continue };
        let value = if LISTS.contains(name) {
            if *name == "recipients" && text.eq_ignore_ascii_case("all") {
                serde_json::Value::String("all".into())
            } else {
                text.split(',')
                    .map(|c| serde_json::Value::String(c.trim().to_uppercase()))
                    .collect()
            }
        } else if *name == "person" {
            // A record number; anything else is left for the reader to refuse by name.
            text.parse::<i64>()
                .map(serde_json::Value::from)
                .unwrap_or_else(|_| text.into())
        } else {
            serde_json::Value::String(text.to_owned())
        };
        object.insert((*name).to_owned(), value);
    }
    if let Some(text) = form.get("documents") {
        let mut documents = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (number, country) = line.rsplit_once(' ').unwrap_or((line, ""));
            documents.push(serde_json::json!({"number": number.trim(), "issuing_country": country.trim().to_uppercase()}));
        }
        object.insert("documents".into(), documents.into());
    }
    if form.get("public_extract") == Some("on") {
        object.insert("public_extract".into(), true.into());
    }
    super::input_from(&object, "more").map_err(|error| FieldErrors(vec![error]))
}

fn verdicts(evaluation: Option<&EvaluationView>, errors: Option<&FieldErrors>) -> Markup {
    html! {
        div #verdicts aria-live="polite" {
            @if let Some(errors) = errors {
                (other_errors(Some(errors), &[]))
            }
            @if let Some(evaluation) = evaluation {
                @if !evaluation.errors.is_empty() {
                    div.problem { strong { "To complete" } ul { @for e in &evaluation.errors { li { code { (e.field) } ": " (e.detail) } } } }
                }
                (rules(&evaluation.checklist))
            } @else if errors.is_none() {
                p.hint { "The review rules' verdicts appear here as you fill in the form." }
            }
        }
    }
}

fn rules(checklist: &[RuleView]) -> Markup {
    html! {
        ul.rules {
            @for rule in checklist {
                li class={"rule " (rule.verdict)} {
                    span.tag { (match rule.verdict { "pass" => "PASS", "fail" => "FAIL", _ => "JUDGE" }) }
                    " " strong { (rule.title) }
                    @if !rule.evidence.is_empty() { ul { @for e in &rule.evidence { li { (e) } } } }
                }
            }
        }
    }
}

fn request_form(
    user: &WebUser,
    form: &Form,
    errors: Option<&FieldErrors>,
    evaluation: Option<&EvaluationView>,
) -> Response {
    let kind = form.get("kind").unwrap_or("red");
    let mut shown: Vec<&str> = TEXT_FIELDS.iter().map(|(n, _, _)| *n).collect();
    shown.extend(["kind", "documents", "more", "public_extract"]);
    let content = html! {
        div.columns {
            form #notice-form.stack method="post" action="/notices/new" data-evaluate="/notices/evaluate" {
                (csrf(user))
                (other_errors(errors, &shown))
                label for="kind" { "Kind" }
                select #kind name="kind" {
                    @for (code, label) in KINDS { option value=(code) selected[kind == *code] { (label) } }
                }
                @for (name, label, hint) in TEXT_FIELDS {
                    label for=(name) { (label) @if !hint.is_empty() { small { " (" (hint) ")" } } }
                    input id=(name) name=(name) value=(form.get(name).unwrap_or_default()) aria-describedby={(name) "-error"};
                    (field_error(errors, &[name], name))
                }
                label for="documents" { "Documents whose checks should hit" small { " (one per line: number and issuing country)" } }
                textarea #documents name="documents" rows="2" aria-describedby="documents-error" { (form.raw("documents").unwrap_or_default()) }
                (field_error(errors, &["documents"], "documents"))
                label.choice { input type="checkbox" name="public_extract" checked[form.get("public_extract") == Some("on")]; " Publish a public extract (Red, Yellow and UN notices)" }
                label for="more" { "Other parts (JSON: warrants, disappearance, body, case …)" }
                textarea #more.code name="more" rows="6" spellcheck="false" aria-describedby="more-error" { (form.raw("more").unwrap_or_default()) }
                (field_error(errors, &["more", "warrants", "disappearance", "body", "case", "assets", "sanctions", "entity"], "more"))
                div.row {
                    button type="submit" formaction="/notices/evaluate" { "Check the rules" }
                    button.primary type="submit" { "Request" }
                }
            }
            aside {
                h2 { "Review rules" }
                (verdicts(evaluation, None))
            }
        }
    };
    layout(user, "Request a notice or diffusion", "/notices", content)
}

pub(crate) async fn form(user: WebUser) -> Response {
    request_form(&user, &Form::default(), None, None)
}

pub(crate) async fn evaluate(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted,
) -> Response {
    let Posted { user, form } = posted;
    let fragment = headers.get("x-palermo-fragment").is_some();
    let outcome = match request_of(&form) {
        Ok(input) => {
            let caller = user.caller.clone();
            blocking(&state, move |hub| hub.evaluate_notice(&caller, &input)).await
        }
        Err(errors) => Err(HubError::Invalid(errors)),
    };
    match (outcome, fragment) {
        (Ok(evaluation), true) => {
            Html(verdicts(Some(&evaluation), None).into_string()).into_response()
        }
        (Err(HubError::Invalid(errors)), true) => {
            Html(verdicts(None, Some(&errors)).into_string()).into_response()
        }
        (Ok(evaluation), false) => request_form(&user, &form, None, Some(&evaluation)),
        (Err(HubError::Invalid(errors)), false) => request_form(&user, &form, Some(&errors), None),
        (Err(other), _) => failure(Some(&user), other),
    }
}

pub(crate) async fn request(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let input = match request_of(&form) {
        Ok(input) => input,
        Err(errors) => return invalid(request_form(&user, &form, Some(&errors), None)),
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.request_notice(&caller, &input)).await {
        Ok(notice) => super::see_other(&format!("/notices/{}", notice.id)),
        Err(HubError::Invalid(errors)) => invalid(request_form(&user, &form, Some(&errors), None)),
        Err(other) => failure(Some(&user), other),
    }
}

fn invalid(response: Response) -> Response {
    super::with_status(response, StatusCode::UNPROCESSABLE_ENTITY)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let reviewer = user.caller.is_secretariat() && user.may(Permissions::REVIEW);
    let default = if reviewer { "submitted" } else { "" };
    let wanted = query
        .get("state")
        .map(String::as_str)
        .unwrap_or(default)
        .to_owned();
    let filter = NoticeListQuery {
        state: (!wanted.is_empty()).then(|| wanted.clone()),
        limit: Some(200),
        ..NoticeListQuery::default()
    };
    let caller = user.caller.clone();
    let notices = match blocking(&state, move |hub| hub.notices(&caller, &filter)).await {
        Ok(notices) => notices,
        Err(error) => return failure(Some(&user), error),
    };
    let tabs: &[(&str, &str)] = &[
        ("submitted", "Waiting for review"),
        ("in_review", "In review"),
        ("published", "Published"),
        ("draft", "Drafts"),
        ("", "All"),
    ];
    let content = html! {
        nav.tabs aria-label="Notices by state" {
            @for (code, label) in tabs {
                a href={"/notices?state=" (code)} aria-current=[(wanted == *code).then_some("page")] { (label) }
            }
            @if user.may(Permissions::WRITE_RECORDS) { a.button href="/notices/new" { "Request a notice" } }
        }
        @if notices.is_empty() { p { "None." } } @else {
            div.scroll { table {
                thead { tr { th { "Id" } th { "Kind" } th { "Bureau" } th { "State" } th { "Summary" } th { "Reported" } } }
                tbody { @for n in &notices { tr {
                    td { a href={"/notices/" (n.id)} { (n.id) } }
                    td { (n.kind) @if n.diffusion { " diffusion" } }
                    td { (n.meta.owner.as_str()) }
                    td { (n.state) }
                    td { (n.request.get("summary").and_then(|s| s.as_str()).unwrap_or_default()) }
                    td { (n.meta.reported_date.to_string()) }
                } } }
            } }
        }
    };
    layout(
        &user,
        if reviewer && wanted == "submitted" {
            "Review queue"
        } else {
            "Notices and diffusions"
        },
        "/notices",
        content,
    )
}

pub(crate) async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    notice_page(state, user, id, None).await
}

async fn notice_page(
    state: AppState,
    user: WebUser,
    id: String,
    errors: Option<FieldErrors>,
) -> Response {
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let found = blocking(&state, move |hub| {
        let notice = hub.notice(&caller, id)?;
        let history = hub.notice_history(&caller, id)?;
        let moves = hub.notice_moves(&caller, &notice);
        Ok((notice, history, moves))
    })
    .await;
    let (notice, history, moves) = match found {
        Ok(found) => found,
        Err(error) => return failure(Some(&user), error),
    };
    let judged: Vec<&RuleView> = notice
        .checklist
        .iter()
        .flatten()
        .filter(|r| r.verdict != "pass")
        .collect();
    let errors = errors.as_ref();
    let content = html! {
        dl.fields.summary {
            dt { "state" } dd #notice-state { (notice.state) }
            dt { "bureau" } dd { (notice.meta.owner.as_str()) }
            dt { "checks hit it" } dd { (if notice.hits { "yes" } else { "no" }) }
            dt { "asks officers to" } dd { (notice.action) }
            @if let Some(person) = notice.person { dt { "person" } dd { a href={"/records/persons/" (person)} { (person) } } }
            dt { "public extract" } dd { (if notice.public_extract { "yes" } else { "no" }) }
        }
        @if let Some(checklist) = &notice.checklist {
            section { h2 { "Review checklist" } (rules(checklist)) }
        }
        @if !moves.is_empty() {
            section {
                h2 { "Decide" }
                (other_errors(errors, &["reason", "overrides"]))
                form.stack method="post" action={"/notices/" (id) "/move"} {
                    (csrf(&user))
                    @if moves.iter().any(|m| matches!(*m, "publish" | "find_compliant")) {
                        @for rule in &judged {
                            label for={"override-" (rule.rule)} { "Justify overriding: " (rule.title) }
                            textarea id={"override-" (rule.rule)} name={"override:" (rule.rule)} rows="2" {}
                        }
                        (field_error(errors, &["overrides"], "overrides"))
                    }
                    label for="reason" { "Reason" small { " (required to refuse, suspend, cancel or find non-compliant)" } }
                    textarea #reason name="reason" rows="2" aria-describedby="reason-error" {}
                    (field_error(errors, &["reason"], "reason"))
                    div.row {
                        @for m in &moves {
                            button.primary[matches!(*m, "publish" | "submit" | "find_compliant" | "start_review")]
                                .danger[matches!(*m, "refuse" | "cancel" | "find_non_compliant")]
                                type="submit" name="transition" value=(m) { (m.replace('_', " ")) }
                        }
                    }
                }
            }
        }
        section {
            h2 { "History" }
            ol.history {
                @for event in &history {
                    li {
                        (time(event.at)) " — " strong { (event.transition.replace('_', " ")) } " by " (event.by) " (" (event.by_org) "): "
                        (event.from_state.as_deref().unwrap_or("—")) " → " (event.to_state)
                        @if let Some(reason) = &event.reason { br; small { (reason) } }
                    }
                }
            }
        }
        details open { summary { "The request" } (value(&notice.request)) }
    };
    let title = format!(
        "{} {} {}",
        capitalise(&notice.kind),
        if notice.diffusion {
            "diffusion"
        } else {
            "notice"
        },
        id
    );
    let mut response = layout(&user, &title, "/notices", content);
    if errors.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(crate) async fn move_notice(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    let Posted { user, form } = posted;
    let Some(number) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let overrides = form
        .fields
        .iter()
        .filter_map(|(key, value)| {
            let rule = key.strip_prefix("override:")?;
            (!value.trim().is_empty()).then(|| Override {
                rule: rule.to_owned(),
                justification: value.trim().to_owned(),
            })
        })
        .collect();
    let input = NoticeMoveInput {
        transition: form.owned("transition"),
        reason: form.owned("reason"),
        overrides,
        request: None,
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.move_notice(&caller, number, &input)).await {
        Ok(_) => super::see_other(&format!("/notices/{number}")),
        Err(HubError::Invalid(errors)) => notice_page(state, user, id, Some(errors)).await,
        Err(other) => failure(Some(&user), other),
    }
}
