//! The pages' common parts: the layout with its navigation, problems and field errors, the
//! verdict banner, and values shown as definition lists. Every value is escaped by maud.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
pub(crate) use maud::Markup;
use maud::{DOCTYPE, PreEscaped, html};
use palermo_core::{FieldErrors, Permissions, Timestamp};

use super::WebUser;

/// The navigation: each entry shown to whoever holds its permission.
const NAVIGATION: &[(&str, &str, Option<Permissions>)] = &[
    ("/check", "Check", Some(Permissions::CHECK)),
    ("/records", "Records", Some(Permissions::READ_RECORDS)),
    ("/hits", "Hits", Some(Permissions::HITS)),
    ("/messages", "Messages", Some(Permissions::MESSAGES)),
    ("/notices", "Notices", Some(Permissions::READ_RECORDS)),
    ("/cases", "Cases", Some(Permissions::READ_RECORDS)),
    ("/statistics", "Statistics", Some(Permissions::READ_RECORDS)),
    ("/audit", "Audit", Some(Permissions::READ_AUDIT)),
    ("/admin", "Administration", Some(Permissions::ADMINISTER)),
    ("/account", "Account", None),
];

/// Every page's head: its title, this server's stylesheet, icon and script, nothing else.
pub(crate) fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Palermo" }
            link rel="stylesheet" href="/assets/app.css";
            link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
            script src="/assets/app.js" defer {}
        }
    }
}

/// A page with the navigation of a signed-in person. `section` marks the current entry.
pub(crate) fn layout(user: &WebUser, title: &str, section: &str, content: Markup) -> Response {
    let body = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body data-idle-seconds=(user.idle_seconds) {
                a.skip href="#main" { "Skip to content" }
                header.bar {
                    a.brand href="/" { "Palermo" }
                    nav aria-label="Main" {
                        ul {
                            @for (href, label, permission) in NAVIGATION {
                                @if permission.is_none_or(|p| user.may(p)) {
                                    li {
                                        a href=(href)
                                          aria-current=[(section == *href).then_some("page")] { (label) }
                                    }
                                }
                            }
                        }
                    }
                    form.signout method="post" action="/signout" {
                        input type="hidden" name="csrf" value=(user.csrf());
                        span.who { (user.username()) " · " (user.caller.org.as_str()) }
                        button type="submit" { "Sign out" }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (content)
                }
                div #lock hidden role="alertdialog" aria-labelledby="lock-title" {
                    div.panel {
                        h2 #lock-title { "Session locked" }
                        p { "You were idle too long. Sign in again to go on." }
                        a.button href="/signin" { "Sign in" }
                    }
                }
            }
        }
    };
    Html(body.into_string()).into_response()
}

/// A page for someone not signed in (sign-in, errors before a session).
pub(crate) fn bare(title: &str, content: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body.bare {
                    main #main {
                        p.brand { "Palermo" }
                        h1 { (title) }
                        (content)
                    }
                }
            }
        }
        .into_string(),
    )
}

pub(crate) fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    (
        status,
        bare(
            title,
            html! { (problem(title, detail)) p { a href="/" { "Back to Palermo" } } },
        ),
    )
        .into_response()
}

pub(crate) fn problem(title: &str, detail: &str) -> Markup {
    html! {
        div.problem role="alert" {
            strong { (title) }
            p { (detail) }
        }
    }
}

/// The error of field `name` (matched by its path in the hub's errors), shown beside it and
/// tied to it by `aria-describedby` (`{name}-error`).
pub(crate) fn field_error(errors: Option<&FieldErrors>, paths: &[&str], id: &str) -> Markup {
    let Some(errors) = errors else {
        return html! {};
    };
    let found: Vec<&str> = errors
        .0
        .iter()
        .filter(|e| {
            paths.iter().any(|p| {
                e.field == *p
                    || e.field.starts_with(&format!("{p}."))
                    || e.field.starts_with(&format!("{p}["))
            })
        })
        .map(|e| e.detail.as_str())
        .collect();
    if found.is_empty() {
        return html! {};
    }
    html! {
        p.field-error id={(id) "-error"} role="alert" { (found.join("; ")) }
    }
}

