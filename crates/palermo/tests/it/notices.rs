//! `palermo notice` on a data directory: a Red notice's life from request to cancellation
//! through the command line, and bad input and refused moves, each with a clear message.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::support::{database_args, palermo};

fn run(data: &Path, args: &[&str]) -> Output {
    palermo()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn a_red_notice_from_request_to_cancellation_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (code, name) in [("FRA", "NCB Paris"), ("DEU", "NCB Wiesbaden")] {
        let added = palermo()
            .args(["admin", "add-bureau", code, name, "--data"])
            .arg(&data)
            .args(database_args(&data))
            .output()
            .unwrap();
        assert!(added.status.success(), "{added:?}");
    }
    let persons = dir.path().join("persons.jsonl");
    let person = json!({"id": "p1", "names": [{"given": "Jean", "family": "Dupont"}],
        "birth_date": "1980-04-12", "sex": "M", "reported_date": "2026-01-05"});
    std::fs::write(&persons, person.to_string()).unwrap();
    ok(palermo()
        .args(["import", "persons"])
        .arg(&persons)
        .args(["--bureau", "FRA", "--data"])
        .arg(&data)
        .output()
        .unwrap());

    // A request missing its judicial data: every missing part named, nothing stored.
    let file = dir.path().join("red.json");
    std::fs::write(
        &file,
        json!({"kind": "red", "person": 1, "warrants": [{}]}).to_string(),
    )
    .unwrap();
    let file_arg = file.to_str().unwrap();
    let refused = run(&data, &["notice", "request", file_arg, "--bureau", "FRA"]);
    assert!(!refused.status.success());
    let message = text(&refused.stderr);
    for path in [
        "warrants[0].kind",
        "warrants[0].charge",
        "warrants[0].reference",
        "warrants[0].date",
        "warrants[0].authority",
        "warrants[0].issuing_country",
    ] {
        assert!(message.contains(path), "{path} in {message}");
    }
    let evaluated = run(&data, &["notice", "evaluate", file_arg, "--bureau", "FRA"]);
    assert!(!evaluated.status.success());
    assert!(
        text(&evaluated.stdout).contains("fail judicial.minimum"),
        "{}",
        text(&evaluated.stdout)
    );
    // Malformed JSON: the line and column.
    std::fs::write(&file, "{\n  \"kind\": \"red\",,\n}").unwrap();
    let malformed = run(&data, &["notice", "request", file_arg, "--bureau", "FRA"]);
    assert!(
        text(&malformed.stderr).contains("line 2"),
        "{}",
        text(&malformed.stderr)
    );

    let request = json!({
        "kind": "red", "person": 1,
        "warrants": [{"kind": "arrest_warrant", "charge": "trafficking in human beings",
            "description": "recruited and moved women for exploitation", "reference": "TJ-1",
            "date": "2026-02-01", "authority": "Tribunal judiciaire de Paris",
            "issuing_country": "FRA", "max_penalty_months": 120}]
    });
    std::fs::write(&file, request.to_string()).unwrap();
    let created = ok(run(
        &data,
        &["notice", "request", file_arg, "--bureau", "FRA"],
    ));
    assert_eq!(created.trim(), "1 red draft");
    ok(run(&data, &["notice", "submit", "1", "--bureau", "FRA"]));
    // The owner does not review its own request.
    let own_review = run(&data, &["notice", "review", "1", "--bureau", "FRA"]);
    assert!(!own_review.status.success());
    assert!(
        text(&own_review.stderr).contains("submitted"),
        "{}",
        text(&own_review.stderr)
    );
    let review = ok(run(&data, &["notice", "review", "1", "--secretariat"]));
    assert!(
        review.contains("in_review") && review.contains("pass seriousness.threshold"),
        "{review}"
    );
    ok(run(&data, &["notice", "publish", "1", "--secretariat"]));

    // Published: DEU sees it, without the checklist; it may not cancel it.
    let seen: Value =
        serde_json::from_str(&ok(run(&data, &["notice", "show", "1", "--bureau", "DEU"]))).unwrap();
    assert_eq!(seen["state"], "published");
    assert!(seen["checklist"].is_null());
    let foreign = run(
        &data,
        &[
            "notice",
            "cancel",
            "1",
            "--bureau",
            "DEU",
            "--reason",
            "not ours at all",
        ],
    );
    assert!(!foreign.status.success());
    // Cancelling needs a reason.
    let bare = run(&data, &["notice", "cancel", "1", "--bureau", "FRA"]);
    assert!(
        text(&bare.stderr).contains("reason"),
        "{}",
        text(&bare.stderr)
    );
    ok(run(
        &data,
        &[
            "notice",
            "cancel",
            "1",
            "--bureau",
            "FRA",
            "--reason",
            "arrested in Lyon on 1 December",
        ],
    ));
    let gone = run(&data, &["notice", "show", "1", "--bureau", "DEU"]);
    assert!(!gone.status.success());

    let history = ok(run(&data, &["notice", "history", "1", "--bureau", "FRA"]));
    let moves: Vec<String> = history
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["transition"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        moves,
        ["create", "submit", "start_review", "publish", "cancel"]
    );
    // Every step is in the audit trail, and the trail verifies.
    ok(palermo()
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .unwrap());
}

