//! The public notices service (`/notices/v1`), as a client written for the international
//! public service uses it: unauthenticated, its shapes, its 404, only the public extract.

use serde_json::{Value, json};

use crate::support::{Client, Server};

fn publish(fra: &Client, reviewer: &Client, request: &Value) -> i64 {
    let created = fra.post("/api/v1/notices", request);
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    let moves = format!("/api/v1/notices/{id}/transitions");
    for (who, transition) in [
        (fra, "submit"),
        (reviewer, "start_review"),
        (reviewer, "publish"),
    ] {
        let moved = who.post(&moves, &json!({"transition": transition}));
        assert_eq!(moved.status, 200, "{transition}: {}", moved.text);
    }
    id
}

fn person(fra: &Client, given: &str, family: &str, birth: &str, sex: &str) -> i64 {
    let created = fra.post(
        "/api/v1/persons",
        &json!({"names": [{"given": given, "family": family}], "sex": sex, "birth_date": birth,
            "nationality": ["FRA", "DZA"], "birth_place": "Marseille", "birth_country": "FRA",
            "category": "wanted", "reported_date": "2026-01-05"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_i64().unwrap()
}

fn red(person: i64, public: bool) -> Value {
    json!({"kind": "red", "person": person, "public_extract": public,
        "summary": "internal summary, never public",
        "warrants": [{"kind": "arrest_warrant", "charge": "Trafficking in human beings",
            "description": "SECRET FACTS of the case", "reference": "TJ-SECRET-1",
            "date": "2025-11-02", "authority": "Tribunal judiciaire de Lyon",
            "issuing_country": "FRA", "max_penalty_months": 120}],
        "documents": [{"number": "18FR44120", "issuing_country": "FRA"}]})
}

fn get(server: &Server, path: &str) -> (u16, Value, String) {
    let answer = server.anonymous().get(path);
    (answer.status, answer.body, answer.content_type)
}

#[test]
fn the_public_service_serves_consented_extracts_in_the_public_shape_and_nothing_else() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let reviewer = server.session("sg.reviewer");
    let wanted = person(&fra, "Marc Antoine", "Lefebvre", "1979-03-08", "M");
    let png: Vec<u8> = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]
        .into_iter()
        .chain((0..300u32).map(|i| (i % 251) as u8))
        .collect();
    let photo = fra.send(
        "POST",
        &format!("/api/v1/persons/{wanted}/photos"),
        "image/png",
        png.clone(),
    );
    assert_eq!(photo.status, 201, "{}", photo.text);
    let picture = photo.body["id"].as_i64().unwrap();
    // A restricted request has no public extract, nor one with a handling code.
    let mut restricted = red(wanted, true);
    restricted["restriction"] = json!("except");
    restricted["restriction_countries"] = json!(["ITA"]);
    assert_eq!(
        fra.post("/api/v1/notices", &restricted).problem(422),
        ["public_extract"]
    );
    let id = publish(&fra, &reviewer, &red(wanted, true));
    // Without the owner's consent, nothing is public.
    let other = person(&fra, "Paul", "Girard", "1985-01-01", "M");
    publish(&fra, &reviewer, &red(other, false));

    let (status, list, content_type) = get(&server, "/notices/v1/red");
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["query"], json!({"page": 1, "resultPerPage": 20}));
    let entry = &list["_embedded"]["notices"][0];
    let year = entry["entity_id"]
        .as_str()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let entity = format!("{year}/{id}");
    let path_id = format!("{year}-{id}");
    assert_eq!(entry["entity_id"], entity);
    assert_eq!(entry["forename"], "MARC ANTOINE");
    assert_eq!(entry["name"], "LEFEBVRE");
    assert_eq!(entry["date_of_birth"], "1979/03/08");
    assert_eq!(entry["nationalities"], json!(["FR", "DZ"]));
    let own = format!("{}/notices/v1/red/{path_id}", server.url);
    assert_eq!(entry["_links"]["self"]["href"], own);
    assert_eq!(entry["_links"]["images"]["href"], format!("{own}/images"));
    assert_eq!(
        entry["_links"]["thumbnail"]["href"],
        format!("{own}/images/{picture}")
    );
    let links = &list["_links"];
    assert_eq!(
        links["self"]["href"],
        format!("{}/notices/v1/red?&resultPerPage=20&page=1", server.url)
    );
    assert_eq!(links["last"], links["first"]);
    assert!(links.get("next").is_none(), "{links}");

    // The detail: the public fields, and none of the request's others.
    let (status, detail, _) = get(&server, &format!("/notices/v1/red/{path_id}"));
    assert_eq!(status, 200, "{detail}");
    assert_eq!(
        detail["arrest_warrants"],
        json!([{"charge": "Trafficking in human beings", "issuing_country_id": "FR",
            "charge_translation": null}])
    );
    assert_eq!(detail["sex_id"], "M");
    assert_eq!(detail["place_of_birth"], "Marseille");
    assert_eq!(detail["country_of_birth_id"], "FR");
    assert_eq!(detail["_embedded"], json!({"links": []}));
    let text = detail.to_string();
    for secret in [
        "SECRET",
        "TJ-SECRET",
        "18FR44120",
        "internal summary",
        "Tribunal",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(detail.get("person").is_none() && detail.get("id").is_none());

    let (status, images, _) = get(&server, &format!("/notices/v1/red/{path_id}/images"));
    assert_eq!(status, 200);
    assert_eq!(
        images["_embedded"]["images"][0]["picture_id"],
        picture.to_string()
    );
    assert_eq!(images["_links"]["notice"]["href"], own);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut image = agent.get(format!("{own}/images/{picture}")).call().unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.body_mut().read_to_vec().unwrap(), png);

    // Searches as the public service takes them.
    for (query, total) in [
        ("name=lefebvre", 1),
        ("name=%5ELEFEBVRE%24", 1),
        ("name=%5ELEF", 1),
        ("name=%5EEFEBVRE", 0),
        ("forename=marc&nationality=DZ", 1),
        ("nationality=IT", 0),
        ("sexId=F", 0),
        ("arrestWarrantCountryId=FR&ageMin=30&ageMax=60", 1),
        ("ageMin=60", 0),
        ("freeText=trafficking", 1),
        ("unknownParameter=1", 1),
    ] {
        let (status, found, _) = get(&server, &format!("/notices/v1/red?{query}"));
        assert_eq!(
            (status, found["total"].as_u64()),
            (200, Some(total)),
            "{query}: {found}"
        );
    }
    let (_, filtered, _) = get(&server, "/notices/v1/red?nationality=DZ&resultPerPage=5");
    assert_eq!(
        filtered["query"],
        json!({"page": 1, "resultPerPage": 5, "nationality": "DZ"})
    );
    assert_eq!(
        filtered["_links"]["self"]["href"],
        format!(
            "{}/notices/v1/red?nationality=DZ&resultPerPage=5&page=1",
            server.url
        )
    );
    // Bad parameters are refused, named; unknown notices are the service's 404.
    for query in [
        "page=0",
        "resultPerPage=abc",
        "resultPerPage=161",
        "nationality=FRA",
        "sexId=X",
        "name=(",
        "ageMin=-1",
    ] {
        let (status, body, _) = get(&server, &format!("/notices/v1/red?{query}"));
        assert_eq!(
            (status, body["name"].as_str()),
            (400, Some("BadRequestError")),
            "{query}: {body}"
        );
    }
    for path in [
        format!("/notices/v1/yellow/{path_id}"),
        format!("/notices/v1/red/{}-{id}", year.parse::<i32>().unwrap() - 1),
        "/notices/v1/red/2026-999999".to_owned(),
        "/notices/v1/red/abc".to_owned(),
        format!("/notices/v1/red/{path_id}/images/999999"),
        "/notices/v1/blue".to_owned(),
    ] {
        let (status, body, _) = get(&server, &path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            body,
            json!({"status": 404, "name": "NotFoundError", "message": "Not Found"})
        );
    }

    // A cancelled notice leaves the public service at once.
    let cancelled = fra.post(
        &format!("/api/v1/notices/{id}/transitions"),
        &json!({"transition": "cancel", "reason": "arrested in Lyon on 3 March"}),
    );
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(get(&server, "/notices/v1/red").1["total"], 0);
    assert_eq!(get(&server, &format!("/notices/v1/red/{path_id}")).0, 404);
}

