//! The frontline's inputs on a running hub: machine-readable zones checked in one call, the
//! zone's problems reported with line and column, and `palermo mrz parse` / `palermo check mrz`.

use std::io::Write;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::support::{Server, palermo};

/// ICAO 9303's check digit, written apart from the hub's.
fn digit(data: &str) -> char {
    let sum: u32 = data
        .bytes()
        .zip([7, 3, 1].iter().cycle())
        .map(|(b, w)| {
            w * match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            }
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap()
}

fn fill(text: &str, len: usize) -> String {
    format!("{text:<<len$}")
}

/// A passport's zone (TD3), every check digit right.
pub fn td3(
    state: &str,
    names: &str,
    number: &str,
    birth: &str,
    sex: char,
    expiry: &str,
) -> [String; 2] {
    let line1 = format!("P<{}{}", fill(state, 3), fill(names, 39));
    let number = fill(number, 9);
    let head = format!(
        "{number}{}{}{birth}{}{sex}{expiry}{}{}",
        digit(&number),
        fill(state, 3),
        digit(birth),
        digit(expiry),
        fill("", 14)
    );
    let head = format!("{head}{}", digit(&fill("", 14)));
    let composite = format!("{}{}{}", &head[0..10], &head[13..20], &head[21..43]);
    [line1, format!("{head}{}", digit(&composite))]
}

#[test]
fn a_passport_zone_is_checked_with_its_holder_in_one_call() {
    let server = Server::demo_with(&["--demo-notices", "true"]);
    // France reports the passport of the man under Thailand's Green notice stolen.
    let fra = server.client("FRA");
    let created = fra.post(
        "/api/v1/documents",
        &json!({"number": "AA1234567", "issuing_country": "THA", "type": "passport",
            "status": "stolen", "reported_date": "2026-01-10"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let zone = td3(
        "THA",
        "WONGSAKUL<<SOMCHAI",
        "AA1234567",
        "810214",
        'M',
        "310101",
    );

    let deu = server.client("DEU");
    let answer = deu.post("/api/v1/checks/mrz", &json!({"lines": zone}));
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = &answer.body;
    assert_eq!(body["mrz"]["valid"], true, "{}", answer.text);
    assert_eq!(body["mrz"]["format"], "TD3");
    assert_eq!(body["mrz"]["surname"], "WONGSAKUL");
    assert_eq!(body["mrz"]["birth_date"]["date"], "1981-02-14");
    assert_eq!(body["hit"], true);
    assert_eq!(body["documents"][0]["match"], "exact", "{}", answer.text);
    assert_eq!(body["documents"][0]["matches"][0]["owner"], "FRA");
    let person = &body["persons"][0];
    assert_eq!(person["owner"], "THA", "{}", answer.text);
    let kinds: Vec<&str> = person["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"green"), "{kinds:?}");
    // The owners see the hits: the document's and the person's.
    let hits = fra.get("/api/v1/hits");
    assert!(hits.text.contains("AA1234567"), "{}", hits.text);
    let tha = server.client("THA").get("/api/v1/hits");
    assert!(
        tha.body["hits"].as_array().is_some_and(|h| !h.is_empty()),
        "{}",
        tha.text
    );
    // The check is audited under its own action.
    let audit = server
        .session("sg.auditor")
        .get("/api/v1/audit?action=check.mrz");
    assert!(audit.text.contains("check.mrz"), "{}", audit.text);

    // Read as a reader gives it: one string, lowercase, spaces.
    let pasted = format!("{}\n {} ", zone[0].to_lowercase(), zone[1]);
    let answer = deu.post("/api/v1/checks/mrz", &json!({"lines": [pasted]}));
    assert_eq!(answer.body["mrz"]["valid"], true, "{}", answer.text);
    assert_eq!(answer.body["hit"], true);
}

#[test]
fn a_zone_with_problems_is_checked_as_read_and_every_problem_located() {
    let server = Server::demo();
    let deu = server.client("DEU");
    let [line1, line2] = td3("FRA", "DUPONT<<JEAN", "XK1002003", "800412", 'M', "300101");
    // The document number's check digit is wrong, and an O was read for a 0 in the expiry.
    let mut bad = line2.clone().into_bytes();
    bad[9] = if bad[9] == b'1' { b'2' } else { b'1' };
    bad[22] = b'O';
    let bad = String::from_utf8(bad).unwrap();
    let answer = deu.post("/api/v1/checks/mrz", &json!({"lines": [line1, bad]}));
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["mrz"]["valid"], false);
    let problems: Vec<(i64, i64, String, String)> = answer.body["mrz"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_i64().unwrap(),
                p["column"].as_i64().unwrap(),
                p["field"].as_str().unwrap().to_owned(),
                p["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        problems.contains(&(2, 10, "document_number_check".into(), "check_digit".into())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&(2, 23, "expiry_date".into(), "ocr_confusion".into())),
        "{problems:?}"
    );
    // The document was still checked as read.
    assert_eq!(
        answer.body["documents"].as_array().map(Vec::len),
        Some(1),
        "{}",
        answer.text
    );

    // A zone of no format is refused, naming the line.
    let short = deu.post(
        "/api/v1/checks/mrz",
        &json!({"lines": [line1, &line2[..40]]}),
    );
    assert_eq!(short.problem(422), vec!["lines[1]"]);
    for body in [
        json!({"lines": []}),
        json!({"lines": ["a", "b", "c", "d"]}),
        json!({"lines": [line1, line2], "extra": 1}),
        json!({"lines": ["x".repeat(500), "y"]}),
        json!({"lines": "P<UTO"}),
    ] {
        let answer = deu.post("/api/v1/checks/mrz", &body);
        assert_eq!(answer.status, 422, "{body}: {}", answer.text);
        answer.problem(422);
    }
    // Checking needs the check permission: an auditor may not.
    let auditor = server.session("sg.auditor");
    let refused = auditor.post("/api/v1/checks/mrz", &json!({"lines": [line1, line2]}));
    assert_eq!(refused.status, 403, "{}", refused.text);
    let anonymous = server.anonymous();
    assert_eq!(
        anonymous
            .post("/api/v1/checks/mrz", &json!({"lines": [line1, line2]}))
            .status,
        401
    );
}

#[test]
fn mrz_parse_reads_json_lines_without_a_hub() {
    let [line1, line2] = td3(
        "D",
        "MUSTERMANN<<ERIKA",
        "C01X00T47",
        "640812",
        'F',
        "310131",
    );
    let input = format!(
        "{}\n{}\nnot json\n{}\n",
        json!({"lines": [line1, line2]}),
        json!({"lines": [line1, line2.replace("C01X00T47", "C01X00T48")]}),
        json!({"lines": ["P<D"]}),
    );
    let mut child = palermo()
        .args(["mrz", "parse", "--today", "2026-12-03"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 4);
    assert_eq!(out[0]["valid"], true, "{}", out[0]);
    assert_eq!(out[0]["issuing_state"], "D");
    assert_eq!(out[0]["given_names"], "ERIKA");
    assert_eq!(out[0]["birth_date"]["date"], "1964-08-12");
    assert_eq!(out[1]["valid"], false);
    assert_eq!(out[1]["problems"][0]["field"], "document_number_check");
    assert_eq!(out[2]["input_line"], 3);
    assert_eq!(out[3]["problems"][0]["kind"], "shape");
}

#[test]
fn check_mrz_on_the_command_line() {
    let server = Server::demo();
    let key = server.key("DEU");
    let [line1, line2] = td3("FRA", "DUPONT<<JEAN", "XK1002003", "800412", 'M', "300101");
    let output = palermo()
        .args([
            "check",
            "mrz",
            &line1,
            &line2,
            "--hub",
            &server.url,
            "--key",
            &key,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("TD3 XK1002003 issued by FRA: JEAN DUPONT"),
        "{text}"
    );
    assert!(text.contains("holder: NO HIT"), "{text}");
    // A bad check digit: told, and the exit status says so.
    let other = if line2.as_bytes()[9] == b'9' {
        '8'
    } else {
        '9'
    };
    let bad = format!("{}{other}{}", &line2[..9], &line2[10..]);
    let output = palermo()
        .args([
            "check",
            "mrz",
            &line1,
            &bad,
            "--hub",
            &server.url,
            "--key",
            &key,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("PROBLEM line 2 column 10"), "{text}");
}

/// A PAXLST interchange for flight `flight` into `arrival`, its travellers' segments given,
/// every count and reference right.
pub fn paxlst(flight: &str, arrival: &str, travellers: &[Vec<String>]) -> String {
    let mut body = vec![
        "UNH+M1+PAXLST:D:05B:UN:IATA+API01+01:F".to_owned(),
        "BGM+745".to_owned(),
        "NAD+MS+++CARRIER CONTROL".to_owned(),
        format!("TDT+20+{flight}+++{}", &flight[..2]),
        "LOC+125+CDG".to_owned(),
        "DTM+189:2612031030:201".to_owned(),
        format!("LOC+87+{arrival}"),
        "DTM+232:2612031415:201".to_owned(),
    ];
    for segments in travellers {
        body.extend(segments.iter().cloned());
    }
    body.push(format!("CNT+42:{}", travellers.len()));
    body.push(format!("UNT+{}+M1", body.len() + 1));
    let mut lines = vec![
        "UNA:+.? '".to_owned(),
        "UNB+UNOA:4+AFAPI:ZZ+FRAPIU:ZZ+261203:0930+REF42".to_owned(),
    ];
    lines.extend(body);
    lines.push("UNZ+1+REF42".to_owned());
    let mut text = lines[0].clone();
    text.push('\n');
    for line in &lines[1..] {
        text.push_str(line);
        text.push_str("'\n");
    }
    text
}

pub fn pax(
    family: &str,
    given: &str,
    sex: &str,
    birth: &str,
    nationality: &str,
    document: &str,
) -> Vec<String> {
    vec![
        format!("NAD+FL+++{family}:{given}"),
        format!("ATT+2++{sex}"),
        format!("DTM+329:{birth}"),
        "LOC+178+CDG".into(),
        "LOC+179+BKK".into(),
        format!("NAT+2+{nationality}"),
        format!("DOC+P:110:111+{document}"),
        "DTM+36:310101".into(),
        format!("LOC+91+{nationality}"),
    ]
}

#[test]
fn a_passenger_manifest_is_screened_traveller_by_traveller() {
    let server = Server::demo_with(&["--demo-notices", "true"]);
    let fra = server.client("FRA");
    for number in ["FR5550001", "FR5550OO2"] {
        let created = fra.post(
            "/api/v1/documents",
            &json!({"number": number, "issuing_country": "FRA", "type": "passport",
                "status": "stolen", "reported_date": "2026-01-10"}),
        );
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let manifest = paxlst(
        "AF1234",
        "FCO",
        &[
            pax("MARTIN", "CLAIRE", "F", "850101", "FRA", "FR1112223"),
            pax("DURAND", "PAUL", "M", "790505", "FRA", "FR5550001"),
            pax("WONGSAKUL", "SOMCHAI", "M", "810214", "THA", "TH9998887"),
            // A number that equals a stolen one only once O and 0 are taken alike.
            pax("PETIT", "LEA", "F", "920303", "FRA", "FR5550002"),
            // A birth date that is no date: reported with the traveller, who is screened.
            pax("ROUX", "ANNE", "F", "921332", "FRA", "FR7776665"),
        ],
    );
    let deu = server.client("DEU");
    let answer = deu.send(
        "POST",
        "/api/v1/checks/manifests",
        "application/edifact",
        manifest.clone().into_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let report = &answer.body;
    assert_eq!(report["travellers"], 5);
    assert_eq!(report["flight"]["number"], "AF1234");
    assert_eq!(report["flight"]["arrival_airport"], "FCO");
    assert_eq!(report["hits"], 2, "{}", answer.text);
    assert_eq!(report["possible"], 1, "{}", answer.text);
    let flagged: Vec<(&str, &str)> = report["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["verdict"].as_str().unwrap(),
                f["traveller"]["surname"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flagged,
        vec![
            ("hit", "DURAND"),
            ("hit", "WONGSAKUL"),
            ("possible", "PETIT")
        ]
    );
    let reasons = report["flagged"][1]["reasons"].to_string();
    assert!(reasons.contains("green notice"), "{reasons}");
    let unscreened = report["unscreened"].to_string();
    assert!(unscreened.contains("ROUX"), "{unscreened}");
    let roux_problem = report["unscreened"][0]["reasons"].to_string();
    assert!(roux_problem.contains("birth"), "{roux_problem}");
    let summary = report["summary"][0].as_str().unwrap();
    assert!(
        summary.contains("5 travellers screened, 2 hits, 1 possible hits"),
        "{summary}"
    );

    // The same as text, for a reader.
    let text = deu.send_with_accept(
        "POST",
        "/api/v1/checks/manifests",
        "application/edifact",
        "text/plain",
        manifest.clone().into_bytes(),
    );
    assert_eq!(text.status, 200);
    assert!(
        text.content_type.starts_with("text/plain"),
        "{}",
        text.content_type
    );
    assert!(
        text.text.contains("HIT passenger PAUL DURAND"),
        "{}",
        text.text
    );

    // The owners of what hit see the hits, and the check is audited with its travellers.
    assert!(fra.get("/api/v1/hits").text.contains("FR5550001"));
    let audit = server
        .session("sg.auditor")
        .get("/api/v1/audit?action=check.manifest");
    assert!(audit.text.contains("check.manifest"), "{}", audit.text);

    // On the command line, against the hub.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("af1234.edi");
    std::fs::write(&file, &manifest).unwrap();
    let output = palermo()
        .args(["screen", "manifest"])
        .arg(&file)
        .args(["--hub", &server.url, "--key", &server.key("DEU")])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.contains("HIT passenger SOMCHAI WONGSAKUL"), "{out}");
}

#[test]
fn a_malformed_manifest_is_refused_with_its_segment_and_position() {
    let server = Server::demo();
    let deu = server.client("DEU");
    let good = paxlst(
        "AF1234",
        "BKK",
        &[pax("MARTIN", "CLAIRE", "F", "850101", "FRA", "FR1112223")],
    );
    let post = |body: String| {
        deu.send(
            "POST",
            "/api/v1/checks/manifests",
            "application/edifact",
            body.into_bytes(),
        )
    };
    assert_eq!(post(good.clone()).status, 200);
    // A wrong segment count in UNT: the UNT is segment 20 (line 21).
    let bad = good.replace("UNT+19+M1", "UNT+18+M1");
    assert_ne!(bad, good);
    let answer = post(bad);
    assert_eq!(answer.problem(422), vec!["message[20]"]);
    let detail = answer.body["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("segment 20 (UNT) element 1, line 21"),
        "{detail}"
    );
    // Cut short, another message type, no envelope, empty, binary noise: each refused.
    for body in [
        good[..good.len() / 2].to_owned(),
        good.replace("PAXLST:D:05B", "CUSRES:D:05B"),
        "NAD+FL+++DOE:JOHN'".to_owned(),
        String::new(),
        "\u{0}\u{1}garbage".to_owned(),
    ] {
        let answer = post(body.clone());
        assert_eq!(answer.status, 422, "{body:?}: {}", answer.text);
        answer.problem(422);
    }
    // Checking needs the check permission.
    let auditor = server.session("sg.auditor");
    let refused = auditor.send(
        "POST",
        "/api/v1/checks/manifests",
        "application/edifact",
        good.into_bytes(),
    );
    assert_eq!(refused.status, 403, "{}", refused.text);
}

#[test]
fn travel_warnings_from_a_zone_and_by_hand() {
    let server = Server::demo_with(&["--demo-notices", "true"]);
    let deu = server.client("DEU");
    let zone = td3(
        "THA",
        "WONGSAKUL<<SOMCHAI",
        "TH4445556",
        "810214",
        'M',
        "310101",
    );
    let answer = deu.post(
        "/api/v1/checks/mrz",
        &json!({"lines": zone, "destination": "ESP", "crossing": "Frankfurt Airport T1"}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let warnings = answer.body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{}", answer.text);
    assert_eq!(warnings[0]["destination"], "ESP");
    assert_eq!(warnings[0]["journey"]["crossing"], "Frankfurt Airport T1");
    let notice = warnings[0]["notice_id"].as_i64().unwrap();
    let inbox = server.client("ESP").get("/api/v1/messages");
    assert!(inbox.text.contains("Travel warning"), "{}", inbox.text);
    // The same destination the same day, however the crossing is worded: one warning.
    for crossing in ["Frankfurt Airport T1", "Frankfurt T1 gate 4", "spam 1"] {
        let again = deu.post(
            "/api/v1/checks/mrz",
            &json!({"lines": zone, "destination": "ESP", "crossing": crossing}),
        );
        assert_eq!(again.body["warnings"], json!([]), "{}", again.text);
    }
    // Another bureau's check is its own: a first check, true or made up, silences no one.
    let fra = server.client("FRA");
    let other = fra.post(
        "/api/v1/checks/mrz",
        &json!({"lines": zone, "destination": "ESP"}),
    );
    assert_eq!(
        other.body["warnings"].as_array().map(Vec::len),
        Some(1),
        "{}",
        other.text
    );
    // A destination that is no country is refused before anything is checked.
    let bad = deu.post(
        "/api/v1/checks/mrz",
        &json!({"lines": zone, "destination": "Spain"}),
    );
    assert_eq!(bad.problem(422), vec!["destination"]);

    // By hand: Germany warns Poland and Austria of the man under the Green notice.
    let sent = deu.post(
        "/api/v1/travel-warnings",
        &json!({"destinations": ["POL", "AUT"], "notice": notice,
            "traveller": {"name": "Somchai Wongsakul", "birth_date": "1981-02-14"},
            "journey": {"crossing": "Görlitz", "departure_time": "2026-12-04T08:00"},
            "note": "Seen boarding a coach to Wrocław."}),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let destinations: Vec<&str> = sent.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["destination"].as_str().unwrap())
        .collect();
    assert_eq!(destinations, ["POL", "AUT"]);
    let pol = server.client("POL").get("/api/v1/messages");
    assert!(pol.text.contains("Seen boarding a coach"), "{}", pol.text);
    let tha = server.client("THA").get("/api/v1/travel-warnings");
    assert_eq!(
        tha.body["warnings"].as_array().unwrap().len(),
        4,
        "{}",
        tha.text
    );
    // Bad input: each field named; a notice that is no Green notice refused.
    for (body, field) in [
        (
            json!({"destinations": [], "traveller": {"name": "A B"}}),
            "destinations",
        ),
        (
            json!({"destinations": ["XXX"], "traveller": {"name": "A B"}}),
            "destinations[0]",
        ),
        (
            json!({"destinations": ["POL", "POL"], "traveller": {"name": "A B"}}),
            "destinations[1]",
        ),
        (
            json!({"destinations": ["POL"], "traveller": {"name": ""}}),
            "traveller.name",
        ),
        (
            json!({"destinations": ["POL"], "traveller": {"name": "A B", "birth_date": "1980-13-01"}}),
            "traveller.birth_date",
        ),
        (
            json!({"destinations": ["POL"], "traveller": {"name": "A B"}, "notice": 999999}),
            "notice",
        ),
        (
            json!({"destinations": ["POL"], "traveller": {"name": "A B"}, "note": "x".repeat(501)}),
            "note",
        ),
    ] {
        let answer = deu.post("/api/v1/travel-warnings", &body);
        assert_eq!(answer.problem(422), vec![field], "{body}");
    }
    // A Red notice is not a travel warning's.
    let reds = server
        .client("FRA")
        .get("/api/v1/notices?kind=red&owner=FRA");
    let red = reds.body["notices"][0]["id"].as_i64().expect(&reds.text);
    let answer = deu.post(
        "/api/v1/travel-warnings",
        &json!({"destinations": ["POL"], "traveller": {"name": "A B"}, "notice": red}),
    );
    assert_eq!(answer.problem(422), vec!["notice"]);
    // An auditor sends no warning.
    let auditor = server.session("sg.auditor");
    let refused = auditor.post(
        "/api/v1/travel-warnings",
        &json!({"destinations": ["POL"], "traveller": {"name": "A B"}}),
    );
    assert_eq!(refused.status, 403, "{}", refused.text);
}

/// A warning sent by hand names a notice only to the countries the notice reaches: Germany's
/// warning diffusion goes to France alone, and France's warning to Italy says nothing of it.
#[test]
fn a_warning_by_hand_discloses_no_notice_beyond_its_reach() {
    let server = Server::demo();
    let deu = server.client("DEU");
    let person = deu.post(
        "/api/v1/persons",
        &json!({"names": [{"given": "Karl", "family": "Gefahr"}], "birth_date": "1970-05-05",
            "sex": "M", "category": "wanted", "reported_date": "2026-01-05"}),
    );
    assert_eq!(person.status, 201, "{}", person.text);
    let diffusion = deu.post(
        "/api/v1/diffusions",
        &json!({"kind": "warning", "person": person.body["id"], "recipients": ["FRA"],
            "warning": "Violent; travels under other names"}),
    );
    assert_eq!(diffusion.status, 201, "{}", diffusion.text);
    let id = diffusion.body["id"].as_i64().unwrap();
    let fra = server.client("FRA");
    let sent = fra.post(
        "/api/v1/travel-warnings",
        &json!({"destinations": ["ITA", "ESP"], "notice": id,
            "traveller": {"name": "Karl Gefahr"}, "journey": {"flight": "AF999"}}),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    for bureau in ["ITA", "ESP"] {
        let inbox = server.client(bureau).get("/api/v1/messages");
        assert!(
            inbox.text.contains("Travel warning: Karl Gefahr"),
            "{}",
            inbox.text
        );
        assert!(
            !inbox.text.contains("diffusion"),
            "{bureau}: {}",
            inbox.text
        );
        let listed = server.client(bureau).get("/api/v1/travel-warnings");
        let warning = &listed.body["warnings"][0];
        assert_eq!(warning["notice_id"], Value::Null, "{}", listed.text);
        assert_eq!(warning["person_id"], Value::Null, "{}", listed.text);
    }
    // The owner is told once, of every country, and that neither was told of its diffusion.
    let owner = deu.get("/api/v1/messages");
    let told: Vec<&Value> = owner.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Travel warning")
        })
        .collect();
    assert_eq!(told.len(), 1, "{}", owner.text);
    let read = deu.get(&format!("/api/v1/messages/{}", told[0]["id"]));
    assert!(
        read.text.contains("not told of the notice"),
        "{}",
        read.text
    );
    // Reading the warnings is audited.
    let audit = server
        .session("sg.auditor")
        .get("/api/v1/audit?action=travel.warning.list");
    assert!(audit.text.contains("travel.warning.list"), "{}", audit.text);
}
