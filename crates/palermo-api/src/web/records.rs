//! Records: travel documents, vehicles and persons, read as the hub lets the caller see them
//! (another bureau's restricted record is "not found", exactly as an absent one), created
//! from forms, and withdrawn by their owner. Every read and write is the hub's, audited.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palermo_core::{DocumentInput, FieldErrors, Permissions, VehicleInput};
use palermo_hub::HubError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::html::{csrf, field_error, layout, other_errors, value};
use super::{Form, Posted, WebUser, blocking, failure};
use crate::AppState;

/// A form's fields: (name, label, hint).
type Fields = &'static [(&'static str, &'static str, &'static str)];

/// A record form's fields, (name, label, hint): the kind's own, then what every record has.
macro_rules! with_meta {
    ($($own:expr),* $(,)?) => {
        &[
            $($own,)*
            ("reported_date", "Reported on", "YYYY-MM-DD"),
            ("review_date", "Review by", "YYYY-MM-DD; default five years on"),
            ("external_ref", "Your reference", "optional"),
            ("restriction", "Who may see it", "all (default), only or except"),
            ("restriction_countries", "Countries of the restriction", "comma-separated"),
            ("handling", "Handling code", "H0 (default) to H3"),
            ("handling_note", "Handling note", "required with H3"),
        ]
    };
}

const DOCUMENT_FIELDS: Fields = with_meta![
    ("number", "Document number", ""),
    (
        "issuing_country",
        "Issuing country",
        "FRA, DEU … or an ICAO code"
    ),
    (
        "type",
        "Type",
        "passport, id_card, visa, residence_permit …"
    ),
    (
        "status",
        "Status",
        "stolen, lost, revoked, invalidated, stolen_blank"
    ),
    ("holder_name", "Holder's name", "optional"),
    (
        "holder_birth_date",
        "Holder's birth date",
        "YYYY-MM-DD, optional"
    ),
];

const VEHICLE_FIELDS: Fields = with_meta![
    ("vin", "VIN", "17 characters"),
    ("plate", "Plate", ""),
    ("plate_country", "Plate's country", "FRA, DEU …"),
    ("make", "Make", ""),
    ("model", "Model", ""),
    ("colour", "Colour", ""),
    ("year", "Year", ""),
    ("status", "Status", "stolen, misappropriated, lost"),
];

const PERSON_FIELDS: Fields = with_meta![
    ("family", "Family name", "as in the passport"),
    ("given", "Given names", ""),
    ("birth_date", "Birth date", "YYYY-MM-DD, YYYY-MM or YYYY"),
    ("nationality", "Nationality", "FRA, DEU …; comma-separated"),
    ("sex", "Sex", "M, F or U"),
    ("category", "Category", "wanted, missing, suspect, offender"),
];

const LISTS: &[&str] = &["restriction_countries", "nationality"];
/// Fields that make a person's name, not members of their own.
const NAME_PARTS: &[&str] = &["family", "given"];

/// A record input from a form, read as the API reads its JSON (errors name the same fields).
fn input_of<T: DeserializeOwned>(
    form: &Form,
    fields: &[(&str, &str, &str)],
) -> Result<T, FieldErrors> {
    let mut object = serde_json::Map::new();
    let mut primary = serde_json::Map::new();
    for (name, _, _) in fields {
        if NAME_PARTS.contains(name) {
            if let Some(text) = form.get(name) {
                primary.insert((*name).to_owned(), text.into());
            }
            continue;
        }
        if let Some(text) = form.get(name) {
            let value = if LISTS.contains(name) {
                serde_json::Value::Array(
                    text.split(',')
                        .map(|c| serde_json::Value::String(c.trim().to_uppercase()))
                        .collect(),
                )
            } else {
                serde_json::Value::String(text.to_owned())
            };
            object.insert((*name).to_owned(), value);
        }
    }
    if !primary.is_empty() {
        object.insert(
            "names".into(),
            vec![serde_json::Value::Object(primary)].into(),
        );
    }
    super::input_from(&object, "form").map_err(|mut error| {
        // A name's part is the form's own field.
        if let Some(part) = error.field.strip_prefix("names[0].") {
            error.field = part.to_owned();
        }
        FieldErrors(vec![error])
    })
}

