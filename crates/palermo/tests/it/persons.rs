//! Persons and screening end to end: records through the API and a JSONL import, screening by
//! the API and the CLI, across scripts and spellings, with explanations and hits.

use serde_json::{Value, json};

use crate::support::{Server, palermo};

fn person(id: &str, names: Value, birth: &str, nationality: &str, sex: &str) -> Value {
    json!({"id": id, "names": names, "birth_date": birth, "nationality": nationality,
        "sex": sex, "reported_date": "2026-01-10"})
}

fn screen(client: &crate::support::Client, query: &str) -> Value {
    let answer = client.get(&format!("/api/v1/checks/persons?{query}"));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// The same person romanised by another system is found and the systems are named; a typing
/// error on top, a name written without its spaces too; namesakes born elsewhen and other
/// names of the same romanisation stay no hit.
#[test]
fn persons_are_found_across_romanisation_systems() {
    let server = Server::demo();
    let fra = server.client("FRA");
    for body in [
        person(
            "rom-zh",
            json!([{"full": "Zhang Weiguo"}]),
            "1971-03-02",
            "CHN",
            "M",
        ),
        person(
            "rom-ko",
            json!([{"full": "Bak Jiseong"}]),
            "1981-02-25",
            "KOR",
            "M",
        ),
        person(
            "rom-ja",
            json!([{"full": "Sato Shota"}]),
            "1990-07-14",
            "JPN",
            "M",
        ),
        person(
            "rom-th",
            json!([{"full": "Chaiyaphon Wongsawat"}]),
            "1966-11-30",
            "THA",
            "M",
        ),
        person(
            "rom-ar",
            json!([{"full": "Yusuf Hussein Mansour"}]),
            "1979-05-05",
            "JOR",
            "M",
        ),
        person(
            "rom-es",
            json!([{"full": "Marianne Vidal"}]),
            "1985-01-20",
            "FRA",
            "F",
        ),
    ] {
        let created = fra.post("/api/v1/persons", &body);
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let deu = server.client("DEU");
    for (query, expected, systems) in [
        (
            "name=Chang%20Wei-kuo&birth_date=1971-03-02",
            "rom-zh",
            Some("wade-giles"),
        ),
        (
            "name=Park%20Ji-sung&birth_date=1981-02-25",
            "rom-ko",
            Some("korean popular"),
        ),
        (
            "name=Satou%20Syouta&birth_date=1990-07-14",
            "rom-ja",
            Some("kunrei-shiki"),
        ),
        (
            "name=Chaiyaporn%20Vongsavat&birth_date=1966-11-30",
            "rom-th",
            None,
        ),
        (
            "name=ywsf%20Hsyn%20mnSwr&birth_date=1979-05-05",
            "rom-ar",
            None,
        ),
        (
            "name=Mqrianne%20Cidal&birth_date=1985-01-20",
            "rom-es",
            None,
        ),
        ("name=ZhangWeiguo&birth_date=1971-03-02", "rom-zh", None),
    ] {
        let result = screen(&deu, query);
        assert_eq!(result["hit"], true, "{query}: {result}");
        let best = &result["candidates"][0];
        assert_eq!(best["id"], expected, "{query}: {result}");
        if let Some(systems) = systems {
            let named = best["explanation"]["name_parts"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["how"] == "romanisation")
                .filter_map(|p| p["romanisation"].as_str())
                .any(|s| s.contains(systems));
            assert!(named, "{query}: no {systems} in {best}");
        }
    }
    for query in [
        // The same name, born twenty years later.
        "name=Chang%20Wei-kuo&birth_date=1991-03-02",
        // Another name of the same romanisation.
        "name=Chang%20Wei-ming&birth_date=1971-03-02",
        "name=Kim%20Ji-sung&birth_date=1981-02-25",
        "name=Sato%20Yuki&birth_date=1990-07-14",
    ] {
        let result = screen(&deu, query);
        assert_eq!(result["hit"], false, "{query}: {result}");
    }
}

#[test]
fn persons_are_screened_across_scripts_and_spellings() {
    let server = Server::demo();
    let fra = server.client("FRA");
    for body in [
        person(
            "fra-p-1",
            json!([{"full": "Александр Щербаков", "script": "Cyrl"}]),
            "1980-04-12",
            "RUS",
            "M",
        ),
        person(
            "fra-p-2",
            json!([{"full": "张伟", "script": "Hani"}, {"full": "Zhang Wei"}]),
            "1975",
            "CHN",
            "M",
        ),
        person(
            "fra-p-3",
            json!([{"given": "Muhammad", "family": "al-Hassan bin Ali"}]),
            "1969-07",
            "IRQ",
            "M",
        ),
    ] {
        let created = fra.post("/api/v1/persons", &body);
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let mut hidden = person(
        "fra-p-4",
        json!([{"full": "Ivan Petrov"}]),
        "1990-01-01",
        "RUS",
        "M",
    );
    hidden["restriction"] = json!("except");
    hidden["restriction_countries"] = json!(["ITA"]);
    assert_eq!(fra.post("/api/v1/persons", &hidden).status, 201);

    let deu = server.client("DEU");
    for (query, expected) in [
        (
            "name=Alexander%20Scherbakow&birth_date=1980-04-12",
            "fra-p-1",
        ),
        ("name=ALEKSANDR%20SHCHERBAKOV&birth_date=1980-04", "fra-p-1"),
        (
            "name=Aleksandr%20%C5%A0%C4%8Derbakov&birth_date=1980-04-12",
            "fra-p-1",
        ),
        ("name=WEI%20ZHANG&birth_date=1975-03-02", "fra-p-2"),
        (
            "name=Mohamed%20Al%20Hassan%20Bin%20Ali&nationality=IRQ",
            "fra-p-3",
        ),
    ] {
        let result = screen(&deu, query);
        assert_eq!(result["hit"], true, "{query}: {result}");
        assert_eq!(result["candidates"][0]["id"], expected, "{query}");
        assert!(
            !result["candidates"][0]["explanation"]["name_parts"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
    // Day and month swapped: still found, and said so.
    let swapped = screen(&deu, "name=Aleksandr%20Shcherbakov&birth_date=1980-12-04");
    assert_eq!(
        swapped["candidates"][0]["explanation"]["birth_date"],
        "day-month-swapped"
    );
    // The same name with a clearly different birth date is no hit.
    let other = screen(&deu, "name=Aleksandr%20Shcherbakov&birth_date=1950-01-01");
    assert_eq!(other["hit"], false, "{other}");
    // A restricted person is invisible to the excluded bureau.
    assert_eq!(screen(&deu, "name=Ivan%20Petrov")["hit"], true);
    let ita = server.client("ITA");
    assert_eq!(screen(&ita, "name=Ivan%20Petrov")["candidates"], json!([]));

    // Photos: JPEG or PNG told by their bytes, size-limited, kept with their checksum.
    let png: Vec<u8> = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]
        .into_iter()
        .chain((0..5000u32).map(|i| (i % 251) as u8))
        .collect();
    let created = fra.send("POST", "/api/v1/persons/4/photos", "image/png", png.clone());
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["content_type"], "image/png");
    let listed = deu.get("/api/v1/persons/4/photos");
    assert_eq!(
        listed.body["photos"][0]["size"],
        png.len(),
        "{}",
        listed.text
    );
    let photo_path = format!("/api/v1/persons/4/photos/{}", created.body["id"]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut image = agent
        .get(format!("{}{photo_path}", server.url))
        .header("Authorization", format!("Bearer {}", server.key("DEU")))
        .call()
        .unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    let bytes = image.body_mut().read_to_vec().unwrap();
    assert_eq!(bytes, png);
    ita.get(&photo_path).problem(404);
    ita.get("/api/v1/persons/4/photos").problem(404);
    let fields = fra
        .send(
            "POST",
            "/api/v1/persons/4/photos",
            "image/png",
            b"GIF89a not a png".to_vec(),
        )
        .problem(422);
    assert_eq!(fields, ["photo"]);
    let mut huge = png.clone();
    huge.resize(2 * 1024 * 1024 + 1, 0);
    fra.send("POST", "/api/v1/persons/4/photos", "image/png", huge)
        .problem(422);
    deu.send("POST", "/api/v1/persons/4/photos", "image/png", png.clone())
        .problem(403);

    // A person's identity documents link to the travel-documents database.
    let passport = fra.post(
        "/api/v1/documents",
        &json!({"number": "LINK12345", "issuing_country": "FRA", "type": "P",
            "status": "stolen", "reported_date": "2026-01-10"}),
    );
    assert_eq!(passport.status, 201, "{}", passport.text);
    let mut holder = person(
        "fra-p-5",
        json!([{"full": "Jeanne Martin"}]),
        "1970",
        "FRA",
        "F",
    );
    holder["documents"] = json!([{"number": "link-12345", "issuing_country": "FRA", "type": "P"}]);
    let linked = fra.post("/api/v1/persons", &holder);
    assert_eq!(linked.status, 201, "{}", linked.text);
    assert_eq!(
        linked.body["documents"][0]["record_ids"],
        json!([passport.body["id"]])
    );
    holder["documents"] = json!([{"number": "", "issuing_country": "XYZ"}]);
    holder["id"] = json!("fra-p-6");
    let fields = fra.post("/api/v1/persons", &holder).problem(422);
    assert_eq!(
        fields,
        ["documents[0].number", "documents[0].issuing_country"]
    );

    // A document check that reads the holder's name finds the person too.
    let document = deu.post(
        "/api/v1/checks/documents",
        &json!({"documents": [{"number": "ZZ0000001", "issuing_country": "RUS",
            "holder_name": "PETROV IVAN", "holder_birth_date": "1990-01-01"}]}),
    );
    assert_eq!(document.status, 200, "{}", document.text);
    let result = &document.body["results"][0];
    assert_eq!(result["hit"], false, "no such document");
    assert_eq!(result["persons"][0]["id"], "fra-p-4", "{result}");
    let unseen = ita.post(
        "/api/v1/checks/documents",
        &json!({"documents": [{"number": "ZZ0000001", "issuing_country": "RUS",
            "holder_name": "PETROV IVAN", "holder_birth_date": "1990-01-01"}]}),
    );
    assert!(
        unseen.body["results"][0].get("persons").is_none(),
        "{}",
        unseen.text
    );
    let fields = deu
        .post(
            "/api/v1/checks/documents",
            &json!({"documents": [{"number": "ZZ1", "issuing_country": "RUS",
                "holder_name": "\u{7}", "holder_birth_date": "1990-02-30"}]}),
        )
        .problem(422);
    assert_eq!(
        fields,
        ["documents[0].holder_name", "documents[0].holder_birth_date"]
    );

    // Bad input: each field named.
    let fields = deu
        .get("/api/v1/checks/persons?name=%20%20&birth_date=1980-02-30&nationality=XYZ&sex=Q")
        .problem(422);
    for field in ["name", "birth_date", "nationality", "sex"] {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
    let fields = fra
        .post(
            "/api/v1/persons",
            &json!({"names": [{"full": "\u{7}"}], "birth_date": "1980-13",
                "reported_date": "2026-01-10"}),
        )
        .problem(422);
    assert_eq!(fields, ["names[0].full", "birth_date"]);

    // Hits on persons reach their owner like every hit.
    let hits = fra.get("/api/v1/hits?limit=100");
    assert!(
        hits.body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["record_kind"] == "person" && h["checking_org"] == "DEU"),
        "{}",
        hits.text
    );
}

#[test]
fn persons_import_from_jsonl_and_screen_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let added = palermo()
        .args(["admin", "add-bureau", "DEU", "NCB Wiesbaden", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let file = dir.path().join("persons.jsonl");
    let good = [
        person(
            "p1",
            json!([{"full": "Ольга Барынова"}]),
            "1985-06-01",
            "RUS",
            "F",
        ),
        person(
            "p2",
            json!([{"full": "Giorgos Papadopoulos"}]),
            "1970",
            "GRC",
            "M",
        ),
    ];
    let mut lines: Vec<String> = good.iter().map(Value::to_string).collect();
    lines.push(r#"{"id":"p3","names":[],"reported_date":"2026-01-10"}"#.to_owned());
    std::fs::write(&file, lines.join("\n")).unwrap();
    let refused = palermo()
        .args(["import", "persons"])
        .arg(&file)
        .args(["--bureau", "DEU", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("line 3") && message.contains("names"),
        "{message}"
    );

    std::fs::write(&file, lines[..2].join("\n")).unwrap();
    let imported = palermo()
        .args(["import", "persons"])
        .arg(&file)
        .args(["--bureau", "DEU", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let csv = dir.path().join("persons.csv");
    std::fs::write(&csv, "names\nx\n").unwrap();
    let csv_refused = palermo()
        .args(["import", "persons"])
        .arg(&csv)
        .args(["--bureau", "DEU", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!csv_refused.status.success());

    let one = palermo()
        .args([
            "screen",
            "person",
            "--name",
            "Olga Barynova",
            "--birth-date",
            "1985-06-01",
        ])
        .args(["--bureau", "DEU", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(text.starts_with("HIT"), "{text}");

    let queries = dir.path().join("queries.jsonl");
    std::fs::write(
        &queries,
        [
            json!({"qid": "q1", "name": "Georgios Papadopoulos", "birth_date": "1970"}),
            json!({"qid": "q2", "name": "Nobody Atall"}),
        ]
        .map(|q| q.to_string())
        .join("\n"),
    )
    .unwrap();
    let batch = palermo()
        .args(["screen", "persons"])
        .arg(&queries)
        .args(["--bureau", "DEU", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(batch.status.success(), "{batch:?}");
    let results: Vec<Value> = String::from_utf8_lossy(&batch.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["qid"], "q1");
    assert_eq!(results[0]["candidates"][0]["id"], "p2");
    assert_eq!(results[1]["candidates"], json!([]));
}
