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