fn record_form(
    user: &WebUser,
    action: &str,
    legend: &str,
    fields: &[(&str, &str, &str)],
    form: &Form,
    errors: Option<&FieldErrors>,
) -> Markup {
    let names: Vec<&str> = fields.iter().map(|(n, _, _)| *n).collect();
    let today = palermo_core::Timestamp::now().to_rfc3339()[..10].to_owned();
    let shown = |name: &str| match form.get(name) {
        Some(value) => value.to_owned(),
        None if name == "reported_date" => today.clone(),
        None => String::new(),
    };
    html! {
        form.stack method="post" action=(action) {
            (csrf(user))
            fieldset {
                legend { (legend) }
                (other_errors(errors, &names))
                @for (name, label, hint) in fields {
                    @let id = format!("{}-{}", action.trim_start_matches("/records/"), name);
                    label for=(id) { (label) @if !hint.is_empty() { small { " (" (hint) ")" } } }
                    input id=(id) name=(name) value=(shown(name))
                        aria-describedby={(id) "-error"};
                    (field_error(errors, &[name], &id))
                }
                button.primary type="submit" { "Create" }
            }
        }
    }
}

/// The kinds of record a bureau creates here: (path, legend, fields).
const FORMS: &[(&str, &str, Fields)] = &[
    ("documents", "New travel document", DOCUMENT_FIELDS),
    ("vehicles", "New vehicle", VEHICLE_FIELDS),
    ("persons", "New person", PERSON_FIELDS),
];

/// The records page; `failed` is the form sent back with its errors (its kind, its fields).
fn records_page(user: &WebUser, failed: Option<(&str, &Form, &FieldErrors)>) -> Response {
    let writes = user.may(Permissions::WRITE_RECORDS);
    let empty = Form::default();
    let content = html! {
        form.row.open-record method="get" action="/records/open" {
            label for="open-kind" { "Open record" }
            select #open-kind name="kind" {
                option value="documents" { "travel document" }
                option value="vehicles" { "vehicle" }
                option value="persons" { "person" }
            }
            input name="id" inputmode="numeric" aria-label="record number" required;
            button type="submit" { "Open" }
        }
        p { "To find a record by its number or a name, use " a href="/check" { "Check" } ": it searches every record you may see." }
        @if writes {
            div.columns {
                @for (path, legend, fields) in FORMS {
                    @let (form, errors) = match failed {
                        Some((kind, form, errors)) if kind == *path => (form, Some(errors)),
                        _ => (&empty, None),
                    };
                    (record_form(user, &format!("/records/{path}"), legend, fields, form, errors))
                }
            }
        }
        @if writes { (super::import::section(user)) }
    };
    layout(user, "Records", "/records", content)
}

pub(crate) async fn page(user: WebUser) -> Response {
    records_page(&user, None)
}

pub(crate) async fn open(
    user: WebUser,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let kind = query.get("kind").map(String::as_str).unwrap_or("documents");
    let id = query.get("id").map(|id| id.trim()).unwrap_or_default();
    match (kind, super::id_of(id)) {
        ("documents" | "vehicles" | "persons", Some(id)) => {
            super::see_other(&format!("/records/{kind}/{id}"))
        }
        _ => failure(Some(&user), HubError::NotFound),
    }
}

