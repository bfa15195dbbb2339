//! The HTTP API against a real hub process: checks, writes, restrictions, hits, bad input.

use serde_json::{Value, json};

use crate::support::{Client, Server};

fn document(number: &str) -> Value {
    json!({"number": number, "issuing_country": "FRA", "type": "P", "status": "stolen", "reported_date": "2025-06-01"})
}

#[test]
fn demo_examples_hit_exactly_and_possibly() {
    let server = Server::demo();
    let examples = server.credentials()["examples"].clone();
    let client = server.client("DEU");
    let exact = &examples["document_hit"];
    let answer = client.get(&format!(
        "/api/v1/checks/documents?number={}&country={}",
        exact["number"].as_str().unwrap(),
        exact["issuing_country"].as_str().unwrap()
    ));
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["hit"], true);
    assert_eq!(answer.body["match"], "exact");
    let m = &answer.body["matches"][0];
    assert_eq!(m["owner"], exact["owner"]);
    for field in [
        "record_id",
        "status",
        "type",
        "reported_date",
        "review_date",
    ] {
        assert!(!m[field].is_null(), "match shows {field}");
    }
    assert!(
        m.get("holder_name").is_none(),
        "a check does not disclose the holder"
    );

    let possible = &examples["document_possible_hit"];
    let answer = client.post(
        "/api/v1/checks/documents",
        &json!({"documents": [
            {"number": possible["number"], "issuing_country": possible["issuing_country"]},
            {"number": "ZZ0000000", "issuing_country": "FRA"},
        ]}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let results = answer.body["results"].as_array().unwrap();
    assert_eq!(
        (results[0]["hit"].clone(), results[0]["match"].clone()),
        (json!(true), json!("possible"))
    );
    assert_eq!(
        (results[1]["hit"].clone(), results[1]["match"].clone()),
        (json!(false), Value::Null)
    );

    let vehicle = &examples["vehicle_hit"];
    let answer = client.get(&format!(
        "/api/v1/checks/vehicles?vin={}",
        vehicle["vin"].as_str().unwrap()
    ));
    assert_eq!(answer.body["match"], "exact", "{}", answer.text);
    // Officers type O for 0 in VINs; a VIN has no O, so it is read as 0: still exact.
    let typed = vehicle["vin"].as_str().unwrap().replace('0', "O");
    assert_eq!(
        client
            .get(&format!("/api/v1/checks/vehicles?vin={typed}"))
            .body["match"],
        "exact"
    );
}

#[test]
fn restricted_records_are_invisible_to_excluded_bureaus() {
    let server = Server::demo();
    let example = server.credentials()["examples"]["document_restricted"].clone();
    let hidden_from = example["hidden_from"].as_str().unwrap();
    let path = format!(
        "/api/v1/checks/documents?number={}&country={}",
        example["number"].as_str().unwrap(),
        example["issuing_country"].as_str().unwrap()
    );
    let seen = server.client(example["owner"].as_str().unwrap()).get(&path);
    assert_eq!(seen.body["hit"], true, "{}", seen.text);
    let id = seen.body["matches"][0]["record_id"].as_i64().unwrap();
    let hidden = server.client(hidden_from).get(&path);
    assert_eq!(hidden.body["hit"], false, "{}", hidden.text);
    // Reading it by id: 404, exactly as for an id that does not exist.
    let by_id = server
        .client(hidden_from)
        .get(&format!("/api/v1/documents/{id}"));
    let missing = server.client(hidden_from).get("/api/v1/documents/99999999");
    by_id.problem(404);
    assert_eq!(by_id.body, missing.body);
}

#[test]
fn writes_are_checkable_at_once_and_updates_move_the_index() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let deu = server.client("DEU");
    let created = fra.post(
        "/api/v1/documents",
        &json!({"number": "xk-100 200", "issuing_country": "fra", "type": "passport", "status": "Stolen",
                "reported_date": "2025-06-01", "holder_name": "Marie Curie", "external_ref": "case-42"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["number_normalised"], "XK100200");
    assert_eq!(created.body["owner"], "FRA");
    assert_eq!(created.body["review_date"], "2030-06-01");
    let check = |client: &crate::support::Client, number: &str| {
        client
            .get(&format!(
                "/api/v1/checks/documents?number={number}&country=FRA"
            ))
            .body["match"]
            .clone()
    };
    assert_eq!(check(&deu, "XK100200"), "exact");

    // The same external reference updates the record instead of adding one.
    let again = fra.post(
        "/api/v1/documents",
        &json!({"number": "XK100201", "issuing_country": "FRA", "type": "P",
        "status": "lost", "reported_date": "2025-06-01", "external_ref": "case-42"}),
    );
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["id"], id);
    assert_eq!(check(&deu, "XK100200"), Value::Null);
    assert_eq!(check(&deu, "XK100201"), "exact");

    // Another bureau may see the record but not change it.
    deu.put(&format!("/api/v1/documents/{id}"), &document("XK100202"))
        .problem(403);
    deu.delete(&format!("/api/v1/documents/{id}")).problem(403);
    let updated = fra.put(&format!("/api/v1/documents/{id}"), &document("XK100202"));
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(check(&deu, "XK100201"), Value::Null);
    assert_eq!(check(&deu, "XK100202"), "exact");

    assert_eq!(fra.delete(&format!("/api/v1/documents/{id}")).status, 204);
    assert_eq!(check(&deu, "XK100202"), Value::Null);
    fra.delete(&format!("/api/v1/documents/{id}")).problem(404);
    // The owner still reads its withdrawn record; others no longer do.
    assert!(!fra.get(&format!("/api/v1/documents/{id}")).body["withdrawn_at"].is_null());
    deu.get(&format!("/api/v1/documents/{id}")).problem(404);
}

#[test]
fn a_batch_with_one_invalid_record_writes_nothing() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let batch = json!({"documents": [document("BATCH001"), document("BATCH002"), document("")]});
    let answer = fra.post("/api/v1/documents/batch", &batch);
    assert_eq!(answer.problem(422), ["documents[2].number"]);
    let check = fra.get("/api/v1/checks/documents?number=BATCH001&country=FRA");
    assert_eq!(check.body["hit"], false, "no partial write");
    let good = json!({"documents": [document("BATCH001"), document("BATCH002")]});
    let answer = fra.post("/api/v1/documents/batch", &good);
    assert_eq!(
        (answer.status, answer.body["inserted"].clone()),
        (200, json!(2)),
        "{}",
        answer.text
    );
    assert_eq!(
        fra.get("/api/v1/checks/documents?number=BATCH002&country=FRA")
            .body["match"],
        "exact"
    );
}

