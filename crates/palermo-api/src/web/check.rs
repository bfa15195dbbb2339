//! The check page, the first a frontline officer sees: one input for a document number, a
//! machine-readable zone, a VIN or a plate, or a name; the answer as NO HIT, POSSIBLE HIT or
//! HIT with what to do next. Also the manifest upload with its report, and the travel
//! warnings. Every check is the hub's (`check_documents`, `check_vehicles`, `check_mrz`,
//! `screen_persons`, `screen_manifest`), audited there.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use palermo_core::{FieldErrors, Permissions};
use palermo_hub::frontline::{MrzCheckInput, MrzCheckResult};
use palermo_hub::{
    DocumentCheckResult, DocumentQuery, HubError, MatchKind, NoticeHit, PersonCandidate,
    PersonQuery, VehicleCheckResult, VehicleQuery,
};
use serde::Serialize;

use super::html::{Verdict, csrf, field_error, layout, other_errors, time, value, verdict};
use super::{Form, Posted, WebUser, blocking, failure};
use crate::AppState;

/// What the single input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Mrz,
    Document,
    Vin,
    Plate,
    Name,
}

const KINDS: &[(&str, &str)] = &[
    ("auto", "Recognise it"),
    ("document", "Travel document number"),
    ("mrz", "Machine-readable zone"),
    ("vin", "Vehicle identification number (VIN)"),
    ("plate", "Number plate"),
    ("name", "Name of a person"),
];

/// What an input is, when the officer leaves it to the page: a zone has `<` fillers or two
/// long lines; a VIN is 17 letters and digits without I, O or Q; anything else with a digit
/// is a document number (and a plate, when a country is given); the rest a name.
pub(crate) fn recognise(text: &str, country_given: bool) -> Vec<Kind> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if text.contains('<') || (lines.len() >= 2 && lines.iter().all(|l| l.len() >= 28)) {
        return vec![Kind::Mrz];
    }
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let vin_like = compact.len() == 17
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && !compact
            .chars()
            .any(|c| matches!(c.to_ascii_uppercase(), 'I' | 'O' | 'Q'))
        && compact.chars().any(|c| c.is_ascii_digit());
    if vin_like {
        return vec![Kind::Vin];
    }
    if text.chars().any(|c| c.is_ascii_digit()) {
        return if country_given {
            vec![Kind::Document, Kind::Plate]
        } else {
            vec![Kind::Document]
        };
    }
    vec![Kind::Name]
}

