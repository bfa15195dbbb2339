//! The bureau's hits: those on its records to confirm (overdue first, then by deadline), with
//! the answer form, and those its checks raised, with the owners' answers. The hub lists and
//! answers (`hits`, `answer_hit`), and audits both.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use palermo_hub::{HitAnswerInput, HitView, HubError};

use super::html::{csrf, field_error, layout, time};
use super::{Posted, WebUser, blocking, failure};
use crate::AppState;

const ANSWERS: &[(&str, &str)] = &[
    ("still-valid", "Confirmed: the record is still valid"),
    ("no-longer-valid", "Denied: the record is no longer valid"),
    (
        "not-the-same",
        "Denied: not the same document, vehicle or person",
    ),
];

fn query_text(hit: &HitView) -> String {
    match &hit.query {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                format!(
                    "{k} {}",
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn hits_page(
    user: &WebUser,
    hits: &[HitView],
    failed: Option<(i64, &palermo_core::FieldErrors)>,
) -> Response {
    let mut to_answer: Vec<&HitView> = hits
        .iter()
        .filter(|h| h.to_answer && h.answer.is_none())
        .collect();
    // Overdue first, then the nearest deadline.
    to_answer.sort_by_key(|h| (h.state != "overdue", h.due_at.0));
    let answered: Vec<&HitView> = hits
        .iter()
        .filter(|h| h.to_answer && h.answer.is_some())
        .collect();
    let raised: Vec<&HitView> = hits.iter().filter(|h| !h.to_answer).collect();
    let content = html! {
        section {
            h2 { "To confirm (" (to_answer.len()) ")" }
            @if to_answer.is_empty() { p { "No hit waits for your answer." } }
            @for hit in &to_answer {
                article.hit-card.overdue[hit.state == "overdue"] id={"hit-" (hit.id)} {
                    h3 {
                        @if hit.state == "overdue" { span.tag.overdue-tag { "OVERDUE" } " " }
                        "Hit " (hit.id) " on " (hit.record_kind) " "
                        a href={"/records/" (hit.record_kind) "s/" (hit.record_id)} { (hit.record_id) }
                    }
                    dl.fields {
                        dt { "found by" } dd { (hit.checking_org) }
                        dt { "when" } dd { (time(hit.at)) }
                        dt { "match" } dd { (hit.match_kind) }
                        dt { "they asked" } dd { (query_text(hit)) }
                        dt { "answer by" } dd { (time(hit.due_at)) }
                    }
                    @let errors = failed.filter(|(id, _)| *id == hit.id).map(|(_, e)| e);
                    form.stack method="post" action={"/hits/" (hit.id) "/answer"} {
                        (csrf(user))
                        fieldset {
                            legend { "Your answer" }
                            @for (code, label) in ANSWERS {
                                label.choice {
                                    input type="radio" name="answer" value=(code) required;
                                    " " (label)
                                }
                            }
                            (field_error(errors, &["answer"], &format!("answer-{}", hit.id)))
                        }
                        label for={"note-" (hit.id)} { "Note for the checking bureau" }
                        textarea id={"note-" (hit.id)} name="note" rows="2" maxlength="2000" {}
                        (field_error(errors, &["note"], &format!("note-{}", hit.id)))
                        button.primary type="submit" { "Send the answer" }
                    }
                }
            }
        }
        section {
            h2 { "Raised by your checks (" (raised.len()) ")" }
            (table(&raised))
        }
        section {
            h2 { "Answered by you (" (answered.len()) ")" }
            (table(&answered))
        }
    };
    layout(user, "Hits", "/hits", content)
}

fn table(hits: &[&HitView]) -> maud::Markup {
    html! {
        @if hits.is_empty() { p { "None." } } @else {
            div.scroll { table {
                thead { tr { th { "Hit" } th { "When" } th { "Record" } th { "Owner" } th { "Checked by" } th { "State" } th { "Answer" } } }
                tbody { @for hit in hits { tr id={"hit-" (hit.id)} {
                    td { (hit.id) }
                    td { (time(hit.at)) }
                    td { (hit.record_kind) " " (hit.record_id) }
                    td { (hit.owner) }
                    td { (hit.checking_org) }
                    td { (hit.state) }
                    td { (hit.answer.as_deref().unwrap_or("—")) @if let Some(note) = &hit.answer_note { br; small { (note) } } }
                } } }
            } }
        }
    }
}

async fn list(state: &AppState, user: &WebUser) -> palermo_hub::Result<Vec<HitView>> {
    let caller = user.caller.clone();
    blocking(state, move |hub| {
        hub.hits(&caller, None, None, palermo_hub::HITS_PAGE_MAX)
    })
    .await
}

pub(crate) async fn page(State(state): State<AppState>, user: WebUser) -> Response {
    match list(&state, &user).await {
        Ok(hits) => hits_page(&user, &hits, None),
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    let Posted { user, form } = posted;
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let input = HitAnswerInput {
        answer: form.owned("answer"),
        note: form.owned("note"),
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.answer_hit(&caller, id, &input)).await {
        Ok(_) => super::see_other(&format!("/hits#hit-{id}")),
        Err(HubError::Invalid(errors)) => match list(&state, &user).await {
            Ok(hits) => super::with_status(
                hits_page(&user, &hits, Some((id, &errors))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(error) => failure(Some(&user), error),
        },
        Err(other) => failure(Some(&user), other),
    }
}