#[test]
fn yellow_and_un_lists_and_the_rate_limit() {
    let server = Server::demo_with(&["--public-requests-per-minute-per-address", "100"]);
    let fra = server.client("FRA");
    let reviewer = server.session("sg.reviewer");
    let missing = person(&fra, "Lea", "Martin", "2011-06-02", "F");
    let id = publish(
        &fra,
        &reviewer,
        &json!({"kind": "yellow", "person": missing, "public_extract": true,
            "disappearance": {"date": "2026-02-01", "place": "Lyon", "country": "FRA"}}),
    );
    let listed = get(&server, "/notices/v1/yellow?sexId=F&ageMax=18").1;
    assert_eq!(listed["total"], 1, "{listed}");
    let entity = listed["_embedded"]["notices"][0]["entity_id"]
        .as_str()
        .unwrap()
        .replace('/', "-");
    let detail = get(&server, &format!("/notices/v1/yellow/{entity}")).1;
    assert_eq!(detail["date_of_event"], "2026/02/01");
    assert_eq!(detail["place"], "Lyon");
    assert_eq!(detail["country"], "FR");
    assert!(detail.get("arrest_warrants").is_none());
    assert!(entity.ends_with(&format!("-{id}")));
    // A yellow notice is not in the red list, and the red parameters are not the yellow's.
    assert_eq!(get(&server, "/notices/v1/red").1["total"], 0);
    assert_eq!(
        get(&server, "/notices/v1/yellow?arrestWarrantCountryId=IT").1["total"],
        1
    );

    let listed = person(&fra, "Omar", "Haddad", "1970-01-01", "M");
    publish(
        &fra,
        &reviewer,
        &json!({"kind": "un-persons", "person": listed, "public_extract": true,
            "summary": "Listed for financing", "sanctions": {"committee": "1267",
            "reference": "QDi.999", "measures": ["assets_freeze", "travel_ban"]}}),
    );
    let un = get(&server, "/notices/v1/un/persons?unReference=QDi.999").1;
    assert_eq!(un["total"], 1, "{un}");
    assert_eq!(un["_embedded"]["notices"][0]["un_reference"], "QDi.999");
    let un_id = un["_embedded"]["notices"][0]["entity_id"]
        .as_str()
        .unwrap()
        .replace('/', "-");
    let un_detail = get(&server, &format!("/notices/v1/un/persons/{un_id}")).1;
    assert_eq!(un_detail["un_resolution"], 1267, "{un_detail}");
    assert_eq!(un_detail["summary"], "Listed for financing");

    // Unauthenticated, but not unlimited: one address gets 429 with Retry-After.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut limited = None;
    for _ in 0..40 {
        let answer = agent
            .get(format!("{}/notices/v1/red", server.url))
            .call()
            .unwrap();
        if answer.status() == 429 {
            limited = Some(answer);
            break;
        }
    }
    let mut limited = limited.expect("the public service limits one address");
    assert!(limited.headers().get("retry-after").is_some());
    let body: Value = serde_json::from_slice(&limited.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(body["name"], "TooManyRequestsError");
}

#[test]
fn the_demo_holds_requests_of_every_kind_and_state_that_checks_and_the_public_find() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("data"),
        &["--demo", "--demo-documents", "200", "--demo-vehicles", "20"],
    );
    let examples = server.credentials()["examples"]["notices"].clone();
    let requests = examples["requests"].as_array().unwrap();
    let states: std::collections::BTreeSet<&str> =
        requests.iter().map(|r| r[0].as_str().unwrap()).collect();
    let kinds: std::collections::BTreeSet<&str> =
        requests.iter().map(|r| r[1].as_str().unwrap()).collect();
    for state in [
        "draft",
        "submitted",
        "in_review",
        "published",
        "refused",
        "suspended",
        "held",
        "cancelled",
        "expired",
        "sent",
        "compliant",
        "non_compliant",
    ] {
        assert!(states.contains(state), "{state} in {states:?}");
    }
    for kind in [
        "red",
        "yellow",
        "blue",
        "black",
        "green",
        "orange",
        "purple",
        "silver",
        "un-persons",
        "un-entities",
        "wanted",
        "missing",
        "information",
        "warning",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
    // A newcomer's first checks find something.
    let deu = server.client("DEU");
    let number = examples["red_document"][0].as_str().unwrap();
    let checked = deu.get(&format!(
        "/api/v1/checks/documents?number={number}&country=FRA"
    ));
    assert_eq!(
        checked.body["notices"][0]["kind"], "red",
        "{}",
        checked.text
    );
    let name = examples["red_person"][0]
        .as_str()
        .unwrap()
        .replace(' ', "%20");
    let screened = deu.get(&format!("/api/v1/checks/persons?name={name}"));
    assert!(
        screened.body["candidates"][0]["notices"]
            .as_array()
            .is_some_and(|n| !n.is_empty()),
        "{}",
        screened.text
    );
    let (_, red, _) = get(&server, "/notices/v1/red");
    assert!(red["total"].as_u64().unwrap() >= 2, "{red}");
    assert!(
        red["_embedded"]["notices"][0]["_links"]["thumbnail"].is_object(),
        "{red}"
    );
    assert!(
        get(&server, "/notices/v1/yellow").1["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(
        get(&server, "/notices/v1/un/persons").1["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[test]
fn links_name_the_operators_address_never_the_clients_host() {
    let server = Server::demo_with(&["--public-url", "https://notices.example.org/"]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut answer = agent
        .get(format!("{}/notices/v1/red", server.url))
        .header("Host", "evil.example:443")
        .call()
        .unwrap();
    let body: Value = serde_json::from_slice(&answer.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(
        body["_links"]["self"]["href"],
        "https://notices.example.org/notices/v1/red?&resultPerPage=20&page=1"
    );
}