/// A person of `bureau`'s with every identifier the rules ask for; returns its id.
fn api_person(bureau: &crate::support::Client, given: &str, family: &str) -> i64 {
    let created = bureau.post(
        "/api/v1/persons",
        &json!({"names": [{"given": given, "family": family}], "sex": "M",
            "birth_date": "1979-03-08", "category": "wanted", "reported_date": "2026-01-05"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_i64().unwrap()
}

fn red_request(person: i64) -> Value {
    json!({"kind": "red", "person": person, "summary": "Wanted for trafficking in human beings",
        "warrants": [{"kind": "arrest_warrant", "charge": "trafficking in human beings",
            "description": "Recruited and exploited nine women in Lyon, 2023 to 2025.",
            "reference": "TJ-LYON-2025-114", "date": "2025-11-02",
            "authority": "Tribunal judiciaire de Lyon", "issuing_country": "FRA",
            "max_penalty_months": 120}],
        "documents": [{"number": "18FR44120", "issuing_country": "FRA"}]})
}

#[test]
fn a_red_notice_over_the_api_from_request_to_publication_and_cancellation() {
    let server = crate::support::Server::demo();
    let fra = server.client("FRA");
    let deu = server.client("DEU");
    let reviewer = server.session("sg.reviewer");
    let person = api_person(&fra, "Marc", "Lefebvre");

    // A request missing what its kind requires: every missing part, each with its path.
    let refused = fra.post(
        "/api/v1/notices",
        &json!({"kind": "red", "person": person, "warrants": [{"kind": "arrest_warrant"}]}),
    );
    let fields = refused.problem(422);
    for path in [
        "warrants[0].charge",
        "warrants[0].description",
        "warrants[0].reference",
        "warrants[0].date",
        "warrants[0].authority",
        "warrants[0].issuing_country",
        "warrants[0].max_penalty_months",
    ] {
        assert!(fields.iter().any(|f| f == path), "{path} in {fields:?}");
    }
    // The dry run says the same and the rules' verdicts, and stores nothing.
    let dry = fra.post(
        "/api/v1/notices/evaluate",
        &json!({"kind": "red", "person": person, "warrants": [{"kind": "arrest_warrant"}]}),
    );
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["valid"], false);
    assert!(
        dry.body["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .any(|rule| rule["rule"] == "judicial.minimum" && rule["verdict"] == "fail")
    );
    assert_eq!(fra.get("/api/v1/notices").body["notices"], json!([]));
    // A notice is not a diffusion, nor the reverse.
    let wrong = fra.post("/api/v1/diffusions", &red_request(person));
    assert_eq!(wrong.problem(422), ["kind"]);
    // Another bureau's person is not the caller's to ask about.
    let theirs = api_person(&deu, "Karl", "Weber");
    assert_eq!(
        fra.post("/api/v1/notices", &red_request(theirs))
            .problem(422),
        ["person"]
    );

    let created = fra.post("/api/v1/notices", &red_request(person));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["state"], "draft");
    let id = created.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/notices/{id}");
    let moves = format!("{path}/transitions");
    // A draft is its owner's only.
    deu.get(&path).problem(404);
    fra.post(&moves, &json!({"transition": "submit"}));
    // The owner does not publish its own request; the answer names the state.
    let early = fra.post(&moves, &json!({"transition": "publish"}));
    early.problem(409);
    assert_eq!(early.body["current_state"], "submitted", "{}", early.text);
    // Nor does another bureau move it.
    deu.post(
        &moves,
        &json!({"transition": "cancel", "reason": "not theirs to cancel"}),
    )
    .problem(404);

    let started = reviewer.post(&moves, &json!({"transition": "start_review"}));
    assert_eq!(started.body["state"], "in_review", "{}", started.text);
    let published = reviewer.post(&moves, &json!({"transition": "publish"}));
    assert_eq!(published.body["state"], "published", "{}", published.text);
    assert_eq!(published.body["hits"], true);

    // Published, every bureau sees it, and only the owner and the secretariat its history.
    let seen = deu.get(&path);
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(
        seen.body["checklist"],
        Value::Null,
        "the rules are for the owner and the secretariat"
    );
    let listed = deu.get("/api/v1/notices?kind=red&state=published");
    assert_eq!(listed.body["notices"][0]["id"], id, "{}", listed.text);
    assert_eq!(deu.get("/api/v1/diffusions").body["diffusions"], json!([]));
    deu.get(&format!("{path}/history")).problem(403);
    let history = fra.get(&format!("{path}/history"));
    let transitions: Vec<&str> = history.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["transition"].as_str().unwrap())
        .collect();
    assert_eq!(transitions, ["create", "submit", "start_review", "publish"]);
    assert_eq!(
        deu.get("/api/v1/notices?state=flying").problem(422),
        ["state"]
    );
    // A border check of the document the notice names finds it, with what to do.
    let check = "/api/v1/checks/documents?number=18FR44120&country=FRA";
    let checked = deu.get(check);
    assert_eq!(checked.body["hit"], true, "{}", checked.text);
    let notice = &checked.body["notices"][0];
    assert_eq!(notice["notice_id"], id);
    assert_eq!(notice["kind"], "red");
    assert_eq!(notice["owner"], "FRA");
    assert!(
        notice["action"].as_str().unwrap().contains("arrest"),
        "{notice}"
    );

    // A cancellation says why; then the notice is gone for every other bureau.
    assert_eq!(
        fra.post(&moves, &json!({"transition": "cancel"}))
            .problem(422),
        ["reason"]
    );
    let cancelled = fra.post(
        &moves,
        &json!({"transition": "cancel", "reason": "arrested in Lyon on 3 March"}),
    );
    assert_eq!(cancelled.body["state"], "cancelled", "{}", cancelled.text);
    deu.get(&path).problem(404);
    let after = deu.get(check);
    assert_eq!(after.body["hit"], false, "{}", after.text);
    assert_eq!(after.body["notices"], json!([]));
    assert_eq!(
        fra.post(&moves, &json!({"transition": "resume"})).body["current_state"],
        "cancelled"
    );
}

#[test]
fn a_diffusion_reaches_its_recipients_only() {
    let server = crate::support::Server::demo();
    let fra = server.client("FRA");
    let deu = server.client("DEU");
    let ita = server.client("ITA");
    let person = api_person(&fra, "Luc", "Moreau");
    let mut request = red_request(person);
    request["kind"] = json!("wanted");
    request["recipients"] = json!(["DEU"]);
    let sent = fra.post("/api/v1/diffusions", &request);
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(sent.body["state"], "sent");
    let id = sent.body["id"].as_i64().unwrap();
    let listed = deu.get("/api/v1/diffusions");
    assert_eq!(listed.body["diffusions"][0]["id"], id, "{}", listed.text);
    assert_eq!(deu.get("/api/v1/notices").body["notices"], json!([]));
    ita.get(&format!("/api/v1/diffusions/{id}")).problem(404);
    assert_eq!(ita.get("/api/v1/diffusions").body["diffusions"], json!([]));
    // A diffusion names its recipients; a notice does not.
    request["recipients"] = json!([]);
    assert!(
        fra.post("/api/v1/diffusions", &request)
            .problem(422)
            .contains(&"recipients".to_owned())
    );
}

#[test]
fn the_command_line_moves_notices_on_a_running_hub_with_the_key_saying_who_acts() {
    let server = crate::support::Server::demo();
    let fra = server.client("FRA");
    let person = api_person(&fra, "Anne", "Rousseau");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("red.json");
    std::fs::write(&file, red_request(person).to_string()).unwrap();
    let file_arg = file.to_str().unwrap();
    let fra_key = server.key("FRA");
    let reviewer = server.session("sg.reviewer").key.unwrap();
    let hub = |key: &str, args: &[&str]| {
        let mut command = palermo();
        command
            .args(["notice"])
            .args(args)
            .args(["--hub", &server.url, "--key", key]);
        command.output().unwrap()
    };
    let created = ok(hub(&fra_key, &["request", file_arg]));
    let id = created.split_whitespace().next().unwrap().to_owned();
    assert!(created.ends_with("red draft\n"), "{created}");
    ok(hub(&fra_key, &["submit", &id]));
    // The owner's key may not publish: the hub's answer, with the state, reaches the shell.
    let refused = hub(&fra_key, &["publish", &id]);
    assert!(!refused.status.success());
    let message = text(&refused.stderr);
    assert!(
        message.contains("409") && message.contains("submitted"),
        "{message}"
    );
    let review = ok(hub(&reviewer, &["review", &id]));
    assert!(
        review.contains("in_review") && review.contains("pass identifiers.minimum"),
        "{review}"
    );
    assert!(ok(hub(&reviewer, &["publish", &id])).contains("published"));
    let listed = ok(hub(&server.key("DEU"), &["list", "--kind", "red"]));
    assert!(listed.contains(&format!("\"id\":{id}")), "{listed}");
    let history = ok(hub(&fra_key, &["history", &id]));
    assert_eq!(history.lines().count(), 4, "{history}");
    // Who acts is the key's to say, never a flag's.
    let mixed = hub(
        &fra_key,
        &[
            "cancel",
            &id,
            "--reason",
            "arrested in Lyon",
            "--bureau",
            "DEU",
        ],
    );
    assert!(!mixed.status.success());
    assert!(text(&mixed.stderr).contains("the key says who acts"));
    assert!(
        ok(hub(
            &fra_key,
            &["cancel", &id, "--reason", "arrested in Lyon on 3 March"]
        ))
        .contains("cancelled")
    );
}
