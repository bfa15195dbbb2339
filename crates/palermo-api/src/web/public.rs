//! The public pages, without signing in: a search of the public extracts of Red, Yellow and
//! UN notices, with their photos. The same extracts and limits as the public service at
//! `/notices/v1` (the hub's `public_notices`, rate-limited by address); nothing else leaves.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use palermo_hub::public::{Extract, PublicKind};

use super::Source;
use crate::AppState;

const KINDS: &[(&str, &str, PublicKind)] = &[
    ("red", "Wanted persons (Red notices)", PublicKind::Red),
    (
        "yellow",
        "Missing persons (Yellow notices)",
        PublicKind::Yellow,
    ),
    (
        "un",
        "United Nations Security Council sanctions",
        PublicKind::UnPersons,
    ),
];

const FIELDS: &[(&str, &str)] = &[
    ("name", "Family name"),
    ("forename", "Forename"),
    ("nationality", "Nationality (two letters: FR, DE …)"),
    ("freeText", "Any text"),
];

fn page(title: &str, content: Markup) -> Html<String> {
    Html(html! {
        (DOCTYPE)
        html lang="en" {
            (super::html::head(title))
            body {
                header.bar { a.brand href="/public" { "Palermo · public notices" } nav { ul { li { a href="/signin" { "Sign in" } } } } }
                main #main { h1 { (title) } (content) }
            }
        }
    }
    .into_string())
}

fn card(kind: &str, extract: &Extract) -> Markup {
    let entity = extract.entity_id.replace('/', "-");
    let path = if kind == "un" { "un/persons" } else { kind };
    html! {
        article.public-card {
            @if let Some(picture) = extract.pictures.first() {
                img src={"/notices/v1/" (path) "/" (entity) "/images/" (picture)}
                    alt={"Photo of " (extract.forename.as_deref().unwrap_or("")) " " (extract.name.as_deref().unwrap_or(""))}
                    width="120" loading="lazy";
            }
            div {
                h2 { (extract.name.as_deref().unwrap_or("")) ", " (extract.forename.as_deref().unwrap_or("")) }
                dl.fields {
                    @if let Some(born) = &extract.date_of_birth { dt { "born" } dd { (born) } }
                    @if !extract.nationalities.is_empty() { dt { "nationality" } dd { (extract.nationalities.join(", ")) } }
                    @if let Some(marks) = &extract.distinguishing_marks { dt { "marks" } dd { (marks) } }
                    @if let Some(place) = &extract.place { dt { "last seen" } dd { (place) } }
                    dt { "notice" } dd { (extract.entity_id) }
                }
            }
        }
    }
}

pub(crate) async fn search(
    State(state): State<AppState>,
    Source(source): Source,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let wanted = query
        .iter()
        .find(|(k, _)| k == "kind")
        .map(|(_, v)| v.as_str())
        .unwrap_or("red");
    let Some((kind_code, kind_label, kind)) =
        KINDS.iter().find(|(code, _, _)| *code == wanted).copied()
    else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", html! { p { "No such list." } }),
        )
            .into_response();
    };
    if let Err(after) = state.hub.admit_public(source) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            page(
                "Too many searches",
                html! { p { "Try again in " (after) " seconds." } },
            ),
        )
            .into_response();
    }
    let params: Vec<(String, String)> =
        query.iter().filter(|(k, _)| k != "kind").cloned().collect();
    // The last of a repeated parameter, as the hub's search takes it.
    let value = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let outcome = state.hub.public_notices(kind, &params);
    let status = if outcome.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let content = html! {
        nav.tabs aria-label="Lists" {
            @for (code, label, _) in KINDS {
                a href={"/public?kind=" (code)} aria-current=[(*code == kind_code).then_some("page")] { (label) }
            }
        }
        form.row method="get" action="/public" {
            input type="hidden" name="kind" value=(kind_code);
            @for (name, label) in FIELDS {
                div { label for=(name) { (label) } input id=(name) name=(name) value=(value(name)); }
            }
            button type="submit" { "Search" }
        }
        @match &outcome {
            Ok(found) => {
                p { (found.total) " found" @if found.total > found.notices.len() { "; the first " (found.notices.len()) " shown" } "." }
                div.public-list { @for extract in &found.notices { (card(kind_code, extract)) } }
            }
            Err(refusal) => {
                div.problem role="alert" { strong { (refusal.parameter) } p { (refusal.message) } }
            }
        }
    };
    (status, page(kind_label, content)).into_response()
}
