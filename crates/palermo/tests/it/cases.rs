//! Trafficking case reports over HTTP and on the command line: the published schema, a report
//! accepted whole or refused with every JSON pointer, versions, what another bureau, a
//! restricted bureau and a partner see, and the links between bureaus' cases.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::support::{Server, database_args, palermo};

fn report(reference: &str) -> Value {
    json!({
        "format": "palermo.case-report/1",
        "reference": reference,
        "status": "active",
        "form": "trafficking",
        "reported_date": "2026-11-20",
        "summary": "Recruited through a job offer, exploited in a bar.",
        "victims": [{
            "id": "V1", "age": 16, "gender": "female", "citizenship": ["ROU"],
            "exploitation": ["sexual-exploitation"], "control": ["threats", "withholds-documents"],
            "identity": {"names": [{"given": "Ioana", "family": "Marinescu"}]}
        }],
        "suspects": [{"id": "S1", "names": [{"given": "Dragos", "family": "Vasile"}], "roles": ["recruiter", "exploiter"]}],
        "communications": [{"id": "C1", "kind": "phone", "value": "+40 721 234 567", "used_by": "S1"}],
        "money": [{"id": "M1", "kind": "bank-account", "iban": "RO49 AAAA 1B31 0075 9384 0000", "holder": "S1"}],
        "route": [
            {"country": "ROU", "role": "recruitment", "from": "2026-03-01", "to": "2026-03-02"},
            {"country": "HUN", "role": "transit", "from": "2026-03-02"},
            {"country": "FRA", "role": "exploitation", "from": "2026-03-04"}
        ]
    })
}