/// One thing the check found, as the officer reads it.
struct Finding {
    verdict: Verdict,
    title: String,
    facts: Vec<(&'static str, String)>,
    todo: Vec<String>,
    link: Option<(String, &'static str)>,
}

fn text_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn notice_finding(notice: &NoticeHit, about: &str) -> Finding {
    let what = if notice.diffusion {
        "diffusion"
    } else {
        "notice"
    };
    Finding {
        verdict: Verdict::Hit,
        title: format!(
            "{} {what} {} of {} — {about}",
            capitalise(notice.kind),
            notice.notice_id,
            notice.owner.as_str()
        ),
        facts: notice
            .summary
            .iter()
            .map(|s| ("summary", s.clone()))
            .chain([("matched on", notice.matched_on.to_owned())])
            .collect(),
        todo: vec![
            capitalise(notice.action),
            format!(
                "Contact the bureau of {} at once (Messages), quoting {what} {}.",
                notice.owner.as_str(),
                notice.notice_id
            ),
        ],
        link: Some((format!("/notices/{}", notice.notice_id), "Open the request")),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn person_findings(person: &PersonCandidate, out: &mut Vec<Finding>) {
    let explanation = &person.explanation;
    let parts: Vec<String> = explanation
        .name_parts
        .iter()
        .map(|p| match p.romanisation {
            Some(systems) => format!("{} ≈ {} ({}: {systems})", p.query, p.candidate, p.how),
            None => format!("{} ≈ {} ({})", p.query, p.candidate, p.how),
        })
        .collect();
    let mut facts = vec![
        ("score", format!("{:.2}", person.score)),
        ("owner", person.owner.as_str().to_owned()),
        ("name parts", parts.join(", ")),
        (
            "birth date",
            format!(
                "{} ({})",
                person.birth_date.as_deref().unwrap_or("unknown"),
                explanation.birth_date
            ),
        ),
    ];
    if !person.nationalities.is_empty() {
        let list: Vec<&str> = person.nationalities.iter().map(|c| c.as_str()).collect();
        facts.push((
            "nationality",
            format!("{} ({})", list.join(", "), explanation.nationality),
        ));
    }
    out.push(Finding {
        verdict: if person.hit {
            Verdict::Hit
        } else {
            Verdict::Possible
        },
        title: format!(
            "Person {} — in the persons database of {}",
            person.name,
            person.owner.as_str()
        ),
        facts,
        todo: vec![format!(
            "Compare the traveller with the record; the bureau of {} holds it.",
            person.owner.as_str()
        )],
        link: Some((
            format!("/records/persons/{}", person.record_id),
            "Open the record",
        )),
    });
    for notice in &person.notices {
        out.push(notice_finding(notice, &format!("about {}", person.name)));
    }
}

fn document_findings(result: &DocumentCheckResult, out: &mut Vec<Finding>) {
    for m in &result.matches {
        let exact = m.matched.match_kind == MatchKind::Exact;
        let mut facts = vec![
            ("owner", m.matched.owner.as_str().to_owned()),
            ("status", text_of(&m.status)),
            ("type", text_of(&m.document_type)),
            ("reported", m.matched.reported_date.to_string()),
            ("handling", text_of(&m.matched.handling)),
        ];
        if let Some(note) = &m.matched.handling_note {
            facts.push(("handling note", note.clone()));
        }
        out.push(Finding {
            verdict: if exact { Verdict::Hit } else { Verdict::Possible },
            title: format!(
                "Travel document {} of {} — {}",
                m.number,
                m.issuing_country.as_str(),
                text_of(&m.status)
            ),
            facts,
            todo: if exact {
                vec![
                    "Keep the document; do not hand it back.".to_owned(),
                    format!(
                        "The bureau of {} must confirm the hit: it is in its Hits now.",
                        m.matched.owner.as_str()
                    ),
                ]
            } else {
                vec![format!(
                    "Compare the number on the document with {} character by character (O and 0, I and 1 …).",
                    m.number
                )]
            },
            link: Some((format!("/records/documents/{}", m.matched.record_id), "Open the record")),
        });
    }
    for person in &result.persons {
        person_findings(person, out);
    }
    for notice in &result.notices {
        out.push(notice_finding(notice, "names this document"));
    }
}

fn vehicle_findings(result: &VehicleCheckResult, out: &mut Vec<Finding>) {
    for m in &result.matches {
        let exact = m.matched.match_kind == MatchKind::Exact;
        let described: Vec<String> = [
            m.colour.clone(),
            m.make.clone(),
            m.model.clone(),
            m.year.map(|y| y.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.push(Finding {
            verdict: if exact {
                Verdict::Hit
            } else {
                Verdict::Possible
            },
            title: format!(
                "Vehicle {} — {}",
                m.vin
                    .clone()
                    .or_else(|| m.plate.clone())
                    .unwrap_or_default(),
                text_of(&m.status)
            ),
            facts: vec![
                ("matched on", m.matched_on.to_owned()),
                ("vehicle", described.join(" ")),
                (
                    "plate",
                    format!(
                        "{} {}",
                        m.plate.clone().unwrap_or_default(),
                        m.plate_country
                            .map(|c| c.as_str().to_owned())
                            .unwrap_or_default()
                    ),
                ),
                ("owner", m.matched.owner.as_str().to_owned()),
                ("reported", m.matched.reported_date.to_string()),
                ("handling", text_of(&m.matched.handling)),
            ],
            todo: if exact {
                vec![
                    "Stop the vehicle and keep its keys and papers.".to_owned(),
                    format!(
                        "The bureau of {} must confirm the hit: it is in its Hits now.",
                        m.matched.owner.as_str()
                    ),
                ]
            } else {
                vec!["Compare the VIN on the vehicle itself with the record's.".to_owned()]
            },
            link: Some((
                format!("/records/vehicles/{}", m.matched.record_id),
                "Open the record",
            )),
        });
    }
    for notice in &result.notices {
        out.push(notice_finding(notice, "names this vehicle"));
    }
}

/// What the page shows after a check.
struct Answer {
    asked: String,
    findings: Vec<Finding>,
    near: Vec<Finding>,
    zone: Option<Markup>,
    notes: Vec<String>,
}

impl Answer {
    fn verdict(&self) -> Verdict {
        self.findings
            .iter()
            .map(|f| f.verdict)
            .max()
            .unwrap_or(Verdict::NoHit)
    }
}

#[derive(Default)]
struct Entered {
    q: String,
    kind: String,
    country: String,
    birth_date: String,
    destination: String,
    crossing: String,
}

impl Entered {
    fn of(form: &Form) -> Entered {
        Entered {
            q: form.raw("q").unwrap_or_default().trim().to_owned(),
            kind: form.get("kind").unwrap_or("auto").to_owned(),
            country: form.get("country").unwrap_or_default().to_uppercase(),
            birth_date: form.get("birth_date").unwrap_or_default().to_owned(),
            destination: form.get("destination").unwrap_or_default().to_uppercase(),
            crossing: form.get("crossing").unwrap_or_default().to_owned(),
        }
    }
}

fn check_form(
    user: &WebUser,
    entered: &Entered,
    errors: Option<&FieldErrors>,
    answered: Option<&Answer>,
) -> Markup {
    html! {
        form.check.stack method="post" action="/check" {
            (csrf(user))
            label for="q" { "Document number, machine-readable zone, VIN, plate or name" }
            // After an answer the verdict has the focus: the input would scroll it away.
            textarea #q name="q" rows="3" required autofocus[answered.is_none()] autocomplete="off" spellcheck="false"
                autocapitalize="characters" aria-describedby="q-error" { (entered.q) }
            (field_error(errors, &["q", "lines", "number", "vin", "plate", "name", "documents", "vehicles", "persons"], "q"))
            div.row {
                div {
                    label for="country" { "Country" small { " (issuing, plate or nationality: FRA, DEU …)" } }
                    input #country name="country" value=(entered.country) maxlength="3" size="4"
                        autocapitalize="characters" aria-describedby="country-error";
                    (field_error(errors, &["country", "issuing_country", "plate_country", "nationality"], "country"))
                }
                div {
                    label for="birth_date" { "Birth date" small { " (with a name)" } }
                    input #birth_date name="birth_date" value=(entered.birth_date) placeholder="YYYY-MM-DD"
                        inputmode="numeric" aria-describedby="birth_date-error";
                    (field_error(errors, &["birth_date"], "birth_date"))
                }
            }
            details {
                summary { "More: what it is, where the traveller goes" }
                label for="kind" { "It is" }
                select #kind name="kind" {
                    @for (code, label) in KINDS {
                        option value=(code) selected[entered.kind == *code] { (label) }
                    }
                }
                label for="destination" { "Destination country (for travel warnings)" }
                input #destination name="destination" value=(entered.destination) maxlength="3" size="4"
                    aria-describedby="destination-error";
                (field_error(errors, &["destination"], "destination"))
                label for="crossing" { "Crossing point or flight" }
                input #crossing name="crossing" value=(entered.crossing) maxlength="80";
                (field_error(errors, &["crossing"], "crossing"))
            }
            button.primary.big type="submit" { "Check" }
        }
    }
}

fn check_page(
    user: &WebUser,
    entered: &Entered,
    errors: Option<&FieldErrors>,
    answer: Option<&Answer>,
) -> Response {
    let manifests = user.may(Permissions::CHECK);
    let content = html! {
        @if let Some(answer) = answer { (render_answer(answer)) }
        (other_errors(errors, &["q", "lines", "number", "vin", "plate", "name", "documents", "vehicles", "persons", "country", "issuing_country", "plate_country", "nationality", "birth_date", "destination", "crossing"]))
        (check_form(user, entered, errors, answer))
        @if manifests {
            section.secondary {
                h2 { "Passenger manifest" }
                form.stack method="post" action="/check/manifest" enctype="multipart/form-data" {
                    (csrf(user))
                    label for="manifest" { "UN/EDIFACT PAXLST file from the airline" }
                    input #manifest type="file" name="manifest" required accept=".edi,.txt,.paxlst,text/plain,application/edifact";
                    button type="submit" { "Screen the manifest" }
                }
                p { a href="/warnings" { "Travel warnings received and sent" } }
            }
        }
    };
    layout(user, "Check", "/check", content)
}

fn render_answer(answer: &Answer) -> Markup {
    let verdict_now = answer.verdict();
    html! {
        section.answer aria-label="Answer" {
            (verdict(verdict_now))
            p.asked { "Checked: " strong { (answer.asked) } }
            @if let Some(zone) = &answer.zone { (zone) }
            @for note in &answer.notes { p.note { (note) } }
            @for finding in &answer.findings { (render_finding(finding)) }
            @if !answer.near.is_empty() {
                details.near {
                    summary { "Closest names below the hit threshold (" (answer.near.len()) ")" }
                    @for finding in &answer.near { (render_finding(finding)) }
                }
            }
        }
    }
}

fn render_finding(finding: &Finding) -> Markup {
    let class = match finding.verdict {
        Verdict::Hit => "finding hit",
        Verdict::Possible => "finding possible",
        Verdict::NoHit => "finding",
    };
    html! {
        article class=(class) {
            h2 { span.tag { (finding.verdict.label()) } " " (finding.title) }
            @if !finding.todo.is_empty() {
                h3 { "What to do" }
                ol.todo { @for step in &finding.todo { li { (step) } } }
            }
            dl.fields {
                @for (label, text) in &finding.facts {
                    @if !text.trim().is_empty() { dt { (label) } dd { (text) } }
                }
            }
            @if let Some((href, label)) = &finding.link { p { a href=(href) { (label) } } }
        }
    }
}

fn render_zone(result: &MrzCheckResult) -> Markup {
    let zone = &result.mrz;
    html! {
        div.zone {
            h2 { "The zone as read" @if !zone.valid { " — " span.bad { "with problems" } } }
            pre.mrz { @for line in &zone.lines { (line) "\n" } }
            dl.fields {
                dt { "name" } dd { (zone.holder_name()) }
                dt { "document" } dd { (zone.document_code.as_str()) " " (zone.document_number) " of " (zone.issuing_state.as_str()) }
                dt { "nationality" } dd { (zone.nationality.as_str()) }
                dt { "born" } dd { (text_of(&zone.birth_date)) }
                dt { "sex" } dd { (zone.sex) }
                dt { "expires" } dd { (text_of(&zone.expiry_date)) }
            }
            @if !zone.problems.is_empty() {
                ul.problems {
                    @for p in &zone.problems {
                        li { "line " (p.line) ", column " (p.column) " (" code { (p.field) } "): " (p.message) }
                    }
                }
            }
        }
    }
}

pub(crate) async fn page(user: WebUser) -> Response {
    check_page(
        &user,
        &Entered {
            kind: "auto".into(),
            ..Entered::default()
        },
        None,
        None,
    )
}

fn invalid(field: &str, detail: &str) -> HubError {
    HubError::Invalid(FieldErrors::single(field, detail))
}

pub(crate) async fn submit(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let entered = Entered::of(&form);
    let outcome = run(&state, &user, &entered).await;
    match outcome {
        Ok(answer) => check_page(&user, &entered, None, Some(&answer)),
        Err(HubError::Invalid(errors)) => super::with_status(
            check_page(&user, &entered, Some(&errors), None),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => failure(Some(&user), other),
    }
}

async fn run(state: &AppState, user: &WebUser, entered: &Entered) -> palermo_hub::Result<Answer> {
    if entered.q.is_empty() {
        return Err(invalid("q", "type or paste what to check"));
    }
    let country = (!entered.country.is_empty()).then(|| entered.country.clone());
    let kinds = match entered.kind.as_str() {
        "auto" => recognise(&entered.q, country.is_some()),
        "document" => vec![Kind::Document],
        "mrz" => vec![Kind::Mrz],
        "vin" => vec![Kind::Vin],
        "plate" => vec![Kind::Plate],
        "name" => vec![Kind::Name],
        _ => return Err(invalid("kind", "is not one of the choices")),
    };
    let mut answer = Answer {
        asked: entered.q.clone(),
        findings: Vec::new(),
        near: Vec::new(),
        zone: None,
        notes: Vec::new(),
    };
    let caller = user.caller.clone();
    for kind in kinds {
        match kind {
            Kind::Mrz => {
                let input = MrzCheckInput {
                    lines: entered
                        .q
                        .lines()
                        .map(str::to_owned)
                        .filter(|l| !l.trim().is_empty())
                        .collect(),
                    destination: (!entered.destination.is_empty())
                        .then(|| entered.destination.clone()),
                    crossing: (!entered.crossing.is_empty()).then(|| entered.crossing.clone()),
                };
                let caller = caller.clone();
                let result = blocking(state, move |hub| hub.check_mrz(&caller, &input)).await?;
                answer.asked = format!("machine-readable zone of {}", result.mrz.holder_name());
                answer.zone = Some(render_zone(&result));
                for document in &result.result.documents {
                    document_findings(document, &mut answer.findings);
                }
                for person in &result.result.persons {
                    person_findings(person, &mut answer.findings);
                }
                answer.notes.extend(
                    result
                        .result
                        .not_checked
                        .iter()
                        .map(|n| format!("Not checked: {n}")),
                );
                for warning in &result.warnings {
                    answer.notes.push(format!(
                        "Travel warning {} sent to {}.",
                        warning.id,
                        warning.destination.as_str()
                    ));
                }
            }
            Kind::Document => {
                let Some(country) = country.clone() else {
                    return Err(invalid(
                        "country",
                        "give the document's issuing country (FRA, DEU …)",
                    ));
                };
                let query = DocumentQuery {
                    number: Some(entered.q.clone()),
                    issuing_country: Some(country),
                    ..DocumentQuery::default()
                };
                let checked = state
                    .hub
                    .check_documents(&caller, std::slice::from_ref(&query))?;
                for result in checked.submit(&state.hub)?.durable().await? {
                    document_findings(&result, &mut answer.findings);
                }
            }
            Kind::Vin | Kind::Plate => {
                let query = if kind == Kind::Vin {
                    VehicleQuery {
                        vin: Some(entered.q.clone()),
                        ..VehicleQuery::default()
                    }
                } else {
                    let Some(country) = country.clone() else {
                        return Err(invalid("country", "give the plate's country (FRA, DEU …)"));
                    };
                    VehicleQuery {
                        plate: Some(entered.q.clone()),
                        plate_country: Some(country),
                        ..VehicleQuery::default()
                    }
                };
                let checked = state
                    .hub
                    .check_vehicles(&caller, std::slice::from_ref(&query))?;
                for result in checked.submit(&state.hub)?.durable().await? {
                    vehicle_findings(&result, &mut answer.findings);
                }
            }
            Kind::Name => {
                let query = PersonQuery {
                    name: Some(entered.q.clone()),
                    birth_date: (!entered.birth_date.is_empty())
                        .then(|| entered.birth_date.clone()),
                    nationality: country.clone(),
                    ..PersonQuery::default()
                };
                let caller = caller.clone();
                let results = blocking(state, move |hub| {
                    hub.screen_persons(&caller, std::slice::from_ref(&query), None)?
                        .record(hub)
                })
                .await
                .map_err(unprefix)?;
                for result in results {
                    for candidate in result.candidates.iter().take(5) {
                        if candidate.hit {
                            person_findings(candidate, &mut answer.findings);
                        } else {
                            person_findings(candidate, &mut answer.near);
                        }
                    }
                }
            }
        }
    }
    Ok(answer)
}

/// A batch's error paths (`persons[0].birth_date`) named as the form's fields.
fn unprefix(error: HubError) -> HubError {
    match error {
        HubError::Invalid(errors) => HubError::Invalid(FieldErrors(
            errors
                .0
                .into_iter()
                .map(|mut e| {
                    if let Some(rest) = e.field.split_once("].").map(|(_, rest)| rest.to_owned()) {
                        e.field = rest;
                    }
                    e
                })
                .collect(),
        )),
        other => other,
    }
}

pub(crate) async fn manifest(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let Some(file) = form.files("manifest").next() else {
        let errors = FieldErrors::single("manifest", "choose the manifest's file");
        return manifest_problem(&user, &errors);
    };
    let bytes = file.bytes.clone();
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.screen_manifest(&caller, &bytes)).await {
        Ok(report) => super::see_other(&format!("/manifests/{}", report.id)),
        Err(HubError::Invalid(errors)) => manifest_problem(&user, &errors),
        Err(other) => failure(Some(&user), other),
    }
}

fn manifest_problem(user: &WebUser, errors: &FieldErrors) -> Response {
    let content = html! {
        div.problem role="alert" {
            strong { "The manifest was not screened" }
            ul { @for e in &errors.0 { li { code { (e.field) } ": " (e.detail) } } }
        }
        p { a href="/check" { "Back to the check page" } }
    };
    super::with_status(
        layout(user, "Manifest refused", "/check", content),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub(crate) async fn manifest_report(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let report = match blocking(&state, move |hub| hub.manifest(&caller, id)).await {
        Ok(report) => report,
        Err(error) => return failure(Some(&user), error),
    };
    let number = |key: &str| report.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
    let overall = if number("hits") > 0 {
        Verdict::Hit
    } else if number("possible") > 0 {
        Verdict::Possible
    } else {
        Verdict::NoHit
    };
    let lines: Vec<&str> = report
        .get("summary")
        .and_then(|s| s.as_array())
        .map(|lines| lines.iter().filter_map(|l| l.as_str()).collect())
        .unwrap_or_default();
    let flagged = report
        .get("flagged")
        .and_then(|f| f.as_array())
        .cloned()
        .unwrap_or_default();
    let content = html! {
        (verdict(overall))
        pre.summary { @for line in &lines { (line) "\n" } }
        @for traveller in &flagged {
            article class={"finding " @if traveller.get("verdict").and_then(|v| v.as_str()) == Some("hit") { "hit" } @else { "possible" }} {
                h2 {
                    span.tag { @if traveller.get("verdict").and_then(|v| v.as_str()) == Some("hit") { "HIT" } @else { "POSSIBLE HIT" } }
                    " " (traveller.pointer("/traveller/name").and_then(|v| v.as_str()).unwrap_or("traveller"))
                }
                ul { @for reason in traveller.get("reasons").and_then(|r| r.as_array()).into_iter().flatten() {
                    li { (reason.as_str().unwrap_or_default()) }
                } }
            }
        }
        details { summary { "The whole report" } (value(&report)) }
    };
    layout(&user, &format!("Manifest {id}"), "/check", content)
}

pub(crate) async fn warnings(
    State(state): State<AppState>,
    user: WebUser,
    Query(_query): Query<HashMap<String, String>>,
) -> Response {
    let caller = user.caller.clone();
    let list = match blocking(&state, move |hub| hub.travel_warnings(&caller, None, 100)).await {
        Ok(list) => list,
        Err(error) => return failure(Some(&user), error),
    };
    let org = user.caller.org.as_str().to_owned();
    let content = html! {
        @if list.is_empty() { p { "No travel warnings yet." } }
        @else {
            table {
                thead { tr { th { "When" } th { "" } th { "From" } th { "To" } th { "Notice" } th { "Traveller" } th { "Journey" } } }
                tbody {
                    @for w in &list {
                        tr {
                            td { (time(palermo_core::Timestamp(w.at))) }
                            td { @if w.sender == org { "sent" } @else { "received" } }
                            td { (w.sender) }
                            td { (w.destination.as_str()) }
                            td { @if let Some(id) = w.notice_id { a href={"/notices/" (id)} { (id) } } }
                            td { (value(&w.traveller)) }
                            td { (value(&w.journey)) }
                        }
                    }
                }
            }
        }
    };
    layout(&user, "Travel warnings", "/check", content)
}

#[cfg(test)]
mod tests {
    use super::{Kind, recognise};

    #[test]
    fn the_single_input_is_recognised() {
        let zone = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
        assert_eq!(recognise(zone, false), vec![Kind::Mrz]);
        // Two long lines without fillers (a reader that drops them) are a zone too.
        let line = "AB1".repeat(15);
        assert_eq!(
            recognise(&format!("{line}\n{line}"), false),
            vec![Kind::Mrz]
        );
        assert_eq!(recognise("WP0ZZZ99ZTS392124", false), vec![Kind::Vin]);
        assert_eq!(recognise("wp0zzz99zts392124", false), vec![Kind::Vin]);
        // Seventeen characters with an O is no VIN.
        assert_eq!(
            recognise("WP0ZZZ99ZTS39212O", true),
            vec![Kind::Document, Kind::Plate]
        );
        assert_eq!(recognise("18FR44120", false), vec![Kind::Document]);
        assert_eq!(
            recognise("GH-512-KL", true),
            vec![Kind::Document, Kind::Plate]
        );
        assert_eq!(recognise("Marc Lefebvre", true), vec![Kind::Name]);
        assert_eq!(recognise("Сомчай Вонгсакул", false), vec![Kind::Name]);
    }
}