/// The errors no field of the form shows, listed above it.
pub(crate) fn other_errors(errors: Option<&FieldErrors>, shown: &[&str]) -> Markup {
    let Some(errors) = errors else {
        return html! {};
    };
    let rest: Vec<_> = errors
        .0
        .iter()
        .filter(|e| {
            !shown.iter().any(|p| {
                e.field == *p
                    || e.field.starts_with(&format!("{p}."))
                    || e.field.starts_with(&format!("{p}["))
            })
        })
        .collect();
    if rest.is_empty() {
        return html! {};
    }
    html! {
        div.problem role="alert" {
            strong { "The form has errors" }
            ul { @for e in rest { li { code { (e.field) } ": " (e.detail) } } }
        }
    }
}

/// The three answers of a check, as an officer must read them at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verdict {
    NoHit,
    Possible,
    Hit,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::NoHit => "NO HIT",
            Verdict::Possible => "POSSIBLE HIT",
            Verdict::Hit => "HIT",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Verdict::NoHit => "verdict no-hit",
            Verdict::Possible => "verdict possible",
            Verdict::Hit => "verdict hit",
        }
    }

    fn advice(self) -> &'static str {
        match self {
            Verdict::NoHit => "Nothing is recorded against this. Go on as usual.",
            Verdict::Possible => {
                "Something close is recorded. Compare the details below with the person and the \
                 document before you decide; contact the owner if in doubt."
            }
            Verdict::Hit => {
                "Hold the person and the document. Do what each hit below asks, and contact its \
                 owner at once: the owner must confirm the hit."
            }
        }
    }
}

pub(crate) fn verdict(verdict: Verdict) -> Markup {
    html! {
        div class=(verdict.class()) #verdict role="status" aria-live="assertive" tabindex="-1" data-focus {
            p.verdict-label { (verdict.label()) }
            p.verdict-advice { (verdict.advice()) }
        }
    }
}

/// A JSON value as a definition list (nested objects indented, arrays listed).
pub(crate) fn value(value: &serde_json::Value) -> Markup {
    use serde_json::Value;
    match value {
        Value::Object(map) => html! {
            dl.fields {
                @for (key, item) in map {
                    @if !item.is_null() && item != &Value::Array(Vec::new()) {
                        dt { (key.replace('_', " ")) }
                        dd { (self::value(item)) }
                    }
                }
            }
        },
        Value::Array(items) => html! {
            ul.values { @for item in items { li { (self::value(item)) } } }
        },
        Value::String(text) => html! { (text) },
        Value::Null => html! { "—" },
        other => html! { (other.to_string()) },
    }
}

pub(crate) fn time(at: Timestamp) -> Markup {
    let text = at.to_rfc3339();
    let shown = text.get(..16).unwrap_or(&text).replace('T', " ");
    html! { time datetime=(text) { (shown) " UTC" } }
}

/// Whether `path` is a path of this site (so safe to send the browser to after signing in).
/// Only printable ASCII other than a backslash is taken: browsers drop tabs and line breaks
/// from URLs and read a backslash as `/`, so `/<TAB>/evil.example` would leave the site.
pub(crate) fn is_local_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.first() == Some(&b'/')
        && bytes.get(1) != Some(&b'/')
        && bytes
            .iter()
            .all(|&b| (0x21..=0x7e).contains(&b) && b != b'\\')
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf(user: &WebUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf()); }
}

/// Inline SVG made by this server (the case network): its text is built from escaped parts.
pub(crate) fn svg(text: String) -> Markup {
    PreEscaped(text)
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_this_sites_paths_are_local() {
        for local in [
            "/",
            "/check",
            "/cases/3?hops=2#network",
            "/signin?next=%2Fcheck",
        ] {
            assert!(is_local_path(local), "{local}");
        }
        for away in [
            "",
            "check",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil",
            "/ /evil",
            "/\u{1}",
            "https://evil.example",
            "/caf\u{e9}",
            "\\\\evil",
        ] {
            assert!(!is_local_path(away), "{away:?}");
        }
    }
}