async fn create<T, V>(
    state: AppState,
    posted: Posted,
    fields: &'static [(&'static str, &'static str, &'static str)],
    path: &'static str,
    write: fn(&palermo_hub::Hub, &palermo_hub::Caller, &T) -> palermo_hub::Result<V>,
    id_of: fn(&V) -> i64,
) -> Response
where
    T: DeserializeOwned + Send + 'static,
    V: Send + 'static,
{
    let Posted { user, form } = posted;
    let refuse = |errors: &FieldErrors| {
        super::with_status(
            records_page(&user, Some((path, &form, errors))),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let input: T = match input_of(&form, fields) {
        Ok(input) => input,
        Err(errors) => return refuse(&errors),
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| write(hub, &caller, &input)).await {
        Ok(view) => super::see_other(&format!("/records/{path}/{}", id_of(&view))),
        Err(HubError::Invalid(errors)) => refuse(&errors),
        Err(other) => failure(Some(&user), other),
    }
}

pub(crate) async fn create_document(State(state): State<AppState>, posted: Posted) -> Response {
    create::<DocumentInput, _>(
        state,
        posted,
        DOCUMENT_FIELDS,
        "documents",
        palermo_hub::Hub::create_document,
        |v| v.id,
    )
    .await
}

pub(crate) async fn create_person(State(state): State<AppState>, posted: Posted) -> Response {
    create::<palermo_core::PersonInput, _>(
        state,
        posted,
        PERSON_FIELDS,
        "persons",
        palermo_hub::Hub::create_person,
        |v| v.id,
    )
    .await
}

pub(crate) async fn create_vehicle(State(state): State<AppState>, posted: Posted) -> Response {
    create::<VehicleInput, _>(
        state,
        posted,
        VEHICLE_FIELDS,
        "vehicles",
        palermo_hub::Hub::create_vehicle,
        |v| v.id,
    )
    .await
}

/// A record's fields as the form shows them to change it: the view's values under the
/// input's names, lists as comma-separated text.
fn values_of(json: &serde_json::Value, fields: &[(&str, &str, &str)]) -> Form {
    let mut form = Form::default();
    for (name, _, _) in fields {
        let text = match json.get(*name) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(","),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        form.fields.push(((*name).to_owned(), text));
    }
    form
}

fn edit_form(
    user: &WebUser,
    kind: &str,
    id: i64,
    fields: &[(&str, &str, &str)],
    form: &Form,
    errors: Option<&FieldErrors>,
) -> Markup {
    let names: Vec<&str> = fields.iter().map(|(n, _, _)| *n).collect();
    html! {
        form.stack method="post" action={"/records/" (kind) "/" (id) "/edit"} {
            (csrf(user))
            (other_errors(errors, &names))
            @for (name, label, hint) in fields {
                @let field_id = format!("edit-{name}");
                label for=(field_id) { (label) @if !hint.is_empty() { small { " (" (hint) ")" } } }
                input id=(field_id) name=(name) value=(form.get(name).unwrap_or_default())
                    aria-describedby={(field_id) "-error"};
                (field_error(errors, &[name], &field_id))
            }
            button.primary type="submit" { "Save the changes" }
        }
    }
}

fn record_page<V: Serialize>(
    user: &WebUser,
    kind: &str,
    title: &str,
    id: i64,
    view: &V,
    extra: Markup,
) -> Response {
    record_page_with(user, kind, title, id, view, extra, None, None)
}

#[allow(clippy::too_many_arguments)]
fn record_page_with<V: Serialize>(
    user: &WebUser,
    kind: &str,
    title: &str,
    id: i64,
    view: &V,
    extra: Markup,
    sent: Option<&Form>,
    edit_errors: Option<&FieldErrors>,
) -> Response {
    let json = serde_json::to_value(view).unwrap_or_default();
    let prefilled = FORMS
        .iter()
        .find(|(path, _, _)| *path == kind)
        .map(|(_, _, fields)| values_of(&json, fields));
    let edit_values = sent.or(prefilled.as_ref());
    let owner = json
        .pointer("/meta/owner")
        .or_else(|| json.get("owner"))
        .and_then(|o| o.as_str())
        .unwrap_or_default();
    let owns = owner == user.caller.org.as_str() && user.may(Permissions::WRITE_RECORDS);
    let withdrawn = json.get("withdrawn_at").is_some_and(|w| !w.is_null());
    let owns = owns && !withdrawn;
    let editable = FORMS
        .iter()
        .find(|(path, _, _)| *path == kind && kind != "persons")
        .map(|(_, _, fields)| *fields);
    let content = html! {
        (extra)
        (value(&json))
        @if let (true, Some(fields), Some(form)) = (owns, editable, edit_values) {
            details.edit open[edit_errors.is_some()] {
                summary { "Change this record" }
                (edit_form(user, kind, id, fields, form, edit_errors))
            }
        }
        @if owns {
            form method="post" action={"/records/" (kind) "/" (id) "/withdraw"} {
                (csrf(user))
                button.danger type="submit" { "Withdraw this record" }
            }
        }
        p { a href={"/messages/new?references=" (kind.trim_end_matches('s')) "%20" (id)} { "Write about this record" } }
    };
    layout(user, title, "/records", content)
}

/// A document's or vehicle's page, as the hub lets the caller read it.
async fn show<V: Serialize + Send + 'static>(
    state: AppState,
    user: WebUser,
    id: String,
    kind: &'static str,
    title: &'static str,
    read: fn(&palermo_hub::Hub, &palermo_hub::Caller, i64) -> palermo_hub::Result<V>,
) -> Response {
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| read(hub, &caller, id)).await {
        Ok(view) => record_page(&user, kind, &format!("{title} {id}"), id, &view, html! {}),
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn document(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    show(
        state,
        user,
        id,
        "documents",
        "Travel document",
        palermo_hub::Hub::document,
    )
    .await
}

pub(crate) async fn vehicle(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    show(
        state,
        user,
        id,
        "vehicles",
        "Vehicle",
        palermo_hub::Hub::vehicle,
    )
    .await
}

pub(crate) async fn person(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let found = blocking(&state, move |hub| {
        let person = hub.person(&caller, id)?;
        let photos = hub.person_photos(&caller, id).unwrap_or_default();
        Ok((person, photos))
    })
    .await;
    match found {
        Ok((view, photos)) => {
            let json = serde_json::to_value(&view).unwrap_or_default();
            let owns = json.get("owner").and_then(|o| o.as_str()) == Some(user.caller.org.as_str())
                && json.get("withdrawn_at").is_none_or(|w| w.is_null())
                && user.may(Permissions::WRITE_RECORDS);
            let gallery = html! {
                @if !photos.is_empty() {
                    div.photos {
                        @for photo in &photos {
                            img src={"/records/persons/" (id) "/photos/" (photo.id)} alt={"Photo " (photo.id) " of the person"} width="160";
                        }
                    }
                }
                @if owns {
                    form.row method="post" action={"/records/persons/" (id) "/photos"} enctype="multipart/form-data" {
                        (csrf(&user))
                        div {
                            label for="photo" { "Add a photo" small { " (JPEG or PNG)" } }
                            input #photo type="file" name="photo" accept="image/jpeg,image/png" required;
                        }
                        button type="submit" { "Add" }
                    }
                }
            };
            record_page(
                &user,
                "persons",
                &format!("Person {id}"),
                id,
                &view,
                gallery,
            )
        }
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn photo(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, photo)): Path<(String, String)>,
) -> Response {
    let (Some(id), Some(photo)) = (super::id_of(&id), super::id_of(&photo)) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.person_photo(&caller, id, photo)).await {
        Ok((view, bytes)) => {
            let mut response = (StatusCode::OK, bytes).into_response();
            let kind = if view.content_type == "image/png" {
                "image/png"
            } else {
                "image/jpeg"
            };
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            response
        }
        Err(error) => failure(Some(&user), error),
    }
}

async fn withdraw(
    state: AppState,
    posted: Posted,
    id: String,
    work: fn(&palermo_hub::Hub, &palermo_hub::Caller, i64) -> palermo_hub::Result<()>,
) -> Response {
    let user = posted.user;
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| work(hub, &caller, id)).await {
        Ok(()) => {
            let content = html! { p.notice role="status" { "Record " (id) " is withdrawn: checks no longer find it." } p { a href="/records" { "Records" } } };
            layout(&user, "Withdrawn", "/records", content)
        }
        Err(error) => failure(Some(&user), error),
    }
}