#[test]
fn a_report_over_http_is_accepted_whole_or_refused_with_every_pointer() {
    let server = Server::demo();
    let fra = server.client("FRA");

    // The schema is public, like the API's description, and is the report's.
    let schema = server
        .anonymous()
        .get("/api/v1/schemas/case-report-v1.json");
    assert_eq!(schema.status, 200);
    assert_eq!(schema.content_type, "application/schema+json");
    assert_eq!(
        schema.body["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema.text.contains("debt-bondage") && schema.text.contains("closed-referred"));

    let mut bad = report("FR-HTTP-1");
    bad["status"] = json!("opened");
    bad["victims"][0]["age"] = json!(-3);
    bad["communications"][0]["value"] = json!("+40 7");
    bad["money"][0]["iban"] = json!("RO48 AAAA 1B31 0075 9384 0000");
    bad["route"][2]["from"] = json!("2026-01-01");
    bad["suspects"][0]["roles"] = json!(["boss"]);
    let refused = fra.post("/api/v1/cases", &bad);
    let mut paths = refused.problem(422);
    paths.sort();
    assert_eq!(
        paths,
        [
            "/communications/0/value",
            "/money/0/iban",
            "/route/2/from",
            "/status",
            "/suspects/0/roles/0",
            "/victims/0/age"
        ],
        "{}",
        refused.text
    );
    assert!(
        refused
            .text
            .contains("active, follow-up, closed, closed-referred")
    );
    assert!(
        fra.get("/api/v1/cases").body["cases"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Not JSON, not declared as JSON, too large: refused before the hub reads a field.
    fra.send(
        "POST",
        "/api/v1/cases",
        "application/json",
        b"{\"format\":".to_vec(),
    )
    .problem(400);
    fra.send(
        "POST",
        "/api/v1/cases",
        "text/plain",
        report("X").to_string().into_bytes(),
    )
    .problem(415);
    let mut huge = report("FR-HUGE");
    huge["summary"] = json!("x".repeat(palermo_core::case::REPORT_BYTES_MAX));
    fra.expect_too_large("/api/v1/cases", huge.to_string().into_bytes());

    let created = fra.post("/api/v1/cases", &report("FR-HTTP-1"));
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.body["report"]["communications"][0]["normalised"],
        "+40721234567"
    );
    assert_eq!(
        created.body["report"]["money"][0]["iban"],
        "RO49AAAA1B31007593840000"
    );
    let mut later = report("FR-HTTP-1");
    later["status"] = json!("follow-up");
    let again = fra.post("/api/v1/cases", &later);
    assert_eq!(
        (again.status, &again.body["id"], &again.body["version"]),
        (201, &json!(id), &json!(2))
    );
    let versions = fra.get(&format!("/api/v1/cases/{id}/versions"));
    assert_eq!(
        versions.body["versions"].as_array().unwrap().len(),
        2,
        "{}",
        versions.text
    );

    // Another bureau reads the case without the victim's identity; the list shows it.
    let deu = server.client("DEU");
    let seen = deu.get(&format!("/api/v1/cases/{id}"));
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert!(!seen.text.contains("Marinescu") && !seen.text.contains("Ioana"));
    assert_eq!(seen.body["victims"], 1);
    assert_eq!(seen.body["report"]["victims"][0]["age_band"], "9-17");
    assert_eq!(seen.body["report"]["victims"][0]["identity_withheld"], true);
    deu.get(&format!("/api/v1/cases/{id}/versions"))
        .problem(403);
    assert_eq!(
        deu.get("/api/v1/cases?owner=FRA").body["cases"][0]["id"],
        id
    );
    deu.get("/api/v1/cases?owner=XYZ").problem(422);
    deu.get("/api/v1/cases?limit=0").problem(422);
    deu.get("/api/v1/cases/abc").problem(404);
}

#[test]
fn restricted_cases_read_like_absent_ones_and_links_name_whom_to_contact() {
    let server = Server::demo();
    let (fra, deu, ita) = (
        server.client("FRA"),
        server.client("DEU"),
        server.client("ITA"),
    );
    let mut only_germany = report("FR-LINK-1");
    only_germany["restriction"] = json!({"visibility": "only", "countries": ["DEU"]});
    let french = fra.post("/api/v1/cases", &only_germany);
    assert_eq!(french.status, 201, "{}", french.text);
    let french = french.body["id"].as_i64().unwrap();
    let hidden = ita.get(&format!("/api/v1/cases/{french}"));
    let absent = ita.get(&format!("/api/v1/cases/{}", french + 100_000));
    hidden.problem(404);
    absent.problem(404);
    assert_eq!(hidden.body["detail"], absent.body["detail"]);
    ita.get(&format!("/api/v1/cases/{french}/links"))
        .problem(404);
    assert!(
        ita.get("/api/v1/cases").body["cases"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Italy's case shares the recruiter's phone, written in national form, and the IBAN.
    let mut italian = report("IT-9");
    italian["communications"][0] = json!({"id": "T1", "kind": "phone", "value": "0721 234 567", "country": "ROU", "used_by": "S1"});
    italian["suspects"][0]["names"] = json!([{"family": "Unknown"}]);
    let italian = ita.post("/api/v1/cases", &italian);
    assert_eq!(italian.status, 201, "{}", italian.text);
    let italian = italian.body["id"].as_i64().unwrap();
    let links = ita.get(&format!("/api/v1/cases/{italian}/links"));
    assert_eq!(links.status, 200, "{}", links.text);
    let link = &links.body["links"][0];
    assert_eq!(link["contact"], "FRA");
    assert!(
        link.get("case").is_none() && link.get("reference").is_none(),
        "{link}"
    );
    let kinds: Vec<&str> = link["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["iban", "phone"]);
    // Germany may see both cases: the whole link, both ways.
    let links = deu.get(&format!("/api/v1/cases/{french}/links"));
    assert_eq!(links.status, 200, "{}", links.text);
    let links = fra.get(&format!("/api/v1/cases/{french}/links"));
    assert_eq!(links.body["links"][0]["case"], italian);
    assert_eq!(links.body["links"][0]["reference"], "IT-9");
    assert_eq!(links.body["links"][0]["shared"][0]["other_entity"], "M1");
}

#[test]
fn partners_and_callers_without_the_scopes_see_no_case() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let id = fra.post("/api/v1/cases", &report("FR-P-1")).body["id"]
        .as_i64()
        .unwrap();
    let secretariat = server.session("sg.admin");
    let key = |org: &str, scopes: &[&str]| {
        let made = secretariat.post("/api/v1/admin/keys", &json!({"org": org, "scopes": scopes}));
        assert_eq!(made.status, 201, "{}", made.text);
        server
            .anonymous()
            .with_key(made.body["key"].as_str().unwrap())
    };
    let partner = key("EUROPOL", &["check"]);
    partner.get(&format!("/api/v1/cases/{id}")).problem(403);
    // The anonymised dataset is what a partner gets.
    let dataset = partner.get("/api/v1/statistics/victims.csv");
    assert_eq!(dataset.status, 200, "{}", dataset.text);
    assert!(
        dataset.content_type.starts_with("text/csv"),
        "{}",
        dataset.content_type
    );
    assert!(
        dataset.text.starts_with("year,gender,age_band,"),
        "{}",
        dataset.text
    );
    assert!(!dataset.text.contains("Marinescu"));
    partner
        .get("/api/v1/statistics/victims.csv?k=1")
        .problem(422);
    partner.get("/api/v1/statistics/routes").problem(403);
    partner.get("/api/v1/cases").problem(403);
    partner.post("/api/v1/cases", &report("EU-1")).problem(403);
    let border = key("FRA", &["check"]);
    border.get(&format!("/api/v1/cases/{id}")).problem(403);
    border.post("/api/v1/cases", &report("FR-P-2")).problem(403);
    let reader = key("DEU", &["check", "records:read"]);
    assert_eq!(reader.get(&format!("/api/v1/cases/{id}")).status, 200);
    reader.post("/api/v1/cases", &report("DE-P-1")).problem(403);
    // The secretariat's reviewer reads every case, never a victim's identity.
    let reviewer = server.session("sg.reviewer");
    let seen = reviewer.get(&format!("/api/v1/cases/{id}"));
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert!(!seen.text.contains("Marinescu"));
}

fn run(data: &Path, args: &[&str]) -> Output {
    palermo()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

#[test]
fn case_submit_on_a_data_directory_lists_every_problem_and_versions_the_case() {
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
    let file = dir.path().join("case.json");
    let mut bad = report("FR-CLI-1");
    bad["victims"][0]["control"] = json!(["juju"]);
    bad["communications"][0]["kind"] = json!("fax");
    std::fs::write(&file, bad.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let refused = run(&data, &["case", "submit", path, "--bureau", "FRA"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("nothing was stored (2 problems)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/victims/0/control/0: \"juju\" is not known"),
        "{stderr}"
    );
    assert!(stderr.contains("/communications/0/kind"), "{stderr}");
    std::fs::write(&file, "{\"format\": \n  \"palermo").unwrap();
    let broken = run(&data, &["case", "submit", path, "--bureau", "FRA"]);
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains("line 2"),
        "{broken:?}"
    );

    std::fs::write(&file, report("FR-CLI-1").to_string()).unwrap();
    for version in [1, 2] {
        let done = run(&data, &["case", "submit", path, "--bureau", "FRA"]);
        assert!(done.status.success(), "{done:?}");
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert_eq!(
            stdout.trim(),
            format!("case 1 (FRA FR-CLI-1), version {version}")
        );
    }
    let versions = run(&data, &["case", "versions", "1", "--bureau", "FRA"]);
    assert_eq!(String::from_utf8_lossy(&versions.stdout).lines().count(), 2);
    let shown = run(&data, &["case", "show", "1", "--bureau", "DEU"]);
    let view: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(view["identities_visible"], false);
    assert!(!String::from_utf8_lossy(&shown.stdout).contains("Marinescu"));
    let network = run(
        &data,
        &["case", "network", "1", "--hops", "1", "--bureau", "FRA"],
    );
    assert!(network.status.success(), "{network:?}");
    let graph: Value = serde_json::from_slice(&network.stdout).unwrap();
    assert!(
        graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "victim")
    );
    let listed = run(&data, &["case", "list", "--bureau", "DEU"]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 1);
    let nobody = run(&data, &["case", "submit", path]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("--bureau"));
}

#[test]
fn the_demo_cases_link_across_bureaus() {
    let server = Server::demo_with(&["--demo-cases", "300", "--demo-notices", "true"]);
    let fra = server.client("FRA");
    let listed = fra.get("/api/v1/cases?owner=FRA&limit=200");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let own: Vec<i64> = listed.body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(own.len() >= 20, "{}", own.len());
    let mut contacts = std::collections::BTreeSet::new();
    for id in &own {
        let links = fra.get(&format!("/api/v1/cases/{id}/links"));
        assert_eq!(links.status, 200, "{}", links.text);
        for link in links.body["links"].as_array().unwrap() {
            contacts.insert(link["contact"].as_str().unwrap().to_owned());
        }
    }
    assert!(
        contacts.len() >= 3,
        "France's cases link to bureaus {contacts:?}"
    );
    // The network around one of them, shaped for drawing, within the bound.
    let network = fra.get(&format!("/api/v1/cases/{}/network?hops=2", own[0]));
    assert_eq!(network.status, 200, "{}", network.text);
    let nodes = network.body["nodes"].as_array().unwrap();
    assert!(
        nodes.iter().filter(|n| n["kind"] == "case").count() > 1,
        "{}",
        network.text
    );
    assert!(nodes.len() <= 1000);
    let edges = network.body["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["kind"] == "phone" || e["kind"] == "iban"),
        "{}",
        network.text
    );
    fra.get(&format!("/api/v1/cases/{}/network?hops=9", own[0]))
        .problem(422);
    // France's first case names a person a bureau seeks: the name engine links it.
    let first = own.last().unwrap();
    let records = fra.get(&format!("/api/v1/cases/{first}/records"));
    assert_eq!(records.status, 200, "{}", records.text);
    assert!(
        records.body["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["record_kind"] == "person" && r["entity"] == "SX"),
        "{}",
        records.text
    );
    // The routes of the cases France may see, by form of exploitation and year.
    let routes = fra.get("/api/v1/statistics/routes");
    assert_eq!(routes.status, 200, "{}", routes.text);
    assert!(
        routes.body["flows"].as_array().unwrap().len() >= 5,
        "{}",
        routes.text
    );
    assert!(
        routes.body["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "NGA")
    );
    fra.get("/api/v1/statistics/routes?exploitation=juju")
        .problem(422);
    // The victims' identities of another bureau's demo cases stay theirs.
    let all = fra.get("/api/v1/cases?limit=200");
    let other = all.body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["owner"] != "FRA")
        .unwrap();
    let seen = fra.get(&format!("/api/v1/cases/{}", other["id"]));
    assert_eq!(seen.body["identities_visible"], false);
    assert!(!seen.text.contains("\"Victim"), "{}", seen.text);
}

#[test]
fn over_http_a_case_names_the_records_it_matches_grants_identities_by_name_and_exports_ftm() {
    let server = Server::demo();
    let (fra, deu, ita) = (
        server.client("FRA"),
        server.client("DEU"),
        server.client("ITA"),
    );
    // Germany holds the recruiter's passport as stolen.
    let passport = deu.post(
        "/api/v1/documents",
        &json!({"number": "C4J9K2L7", "issuing_country": "DEU", "type": "P",
            "status": "stolen", "reported_date": "2026-02-01"}),
    );
    assert_eq!(passport.status, 201, "{}", passport.text);
    let passport = passport.body["id"].as_i64().unwrap();
    let mut with_passport = report("FR-REC-1");
    with_passport["documents"] = json!([{"id": "D1", "number": "C4J9K2L7", "issuing_country": "DEU",
        "document_type": "passport", "condition": "stolen", "used_by": "S1"}]);
    let id = fra.post("/api/v1/cases", &with_passport).body["id"]
        .as_i64()
        .unwrap();
    let records = fra.get(&format!("/api/v1/cases/{id}/records"));
    assert_eq!(records.status, 200, "{}", records.text);
    let link = records.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["entity"] == "D1")
        .cloned()
        .unwrap_or_else(|| panic!("{}", records.text));
    assert_eq!(
        (&link["record_kind"], &link["contact"], &link["record_id"]),
        (&json!("document"), &json!("DEU"), &json!(passport))
    );
    let inbox = deu.get("/api/v1/messages?box=inbox");
    assert!(
        inbox.text.contains("names your document records"),
        "{}",
        inbox.text
    );

    // The checklist: read and ticked by France; Germany may not tick it.
    let checklist = fra.get(&format!("/api/v1/cases/{id}/checklist"));
    assert_eq!(checklist.status, 200, "{}", checklist.text);
    assert!(
        checklist
            .text
            .contains("sexual-exploitation/advertisements-preserved")
    );
    let ticked = fra.post(
        &format!("/api/v1/cases/{id}/checklist"),
        &json!({"item": "general/victims-referred", "note": "referred to the NRM"}),
    );
    assert_eq!(ticked.status, 200, "{}", ticked.text);
    assert_eq!(ticked.body["done"], 1);
    let wrong = fra.post(
        &format!("/api/v1/cases/{id}/checklist"),
        &json!({"item": "organ-removal/recipient-traced"}),
    );
    assert_eq!(wrong.problem(422), ["item"]);
    fra.post(
        &format!("/api/v1/cases/{id}/checklist"),
        &json!({"item": "general/victims-referred", "colour": "red"}),
    )
    .problem(422);
    deu.post(
        &format!("/api/v1/cases/{id}/checklist"),
        &json!({"item": "general/victims-referred"}),
    )
    .problem(403);
    ita.get(&format!("/api/v1/cases/{}/checklist", id + 100_000))
        .problem(404);

    // Grants: the secretariat's reviewer sees the victim's identity once France grants it.
    let reviewer = server.session("sg.reviewer");
    assert!(
        !reviewer
            .get(&format!("/api/v1/cases/{id}"))
            .text
            .contains("Marinescu")
    );
    deu.post(
        &format!("/api/v1/cases/{id}/grants"),
        &json!({"username": "sg.reviewer"}),
    )
    .problem(403);
    let granted = fra.post(
        &format!("/api/v1/cases/{id}/grants"),
        &json!({"username": "sg.reviewer"}),
    );
    assert_eq!(granted.status, 201, "{}", granted.text);
    let seen = reviewer.get(&format!("/api/v1/cases/{id}"));
    assert!(seen.text.contains("Marinescu"), "{}", seen.text);
    assert_eq!(seen.body["identities_visible"], true);
    // Another secretariat person does not; a partner's user is refused like nobody.
    let auditor_like = server.session("sg.admin");
    assert!(
        !auditor_like
            .get(&format!("/api/v1/cases/{id}"))
            .text
            .contains("Marinescu")
    );
    let nobody = fra.post(
        &format!("/api/v1/cases/{id}/grants"),
        &json!({"username": "nobody.here"}),
    );
    let partner = fra.post(
        &format!("/api/v1/cases/{id}/grants"),
        &json!({"username": "europol.analyst"}),
    );
    assert_eq!(nobody.problem(422), ["username"]);
    assert_eq!(partner.problem(422), ["username"]);
    assert_eq!(
        nobody.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .replace("nobody.here", "europol.analyst"),
        partner.body["errors"][0]["detail"]
    );
    let export = reviewer.get(&format!("/api/v1/cases/{id}/ftm"));
    assert_eq!(export.status, 200, "{}", export.text);
    assert_eq!(export.content_type, "application/x-ndjson");
    for line in export.text.lines() {
        let entity: Value = serde_json::from_str(line).unwrap();
        assert!(
            entity["schema"].is_string() && entity["id"].is_string(),
            "{line}"
        );
    }
    assert!(export.text.contains("Marinescu"));
    assert!(
        !deu.get(&format!("/api/v1/cases/{id}/ftm"))
            .text
            .contains("Marinescu")
    );
    let grants = fra.get(&format!("/api/v1/cases/{id}/grants"));
    assert_eq!(grants.body["grants"][0]["username"], "sg.reviewer");
    deu.get(&format!("/api/v1/cases/{id}/grants")).problem(403);
    deu.delete(&format!("/api/v1/cases/{id}/grants/sg.reviewer"))
        .problem(403);
    assert_eq!(
        fra.delete(&format!("/api/v1/cases/{id}/grants/sg.reviewer"))
            .status,
        204
    );
    fra.delete(&format!("/api/v1/cases/{id}/grants/sg.reviewer"))
        .problem(404);
    assert!(
        !reviewer
            .get(&format!("/api/v1/cases/{id}"))
            .text
            .contains("Marinescu")
    );
}