#[test]
fn hits_are_recorded_for_the_owner_and_the_checker_only() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let created = fra.post("/api/v1/documents", &document("HIT12345"));
    assert_eq!(created.status, 201, "{}", created.text);
    let deu = server.client("DEU");
    deu.get("/api/v1/checks/documents?number=HIT12345&country=FRA");
    deu.post(
        "/api/v1/checks/documents",
        &json!({"documents": [{"number": "HlT12345", "issuing_country": "FRA"}]}),
    );
    let hits = fra.get("/api/v1/hits");
    assert_eq!(hits.status, 200, "{}", hits.text);
    let hits = hits.body["hits"].as_array().unwrap().clone();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["match"], "possible");
    assert_eq!(hits[1]["match"], "exact");
    assert_eq!(hits[1]["checking_org"], "DEU");
    assert_eq!(hits[1]["record_id"], created.body["id"]);
    assert_eq!(hits[1]["query"]["number"], "HIT12345");
    assert_eq!(hits[1]["state"], "open");
    assert_eq!(hits[1]["to_answer"], true);
    // The checking bureau follows its hits; a third bureau sees none of them.
    let followed = deu.get("/api/v1/hits").body["hits"].clone();
    assert_eq!(followed.as_array().unwrap().len(), 2);
    assert_eq!(followed[0]["to_answer"], false);
    assert_eq!(
        server.client("ITA").get("/api/v1/hits").body["hits"],
        json!([])
    );
    let page = fra.get("/api/v1/hits?limit=1");
    assert_eq!(page.body["hits"].as_array().unwrap().len(), 1);
    let next = fra.get(&format!(
        "/api/v1/hits?limit=1&before={}",
        page.body["next_before"]
    ));
    assert_eq!(next.body["hits"][0]["match"], "exact");
    fra.get("/api/v1/hits?limit=0").problem(422);
    fra.get("/api/v1/hits?limit=ten").problem(422);
}