pub(crate) async fn withdraw_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    withdraw(state, posted, id, palermo_hub::Hub::withdraw_document).await
}

pub(crate) async fn withdraw_vehicle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    withdraw(state, posted, id, palermo_hub::Hub::withdraw_vehicle).await
}

pub(crate) async fn withdraw_person(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    withdraw(state, posted, id, palermo_hub::Hub::withdraw_person).await
}

async fn edit<T, V>(
    state: AppState,
    posted: Posted,
    id: String,
    kind: &'static str,
    update: fn(&palermo_hub::Hub, &palermo_hub::Caller, i64, &T) -> palermo_hub::Result<V>,
    read: fn(&palermo_hub::Hub, &palermo_hub::Caller, i64) -> palermo_hub::Result<V>,
) -> Response
where
    T: DeserializeOwned + Send + 'static,
    V: Serialize + Send + 'static,
{
    let Posted { user, form } = posted;
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let fields = FORMS
        .iter()
        .find(|(path, _, _)| *path == kind)
        .map(|(_, _, fields)| *fields)
        .unwrap_or_default();
    let refused = |errors: FieldErrors, state: AppState, user: WebUser, form: Form| async move {
        let caller = user.caller.clone();
        match blocking(&state, move |hub| read(hub, &caller, id)).await {
            Ok(view) => {
                let title = format!("Record {id}");
                super::with_status(
                    record_page_with(
                        &user,
                        kind,
                        &title,
                        id,
                        &view,
                        html! {},
                        Some(&form),
                        Some(&errors),
                    ),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
            Err(error) => failure(Some(&user), error),
        }
    };
    let input: T = match input_of(&form, fields) {
        Ok(input) => input,
        Err(errors) => return refused(errors, state, user, form).await,
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| update(hub, &caller, id, &input)).await {
        Ok(_) => super::see_other(&format!("/records/{kind}/{id}")),
        Err(HubError::Invalid(errors)) => refused(errors, state, user, form).await,
        Err(other) => failure(Some(&user), other),
    }
}

pub(crate) async fn edit_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    edit::<DocumentInput, _>(
        state,
        posted,
        id,
        "documents",
        palermo_hub::Hub::update_document,
        palermo_hub::Hub::document,
    )
    .await
}

pub(crate) async fn edit_vehicle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    edit::<VehicleInput, _>(
        state,
        posted,
        id,
        "vehicles",
        palermo_hub::Hub::update_vehicle,
        palermo_hub::Hub::vehicle,
    )
    .await
}

pub(crate) async fn add_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    let Posted { user, form } = posted;
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let Some(file) = form.files("photo").next() else {
        return failure(
            Some(&user),
            HubError::Invalid(FieldErrors::single("photo", "choose a JPEG or PNG file")),
        );
    };
    let bytes = file.bytes.clone();
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.add_person_photo(&caller, id, &bytes)).await {
        Ok(_) => super::see_other(&format!("/records/persons/{id}")),
        Err(error) => failure(Some(&user), error),
    }
}