#[test]
fn vehicles_are_written_checked_and_withdrawn() {
    let server = Server::demo();
    let ita = server.client("ITA");
    let created = ita.post("/api/v1/vehicles", &json!({"vin": "1M8GDM9AXKP042788", "plate": "ab 123 cd",
        "plate_country": "ITA", "make": "Fiat", "year": 2019, "status": "stolen", "reported_date": "2025-01-02"}));
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    let pol = server.client("POL");
    let by_plate = pol.get("/api/v1/checks/vehicles?plate=AB123CD&country=ITA");
    assert_eq!(
        by_plate.body["matches"][0]["matched_on"], "plate",
        "{}",
        by_plate.text
    );
    let both = pol.post("/api/v1/checks/vehicles", &json!({"vehicles": [{"vin": "1M8GDM9AXKP042788", "plate": "AB123CD", "plate_country": "ITA"}]}));
    assert_eq!(
        both.body["results"][0]["matches"].as_array().unwrap().len(),
        1,
        "one record, even when both keys match"
    );
    assert_eq!(
        pol.get("/api/v1/checks/vehicles?plate=AB123CD&country=FRA")
            .body["hit"],
        false
    );
    assert_eq!(ita.delete(&format!("/api/v1/vehicles/{id}")).status, 204);
    assert_eq!(
        pol.get("/api/v1/checks/vehicles?vin=1M8GDM9AXKP042788")
            .body["hit"],
        false
    );
}

#[test]
fn bad_input_gets_a_problem_with_the_field_path() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"documents": [{"number": "AB1", "issuing_country": "ZZZ"}]}),
            vec!["documents[0].issuing_country"],
        ),
        (
            json!({"documents": [{"number": "", "issuing_country": "FRA"}]}),
            vec!["documents[0].number"],
        ),
        (
            json!({"documents": [{"number": "A".repeat(65), "issuing_country": "FRA"}]}),
            vec!["documents[0].number"],
        ),
        (
            json!({"documents": [{"number": "AB\u{0007}1", "issuing_country": "FRA"}]}),
            vec!["documents[0].number"],
        ),
        (
            json!({"documents": [{"number": "AB1", "issuing_country": "FRA", "type": "scroll"}]}),
            vec!["documents[0].type"],
        ),
        (
            json!({"documents": [{"number": "AB1", "issuing_country": "FRA", "colour": "red"}]}),
            vec!["documents[0].colour"],
        ),
        (
            json!({"documents": [{"number": 12, "issuing_country": "FRA"}]}),
            vec!["documents[0].number"],
        ),
        (json!({"documents": []}), vec!["documents"]),
        (json!({"documents": [], "extra": 1}), vec!["extra"]),
    ];
    for (body, fields) in cases {
        let answer = fra.post("/api/v1/checks/documents", &body);
        let found = answer.problem(422);
        assert_eq!(found, fields, "{body}: {}", answer.text);
    }
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"number": format!("N{i}"), "issuing_country": "FRA"}))
        .collect();
    assert_eq!(
        fra.post("/api/v1/checks/documents", &json!({"documents": too_many}))
            .problem(422),
        ["documents"]
    );

    let answer = fra.post("/api/v1/documents", &json!({"number": "AB1", "issuing_country": "FRA", "type": "P",
        "status": "stolen", "reported_date": "1980-02-30", "holder_birth_date": "2999-01-01", "restriction": "only"}));
    assert_eq!(
        answer.problem(422),
        [
            "holder_birth_date",
            "reported_date",
            "restriction_countries"
        ]
    );
    let answer = fra.post(
        "/api/v1/vehicles",
        &json!({"vin": "1M8GDM9A1KP042788", "status": "stolen", "reported_date": "2025-01-01"}),
    );
    assert_eq!(answer.problem(422), ["vin"]);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("check digit")
    );
    let answer = fra.post(
        "/api/v1/documents",
        &json!({"number": "AB1", "issuing_country": "FRA", "type": "P",
        "status": "stolen", "reported_date": "2025-01-01", "owner": "DEU"}),
    );
    // Writing another bureau's record is a refusal, not a mistake in the input.
    answer.problem(403);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("owner: FRA writes only")
    );

    // Malformed JSON is 400 with its position; the wrong media type 415; too large 413.
    let answer = fra.send(
        "POST",
        "/api/v1/checks/documents",
        "application/json",
        b"{\"documents\": [".to_vec(),
    );
    answer.problem(400);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("line 1 column"),
        "{}",
        answer.text
    );
    fra.send(
        "POST",
        "/api/v1/checks/documents",
        "text/plain",
        b"{}".to_vec(),
    )
    .problem(415);
    let huge = format!(
        "{{\"documents\": [{}]}}",
        vec!["{\"number\":\"AB1\",\"issuing_country\":\"FRA\"}"; 60_000].join(",")
    );
    fra.expect_too_large("/api/v1/checks/documents", huge.into_bytes());
    fra.get("/api/v1/checks/documents?number=AB1&country=FRA&colour=red")
        .problem(422);
    fra.get("/api/v1/documents/not-a-number").problem(404);
    fra.get("/api/v1/nowhere").problem(404);
    fra.delete("/api/v1/checks/documents").problem(405);
}

#[test]
fn keys_are_required_except_for_health_and_the_description_and_metrics_are_apart() {
    let metrics_port = crate::support::free_port();
    let dir = tempfile::tempdir().unwrap();
    let metrics_listen = format!("127.0.0.1:{metrics_port}");
    let server = Server::start(
        &dir.path().join("data"),
        &[
            "--demo",
            "--demo-documents",
            "2000",
            "--demo-vehicles",
            "200",
            "--metrics-listen",
            &metrics_listen,
        ],
    );
    let anonymous = server.anonymous();
    anonymous
        .get("/api/v1/checks/documents?number=AB1&country=FRA")
        .problem(401);
    anonymous
        .with_key("plm_wrong")
        .get("/api/v1/hits")
        .problem(401);
    anonymous
        .with_key("not even a key")
        .get("/api/v1/documents/1")
        .problem(401);
    let health = anonymous.get("/healthz");
    assert_eq!(
        (health.status, health.body["status"].clone()),
        (200, json!("ok"))
    );

    let openapi = anonymous.get("/api/v1/openapi.json");
    assert_eq!(openapi.status, 200);
    assert!(openapi.body["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/checks/documents",
        "/api/v1/checks/vehicles",
        "/api/v1/documents",
        "/api/v1/documents/{id}",
        "/api/v1/hits",
    ] {
        assert!(
            openapi.body["paths"].get(path).is_some(),
            "openapi lists {path}"
        );
    }
    for field in [
        "record_id",
        "matched_on",
        "restriction_countries",
        "issuing_country",
    ] {
        assert!(
            openapi.text.contains(&format!("\"{field}\"")),
            "openapi describes {field}"
        );
    }

    server
        .client("FRA")
        .get("/api/v1/checks/documents?number=AB1&country=FRA");
    // Metrics count records hidden from all but their owners: never on the API's address.
    anonymous.get("/metrics").problem(404);
    let metrics = Client {
        base: format!("http://{metrics_listen}"),
        key: None,
    }
    .get("/metrics");
    assert_eq!(metrics.status, 200);
    for needle in [
        "palermo_http_requests_total{method=\"GET\",route=\"/api/v1/checks/documents\",status=\"200\"} 1",
        "palermo_http_request_duration_seconds_bucket",
        "palermo_index_records{index=\"documents\"} 2000",
        "palermo_checks_total{index=\"documents\"} 1",
    ] {
        assert!(
            metrics.text.contains(needle),
            "metrics lack {needle}:\n{}",
            metrics.text
        );
    }
}
