//! The hub tried as a hostile bureau would try it: each test replays an attack that got
//! through before (issue 8) and asserts that it no longer does, on every endpoint it
//! concerns. Real binary, real requests on loopback.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::support::{Answer, Client, Server};

const PASSWORD: &str = "a long and uncommon passphrase";

/// Adds a person through the secretariat's administrator; returns a signed-in session.
fn new_person(
    server: &Server,
    admin: &Client,
    username: &str,
    org: &str,
    roles: &[&str],
) -> Client {
    let added = admin.post(
        "/api/v1/admin/users",
        &json!({"username": username, "org": org, "roles": roles, "password": PASSWORD}),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    server.sign_in(
        username,
        PASSWORD,
        added.body["totp_secret"].as_str().unwrap(),
    )
}

fn document(number: &str, country: &str) -> Value {
    json!({"number": number, "issuing_country": country, "type": "P", "status": "stolen",
        "reported_date": "2026-01-10"})
}

/// Whether an answer is a refusal that changes nothing: 403, or 404 for a resource the
/// caller may not know of.
#[track_caller]
fn refused(answer: &Answer) {
    assert!(
        [403, 404].contains(&answer.status),
        "expected a refusal, got {} {}",
        answer.status,
        answer.text
    );
    answer.problem(answer.status);
}

#[test]
fn administrators_act_on_their_own_organisation_only() {
    let server = Server::demo();
    let secretariat = server.session("sg.admin");
    let fra_admin = new_person(
        &server,
        &secretariat,
        "fra.admin",
        "FRA",
        &["administrator"],
    );
    let admin_key = secretariat.post(
        "/api/v1/admin/keys",
        &json!({"org": "FRA", "label": "fra admin", "scopes": ["admin"]}),
    );
    assert_eq!(admin_key.status, 201, "{}", admin_key.text);
    let fra_admin_key = server
        .anonymous()
        .with_key(admin_key.body["key"].as_str().unwrap());
    // In each organisation: a person and a key to act on.
    let mut keys = HashMap::new();
    for (org, role) in [
        ("FRA", "frontline"),
        ("DEU", "frontline"),
        ("SECRETARIAT", "analyst"),
    ] {
        let username = format!("{}.clerk", org.to_lowercase());
        new_person(&server, &secretariat, &username, org, &[role]);
        let key = secretariat.post(
            "/api/v1/admin/keys",
            &json!({"org": org, "label": "victim"}),
        );
        assert_eq!(key.status, 201, "{}", key.text);
        keys.insert(org, key.body["id"].as_i64().unwrap());
    }

    // Every administrative action, by a member bureau's administrator (a person and a key)
    // and by the secretariat's, on its own organisation and on others.
    let actors: [(&str, &Client, Option<&str>); 3] = [
        ("FRA's administrator", &fra_admin, Some("FRA")),
        ("FRA's admin key", &fra_admin_key, Some("FRA")),
        ("the secretariat's administrator", &secretariat, None),
    ];
    let mut made = 0;
    for (name, actor, own) in actors {
        for target in ["FRA", "DEU", "SECRETARIAT"] {
            let allowed = own.is_none_or(|own| own == target);
            let clerk = format!("{}.clerk", target.to_lowercase());
            made += 1;
            let role = if target == "SECRETARIAT" {
                "analyst"
            } else {
                "frontline"
            };
            let answers = [
                (
                    "add a person",
                    actor.post(
                        "/api/v1/admin/users",
                        &json!({"username": format!("new{made}"), "org": target,
                            "roles": [role], "password": PASSWORD}),
                    ),
                ),
                (
                    "make a key",
                    actor.post(
                        "/api/v1/admin/keys",
                        &json!({"org": target, "scopes": ["check"]}),
                    ),
                ),
                (
                    "point the webhook elsewhere",
                    actor.put(
                        &format!("/api/v1/admin/webhooks/{target}"),
                        &json!({"url": "https://attacker.example.net/hook"}),
                    ),
                ),
                (
                    "reset a password",
                    actor.post(
                        &format!("/api/v1/admin/users/{clerk}/password"),
                        &json!({"password": "another long passphrase"}),
                    ),
                ),
                (
                    "reset a second factor",
                    actor.post(
                        &format!("/api/v1/admin/users/{clerk}/reset-second-factor"),
                        &json!({}),
                    ),
                ),
                (
                    "disable",
                    actor.post(&format!("/api/v1/admin/users/{clerk}/disable"), &json!({})),
                ),
                (
                    "enable",
                    actor.post(&format!("/api/v1/admin/users/{clerk}/enable"), &json!({})),
                ),
                (
                    "unlock",
                    actor.post(&format!("/api/v1/admin/users/{clerk}/unlock"), &json!({})),
                ),
            ];
            for (action, answer) in answers {
                if allowed {
                    assert!(
                        answer.status < 300,
                        "{name} may {action} in {target}: {} {}",
                        answer.status,
                        answer.text
                    );
                } else {
                    refused(&answer);
                }
            }
        }
        // Another organisation's key is answered like a key that does not exist.
        for target in ["DEU", "SECRETARIAT"] {
            if own.is_some() {
                let revoke = actor.delete(&format!("/api/v1/admin/keys/{}", keys[target]));
                assert_eq!(
                    revoke.status, 404,
                    "{name} revoking {target}'s key: {}",
                    revoke.text
                );
                let absent = actor.delete("/api/v1/admin/keys/99999");
                assert_eq!(
                    (revoke.status, revoke.body.clone()),
                    (absent.status, absent.body)
                );
            }
        }
        let listing = actor.get("/api/v1/admin/users");
        assert_eq!(listing.status, 200, "{}", listing.text);
        let orgs: Vec<&str> = listing.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["org"].as_str().unwrap())
            .collect();
        match own {
            Some(own) => assert!(orgs.iter().all(|o| *o == own), "{name} lists {orgs:?}"),
            None => assert!(orgs.contains(&"DEU") && orgs.contains(&"SECRETARIAT")),
        }
        let organisation = actor.post(
            "/api/v1/admin/organisations",
            &json!({"code": "MDA", "kind": "member", "name": "NCB Chisinau"}),
        );
        if own.is_some() {
            refused(&organisation);
        } else {
            assert_eq!(organisation.status, 204, "{}", organisation.text);
        }
    }
    assert_eq!(
        fra_admin
            .delete(&format!("/api/v1/admin/keys/{}", keys["FRA"]))
            .status,
        204,
        "its own organisation's key"
    );

    // Scopes are bounded by the organisation's kind, whoever asks.
    for (actor, org, scopes, allowed) in [
        (&fra_admin, "FRA", json!(["review"]), false),
        (&fra_admin, "FRA", json!(["check", "audit"]), true),
        (&secretariat, "FRA", json!(["review"]), false),
        (&secretariat, "EUROPOL", json!(["records:read"]), false),
        (&secretariat, "EUROPOL", json!(["audit"]), false),
        (&secretariat, "EUROPOL", json!(["hits"]), false),
        // A partner has no administrator, person or key.
        (&secretariat, "EUROPOL", json!(["admin"]), false),
        (&secretariat, "EUROPOL", json!(["check", "messages"]), true),
        (
            &secretariat,
            "SECRETARIAT",
            json!(["review", "audit"]),
            true,
        ),
    ] {
        let answer = actor.post("/api/v1/admin/keys", &json!({"org": org, "scopes": scopes}));
        if allowed {
            assert_eq!(answer.status, 201, "{org} {scopes}: {}", answer.text);
        } else {
            assert_eq!(answer.problem(422), ["scopes"], "{org} {scopes}");
        }
    }
    let partner_admin = secretariat.post(
        "/api/v1/admin/users",
        &json!({"username": "europol.admin", "org": "EUROPOL", "roles": ["administrator"],
            "password": PASSWORD}),
    );
    assert_eq!(partner_admin.problem(422), ["roles[0]"]);
    // A partner's key holds check and messages at most: it reads no record.
    let partner_key = secretariat.post(
        "/api/v1/admin/keys",
        &json!({"org": "EUROPOL", "scopes": ["check", "messages"]}),
    );
    let partner = server
        .anonymous()
        .with_key(partner_key.body["key"].as_str().unwrap());
    partner.get("/api/v1/documents/1").problem(403);
    partner.get("/api/v1/audit").problem(403);

    // Nothing the refused attempts asked for happened: no administrative action of FRA's
    // succeeded on another organisation (such an entry would name it as concerned).
    let auditor = server.session("sg.auditor");
    let trail = auditor.get("/api/v1/audit?org=FRA&limit=1000");
    let administrative = ["user.", "api-key.", "webhook.", "organisation."];
    for entry in trail.body["entries"].as_array().unwrap() {
        let action = entry["action"].as_str().unwrap();
        if entry["outcome"] == "ok" && administrative.iter().any(|a| action.starts_with(a)) {
            assert!(entry.get("concerns").is_none(), "{entry}");
        }
    }
    // DEU's auditors see FRA's refused attempts on DEU's people, keys and webhook.
    let deu_auditor = new_person(&server, &secretariat, "deu.auditor", "DEU", &["auditor"]);
    let aimed_at_deu = entries(&deu_auditor.get("/api/v1/audit?org=FRA&limit=1000"));
    assert_eq!(
        aimed_at_deu.len(),
        2 * (3 + 5 + 1),
        "two actors × (3 refused outright + 5 on DEU's people + DEU's key): {aimed_at_deu:?}"
    );
    assert!(
        aimed_at_deu
            .iter()
            .all(|e| e["concerns"] == json!(["DEU"]) && e["outcome"] != "ok")
    );
    let count = |outcome: &str| {
        auditor
            .get(&format!(
                "/api/v1/audit?org=FRA&outcome={outcome}&limit=1000"
            ))
            .body["entries"]
            .as_array()
            .unwrap()
            .len()
    };
    // Every refused administrative action is in the trail: 2 actors × 2 organisations ×
    // (3 actions refused outright + 5 on people and a key answered as absent, and an absent
    // key for comparison) + the organisation.
    assert_eq!(count("denied"), 2 * 2 * 3 + 2);
    assert_eq!(count("not-found"), 2 * 2 * (5 + 2));
}

/// The numbers checked in an audit page's entries' payloads, and whether payloads were kept.
fn entries(page: &Answer) -> Vec<Value> {
    assert_eq!(page.status, 200, "{}", page.text);
    page.body["entries"].as_array().unwrap().clone()
}

#[test]
fn hits_and_the_trail_are_shown_by_who_the_caller_is() {
    let server = Server::demo();
    let secretariat = server.session("sg.admin");
    let auditors: HashMap<&str, Client> = ["FRA", "DEU", "ITA"]
        .into_iter()
        .map(|org| {
            let name = format!("{}.auditor", org.to_lowercase());
            (
                org,
                new_person(&server, &secretariat, &name, org, &["auditor"]),
            )
        })
        .collect();
    let (fra, deu, ita, bra) = (
        server.client("FRA"),
        server.client("DEU"),
        server.client("ITA"),
        server.client("BRA"),
    );
    let open = fra.post("/api/v1/documents", &document("HITS0001", "FRA"));
    assert_eq!(open.status, 201, "{}", open.text);
    let mut hidden = document("HIDDEN0001", "FRA");
    hidden["restriction"] = json!("only");
    hidden["restriction_countries"] = json!(["ITA"]);
    assert_eq!(fra.post("/api/v1/documents", &hidden).status, 201);
    let check = |client: &Client, number: &str| {
        let answer = client.get(&format!(
            "/api/v1/checks/documents?number={number}&country=FRA"
        ));
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body["hit"].as_bool().unwrap()
    };
    assert!(check(&deu, "HITS0001"));
    assert!(check(&ita, "HIDDEN0001"));
    assert!(!check(&deu, "HIDDEN0001"), "hidden from DEU");
    assert!(!check(&ita, "NOTHING0001"));

    let hits_of = |client: &Client| -> Vec<(String, String)> {
        let answer = client.get("/api/v1/hits");
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let query = &h["query"]["number"];
                (
                    h["checking_org"].as_str().unwrap().to_owned(),
                    query.as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let h = |org: &str, number: &str| (org.to_owned(), number.to_owned());
    assert_eq!(
        hits_of(&fra),
        [h("ITA", "HIDDEN0001"), h("DEU", "HITS0001")]
    );
    assert_eq!(hits_of(&deu), [h("DEU", "HITS0001")]);
    assert_eq!(hits_of(&ita), [h("ITA", "HIDDEN0001")]);
    assert_eq!(hits_of(&bra), []);
    let reviewer = server.session("sg.reviewer");
    assert_eq!(
        hits_of(&reviewer).len(),
        2,
        "the secretariat sees every hit"
    );
    // No scope makes a member bureau see every hit: `review` is the secretariat's only.
    let review_key = secretariat.post(
        "/api/v1/admin/keys",
        &json!({"org": "BRA", "scopes": ["hits", "review"]}),
    );
    assert_eq!(review_key.problem(422), ["scopes"]);

    // The owner restricts its record away from the checker: the checker's hit goes with it.
    let id = open.body["id"].as_i64().unwrap();
    let mut restricted = document("HITS0001", "FRA");
    restricted["restriction"] = json!("except");
    restricted["restriction_countries"] = json!(["DEU"]);
    assert_eq!(
        fra.put(&format!("/api/v1/documents/{id}"), &restricted)
            .status,
        200
    );
    assert_eq!(hits_of(&deu), []);
    assert_eq!(hits_of(&fra).len(), 2);
    let hit_id = fra.get("/api/v1/hits").body["hits"][1]["id"]
        .as_i64()
        .unwrap();
    let answer = deu.post(
        &format!("/api/v1/hits/{hit_id}/answer"),
        &json!({"answer": "still-valid"}),
    );
    let absent = deu.post(
        "/api/v1/hits/99999/answer",
        &json!({"answer": "still-valid"}),
    );
    assert_eq!((answer.status, &answer.body), (404, &absent.body));

    // The trail: a member's auditors read their own organisation's actions and those on its
    // records, never another country's border checks; the secretariat's read everything.
    let read = |org: &str| entries(&auditors[org].get("/api/v1/audit?action=check.&limit=1000"));
    let numbers = |page: &[Value]| -> Vec<(String, Option<String>)> {
        page.iter()
            .map(|e| {
                let number = e["payload"]
                    .as_array()
                    .and_then(|queries| queries[0]["number"].as_str())
                    .map(str::to_owned);
                (e["org"].as_str().unwrap().to_owned(), number)
            })
            .collect()
    };
    let some = |org: &str, number: &str| (org.to_owned(), Some(number.to_owned()));
    assert_eq!(
        numbers(&read("DEU")),
        [some("DEU", "HITS0001"), some("DEU", "HIDDEN0001")],
        "DEU's own checks, with what they asked"
    );
    assert_eq!(
        numbers(&read("ITA")),
        [some("ITA", "HIDDEN0001"), some("ITA", "NOTHING0001")]
    );
    // FRA's auditors see the checks that hit FRA's records, but not what else they asked.
    let fra_page = read("FRA");
    assert_eq!(
        numbers(&fra_page),
        [("DEU".to_owned(), None), ("ITA".to_owned(), None)]
    );
    assert!(
        fra_page
            .iter()
            .all(|e| e["payload_withheld"] == true && e["concerns"] == json!(["FRA"]))
    );
    // No member's auditor reads an entry that is neither its own nor concerns it.
    for (org, auditor) in &auditors {
        for entry in entries(&auditor.get("/api/v1/audit?limit=1000")) {
            let concerned = entry["concerns"]
                .as_array()
                .is_some_and(|c| c.iter().any(|o| o == org));
            assert!(entry["org"] == *org || concerned, "{org} read {entry}");
        }
        assert_eq!(
            entries(&auditor.get("/api/v1/audit?org=BRA&limit=1000")),
            Vec::<Value>::new()
        );
    }
    let everything = entries(
        &server
            .session("sg.auditor")
            .get("/api/v1/audit?action=check.&limit=1000"),
    );
    assert_eq!(everything.len(), 4);
    assert!(everything.iter().all(|e| e["payload"].is_array()));

    // The same through the CLI export against the hub.
    let token = auditors["DEU"].key.clone().unwrap();
    let export = palermo_cli(&["audit", "export", "--hub", &server.url, "--key", &token]);
    assert!(export.status.success(), "{export:?}");
    for line in String::from_utf8_lossy(&export.stdout).lines() {
        let entry: Value = serde_json::from_str(line).unwrap();
        let concerned = entry["concerns"]
            .as_array()
            .is_some_and(|c| c.iter().any(|o| o == "DEU"));
        assert!(entry["org"] == "DEU" || concerned, "{entry}");
    }
}

fn palermo_cli(args: &[&str]) -> std::process::Output {
    crate::support::palermo().args(args).output().unwrap()
}

/// Writes `count` copies of `record` as `client`'s bureau, `restriction` applied, each
/// with its own reference `{prefix}{i}`, in batches of 1,000.
fn flood(client: &Client, kind: &str, record: &Value, prefix: &str, count: usize, only_self: bool) {
    let records: Vec<Value> = (0..count)
        .map(|i| {
            let mut decoy = record.clone();
            let reference = if kind == "persons" {
                "id"
            } else {
                "external_ref"
            };
            decoy[reference] = json!(format!("{prefix}{i}"));
            if only_self {
                decoy["restriction"] = json!("only");
                decoy["restriction_countries"] = json!(["BRA"]);
            }
            decoy
        })
        .collect();
    for chunk in records.chunks(1000) {
        let answer = client.post(&format!("/api/v1/{kind}/batch"), &json!({ kind: chunk }));
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
}

#[test]
fn no_number_of_decoys_hides_a_record_from_a_caller_who_may_see_it() {
    let server = Server::demo();
    let (fra, deu, ita) = (
        server.client("FRA"),
        server.client("DEU"),
        server.client("ITA"),
    );
    let attacker = server.client("BRA");
    let passport = document("DECOY0001", "FRA");
    let car =
        json!({"vin": "1M8GDM9AXKP042788", "status": "stolen", "reported_date": "2026-01-10"});
    let wanted = json!({"names": [{"full": "Ivan Sergeyevich Petrov"}], "birth_date": "1980-04-12",
        "nationality": "RUS", "sex": "M", "reported_date": "2026-01-10"});
    let mut ids = HashMap::new();
    for (kind, record) in [
        ("documents", &passport),
        ("vehicles", &car),
        ("persons", &wanted),
    ] {
        let mut own = record.clone();
        own[if kind == "persons" {
            "id"
        } else {
            "external_ref"
        }] = json!("the-real-one");
        let created = fra.post(&format!("/api/v1/{kind}"), &own);
        assert_eq!(created.status, 201, "{}", created.text);
        ids.insert(kind, created.body["id"].as_i64().unwrap());
    }
    let found = |client: &Client, kind: &str| -> bool {
        let id = ids[kind];
        let answer = match kind {
            "documents" => client.get("/api/v1/checks/documents?number=DECOY0001&country=FRA"),
            "vehicles" => client.get("/api/v1/checks/vehicles?vin=1M8GDM9AXKP042788"),
            _ => client.get("/api/v1/checks/persons?name=Ivan%20Petrov&birth_date=1980-04-12"),
        };
        assert_eq!(answer.status, 200, "{}", answer.text);
        let list = if kind == "persons" {
            "candidates"
        } else {
            "matches"
        };
        answer.body[list]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["record_id"] == id && (kind != "persons" || m["hit"] == true))
    };
    let everyone_finds_it = |moment: &str| {
        for kind in ["documents", "vehicles", "persons"] {
            for (name, client) in [
                ("FRA", &fra),
                ("DEU", &deu),
                ("ITA", &ita),
                ("BRA", &attacker),
            ] {
                assert!(
                    found(client, kind),
                    "{moment}: {name} no longer finds FRA's {kind}"
                );
            }
        }
    };
    everyone_finds_it("before the flood");

    // Thousands of the same number, VIN and name, restricted to the attacker itself, and
    // more that everyone sees, and confusable variants.
    let mut variant = passport.clone();
    variant["number"] = json!("DECOYOOO1");
    // Persons named exactly as the query asks outrank the real one, whose record has a
    // middle name the query lacks.
    let mut closer = wanted.clone();
    closer["names"] = json!([{"full": "Ivan Petrov"}]);
    for (kind, record) in [
        ("documents", &passport),
        ("vehicles", &car),
        ("persons", &closer),
    ] {
        flood(&attacker, kind, record, "hidden-", 2_000, true);
        flood(&attacker, kind, record, "open-", 1_000, false);
    }
    flood(&attacker, "documents", &variant, "variant-", 500, false);
    everyone_finds_it("after the flood");

    // The owner's routine update moves its entries in the index; the attacker withdraws
    // some decoys, writes them again, re-imports the rest.
    for (kind, record) in [
        ("documents", &passport),
        ("vehicles", &car),
        ("persons", &wanted),
    ] {
        let mut updated = record.clone();
        updated[if kind == "persons" {
            "id"
        } else {
            "external_ref"
        }] = json!("the-real-one");
        let answer = fra.put(&format!("/api/v1/{kind}/{}", ids[kind]), &updated);
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    everyone_finds_it("after the owner's update");
    for kind in ["documents", "vehicles", "persons"] {
        let first = ids[kind] + 1;
        for id in first..first + 50 {
            assert_eq!(attacker.delete(&format!("/api/v1/{kind}/{id}")).status, 204);
        }
    }
    for (kind, record) in [
        ("documents", &passport),
        ("vehicles", &car),
        ("persons", &closer),
    ] {
        flood(&attacker, kind, record, "hidden-", 2_000, true);
        flood(&attacker, kind, record, "again-", 1_000, true);
    }
    everyone_finds_it("after withdrawals and re-imports");
}

fn sign_in_attempt(server: &Server, username: &str, password: &str, code: &str) -> Answer {
    server.anonymous().post(
        "/api/v1/sessions",
        &json!({"username": username, "password": password, "code": code}),
    )
}

/// Runs `n` copies of `attempt` at once, each on its own thread.
fn at_once<T: Send>(n: usize, attempt: impl Fn() -> T + Sync) -> Vec<T> {
    let start = std::sync::Barrier::new(n);
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..n)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    attempt()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

#[test]
fn every_sign_in_counts_and_a_code_works_once_under_any_concurrency() {
    let server = Server::demo_with(&[
        "--sign-ins-per-minute-per-address",
        "10000",
        "--sign-ins-per-minute-per-user",
        "10000",
    ]);
    let answers = at_once(25, || {
        sign_in_attempt(&server, "deu.officer", "wrong password!", "123456")
    });
    assert!(answers.iter().all(|a| a.status == 401), "{answers:?}");
    let auditor = server.session("sg.auditor");
    let failed = entries(&auditor.get("/api/v1/audit?action=signin&user=deu.officer&limit=1000"));
    assert_eq!(failed.len(), 25, "every attempt counts: {failed:?}");
    assert!(
        failed
            .iter()
            .any(|e| e["detail"] == "wrong password; account locked")
    );
    let officer = server.person("deu.officer");
    let code = palermo_hub::totp_now(officer["totp_secret"].as_str().unwrap()).unwrap();
    let locked = sign_in_attempt(
        &server,
        "deu.officer",
        officer["password"].as_str().unwrap(),
        &code,
    );
    assert_eq!(
        locked.body, answers[0].body,
        "locked, and saying so to no one"
    );

    let operator = server.person("fra.operator");
    let code = palermo_hub::totp_now(operator["totp_secret"].as_str().unwrap()).unwrap();
    let password = operator["password"].as_str().unwrap();
    let answers = at_once(6, || {
        sign_in_attempt(&server, "fra.operator", password, &code)
    });
    let signed_in = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(signed_in, 1, "one code, one session: {answers:?}");
    // (The five replays counted as failures: fra.operator is locked now.)
    let reviewer = server.person("sg.reviewer");
    let password = reviewer["password"].as_str().unwrap();
    let recovery = reviewer["recovery_codes"][0].as_str().unwrap();
    let answers = at_once(6, || {
        sign_in_attempt(&server, "sg.reviewer", password, recovery)
    });
    assert_eq!(
        answers.iter().filter(|a| a.status == 201).count(),
        1,
        "{answers:?}"
    );
}

#[test]
fn sign_ins_and_bad_credentials_are_throttled_and_cost_the_trail_nothing() {
    let server = Server::demo_with(&[
        "--sign-ins-per-minute-per-address",
        "1000",
        "--sign-ins-per-minute-per-user",
        "3",
        "--bad-credentials-per-minute-per-address",
        "10",
        "--requests-per-second-per-key",
        "5",
        "--audit-head-interval",
        "1",
    ]);
    // By user name: whoever sends them, an account is not guessed at speed.
    for _ in 0..3 {
        sign_in_attempt(&server, "sg.admin", "guess guess guess", "123456").problem(401);
    }
    let throttled = sign_in_attempt(&server, "sg.admin", "guess guess guess", "123456");
    throttled.problem(429);
    assert!(
        throttled
            .retry_after
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().unwrap() > 0)
    );
    // An unknown name is throttled alike: the answer tells nothing.
    for _ in 0..3 {
        sign_in_attempt(&server, "nobody.at.all", "guess guess guess", "123456").problem(401);
    }
    sign_in_attempt(&server, "nobody.at.all", "guess guess guess", "123456").problem(429);

    // Bad bearer tokens with text of the attacker's choosing: counted per address, 429
    // past the rate, and not one character of them in the trail.
    let marker = "ATTACKER-CHOSEN-TEXT";
    let mut statuses = Vec::new();
    for i in 0..15 {
        let answer = server
            .anonymous()
            .with_key(&format!("plm_{marker}{i}"))
            .get(&format!("/api/v1/documents/{marker}{i}%E2%80%AEgnp.exe"));
        statuses.push(answer.status);
    }
    assert_eq!(&statuses[..10], [401; 10]);
    assert_eq!(&statuses[10..], [429; 5]);
    // Signing out with a bad token is a request with a bad credential like any other.
    let sign_out = server
        .anonymous()
        .with_key("pls_not-a-session")
        .delete("/api/v1/sessions/current");
    assert_eq!(sign_out.status, 429, "{}", sign_out.text);
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    let auditor = server.session("sg.auditor");
    let trail = auditor.get("/api/v1/audit?action=credentials.rejected&limit=1000");
    let rejected = entries(&trail);
    assert_eq!(
        rejected.len(),
        1,
        "one entry for the address: {}",
        trail.text
    );
    assert!(
        rejected[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("16 requests")
    );
    let everything = auditor.get("/api/v1/audit?limit=1000");
    assert!(!everything.text.contains(marker));

    // Per key: a key past its rate is refused, with the time to wait.
    let fra = server.client("FRA");
    // At once, so that however slow the machine the burst is past the bucket (5 a second).
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let sent: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    fra.get("/api/v1/checks/documents?number=X1&country=FRA")
                        .status
                })
            })
            .collect();
        sent.into_iter().map(|s| s.join().unwrap()).collect()
    });
    assert!(statuses.contains(&429), "{statuses:?}");
    let refused = fra.get("/api/v1/checks/documents?number=X1&country=FRA");
    if refused.status == 429 {
        assert!(refused.retry_after.is_some());
    }
}

#[test]
fn anonymous_sign_ins_cannot_exhaust_the_hub() {
    let server = Server::demo_with(&[
        "--sign-ins-per-minute-per-address",
        "100000",
        "--sign-ins-per-minute-per-user",
        "100000",
    ]);
    // Far more sign-ins at once than the hashing gate lets through or queues: the rest are
    // refused at once (429) instead of each holding 19 MiB and a thread.
    let answers = at_once(80, || {
        sign_in_attempt(&server, "fra.operator", "wrong password!", "1")
    });
    let throttled = answers.iter().filter(|a| a.status == 429).count();
    assert!(
        throttled > 0,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|a| [401, 429].contains(&a.status)));
    assert!(
        answers
            .iter()
            .filter(|a| a.status == 429)
            .all(|a| a.retry_after.is_some())
    );
}

/// A webhook receiver on loopback: answers 200 to every delivery and records when each came,
/// or (`stall`) accepts connections and never answers.
fn webhook_receiver(stall: bool) -> (String, std::sync::mpsc::Receiver<std::time::Instant>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (arrived, arrivals) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            if stall {
                held.push(stream);
                continue;
            }
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = arrived.send(std::time::Instant::now());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, arrivals)
}

#[test]
fn webhooks_reach_no_internal_address_and_one_stalled_receiver_delays_no_other() {
    let strict = Server::demo();
    let secretariat = strict.session("sg.admin");
    for url in [
        "http://ncb.example.org/hook",
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fd12::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[::127.0.0.1]/hook",
        "https://[::ffff:0:7f00:1]/hook",
        "https://[2001::7f00:1]/hook",
        "https://[100::1]/hook",
        "https://0.0.0.0/hook",
        "https://intranet/hook",
        "https://user:secret@ncb.example.org/hook",
        "gopher://ncb.example.org/",
    ] {
        let answer = secretariat.put("/api/v1/admin/webhooks/FRA", &json!({"url": url}));
        assert_eq!(answer.problem(422), ["url"], "{url}");
    }
    let public = secretariat.put(
        "/api/v1/admin/webhooks/FRA",
        &json!({"url": "https://ncb-paris.example.org/palermo"}),
    );
    assert_eq!(public.status, 200, "{}", public.text);
    drop(strict);

    // Loopback receivers only because the operator allows them, for this trial.
    let server = Server::demo_with(&["--webhook-allow", "127.0.0.1"]);
    let secretariat = server.session("sg.admin");
    let (stalled, _never) = webhook_receiver(true);
    let (healthy, arrivals) = webhook_receiver(false);
    for (org, url) in [("DEU", &stalled), ("ITA", &healthy)] {
        let set = secretariat.put(
            &format!("/api/v1/admin/webhooks/{org}"),
            &json!({"url": url}),
        );
        assert_eq!(set.status, 200, "{}", set.text);
    }
    let still_refused = secretariat.put(
        "/api/v1/admin/webhooks/ITA",
        &json!({"url": "http://10.0.0.1/hook"}),
    );
    assert_eq!(still_refused.problem(422), ["url"]);
    let fra = server.client("FRA");
    let message = |to: &str, subject: &str| {
        let sent = fra.post(
            "/api/v1/messages",
            &json!({"to": [to], "subject": subject, "body": "see the attached case"}),
        );
        assert_eq!(sent.status, 201, "{}", sent.text);
    };
    for i in 0..3 {
        message("DEU", &format!("to the stalled receiver {i}"));
    }
    std::thread::sleep(std::time::Duration::from_millis(600));
    let sent = std::time::Instant::now();
    message("ITA", "to the healthy receiver");
    let arrived = arrivals
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the healthy receiver gets its message");
    // The stalled receiver holds its first delivery for the whole delivery timeout (10 s);
    // the healthy one was served meanwhile, not after it.
    let trail = server
        .session("sg.auditor")
        .get("/api/v1/audit?action=message.deliver&limit=100");
    let deliveries = entries(&trail);
    assert!(
        deliveries.iter().all(|e| e["concerns"] == json!(["ITA"])),
        "no attempt to DEU has finished yet: {}",
        trail.text
    );
    eprintln!(
        "webhook delivery delay with one receiver stalled: {} ms",
        arrived.duration_since(sent).as_millis()
    );
}

#[test]
fn every_path_that_hands_out_a_message_body_audits_it_and_gives_the_receipt() {
    let server = Server::demo();
    let (fra, deu) = (server.client("FRA"), server.client("DEU"));
    let sent = fra.post(
        "/api/v1/messages",
        &json!({"to": ["DEU"], "subject": "a lead", "body": "the body"}),
    );
    let id = sent.body["id"].as_i64().unwrap();
    let read_by_deu =
        || fra.get(&format!("/api/v1/messages/{id}")).body["to"][0]["read_at"].is_string();
    assert!(!read_by_deu());
    let inbox = deu.get("/api/v1/messages?box=inbox");
    assert_eq!(inbox.body["messages"][0]["body"], "the body");
    assert!(
        inbox.body["messages"][0]["to"][0]["read_at"].is_string(),
        "{}",
        inbox.text
    );
    assert!(read_by_deu(), "reading the inbox gives the read receipt");

    let reply = fra.post(
        "/api/v1/messages",
        &json!({"to": ["DEU"], "subject": "more", "body": "the second body", "in_reply_to": id}),
    );
    let reply_id = reply.body["id"].as_i64().unwrap();
    let thread = deu.get(&format!("/api/v1/messages/{id}/thread"));
    assert_eq!(thread.body["messages"][1]["body"], "the second body");
    assert!(
        fra.get(&format!("/api/v1/messages/{reply_id}")).body["to"][0]["read_at"].is_string(),
        "reading the thread gives the receipts"
    );
    let trail = server
        .session("sg.auditor")
        .get("/api/v1/audit?org=DEU&limit=1000");
    let actions: Vec<(String, String)> = entries(&trail)
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("message."))
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("message.list".to_owned(), format!("message:{id}")),
            (
                "message.thread".to_owned(),
                format!("messages:{id},{reply_id}")
            ),
        ]
    );
}

#[test]
fn cutting_off_the_end_of_the_trail_is_caught_by_a_witness_and_by_the_pinned_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key_file = dir.path().join("elsewhere").join("audit.pk8");
    std::fs::create_dir_all(key_file.parent().unwrap()).unwrap();
    let key_arg = key_file.to_str().unwrap();
    let mut server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "10",
            "--demo-vehicles",
            "0",
            "--audit-head-interval",
            "1",
            "--audit-key",
            key_arg,
        ],
    );
    assert!(key_file.exists() && !data.join("audit-signing-key.pk8").exists());
    let fra = server.client("FRA");
    for i in 0..5 {
        fra.get(&format!(
            "/api/v1/checks/documents?number=WIT{i}&country=FRA"
        ));
    }
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    // A member bureau witnesses the head, as a Certificate Transparency client keeps signed
    // tree heads.
    let heads = dir.path().join("heads.jsonl");
    let head = palermo_cli(&[
        "audit",
        "head",
        "--hub",
        &server.url,
        "--keep",
        heads.to_str().unwrap(),
    ]);
    assert!(head.status.success(), "{head:?}");
    let witnessed = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    let (seq, _) = witnessed.split_once(':').unwrap();
    let seq: i64 = seq.parse().unwrap();
    assert!(
        std::fs::read_to_string(&heads)
            .unwrap()
            .contains("signature")
    );
    server.kill();

    let verify = |extra: &[&str]| {
        let output = crate::support::palermo()
            .args(["audit", "verify", "--data"])
            .arg(&data)
            .args(["--audit-key", key_arg])
            .args(extra)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    assert!(verify(&["--expect-head", &witnessed]).0);
    // Whoever holds the database cuts off the end of the trail and the heads signed over it.
    let mut db = crate::support::Database::of(&data);
    let cut = seq - 3;
    db.execute(&format!(
        "DELETE FROM audit WHERE seq > {cut}; DELETE FROM audit_subjects WHERE seq > {cut};
         DELETE FROM audit_heads WHERE seq > {cut};"
    ));
    let (intact, report) = verify(&["--expect-head", &witnessed]);
    assert!(
        !intact && report.contains("deleted from its end"),
        "{report}"
    );
    // …and signs a head over the shortened trail with a key of its own: not the hub's.
    let (last_seq, last_hash) = db.audit_head();
    let forger =
        palermo_hub::SigningKey::from_pkcs8(&palermo_hub::SigningKey::generate().unwrap()).unwrap();
    let forged = forger.sign_head(
        last_seq,
        last_hash.try_into().unwrap(),
        palermo_core::Timestamp::now(),
    );
    db.insert_head(
        forged.seq,
        &forged.hash,
        forged.at.0,
        &forged.public_key,
        &forged.signature,
    );
    let (intact, report) = verify(&[]);
    assert!(!intact && report.contains("not the hub's"), "{report}");
}

#[test]
fn the_data_directory_is_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // SAFETY: the test process sets its umask before spawning the hub, which inherits it.
    let old = unsafe { libc::umask(0) };
    let server = Server::start(
        &data,
        &["--demo", "--demo-documents", "10", "--demo-vehicles", "0"],
    );
    unsafe { libc::umask(old) };
    let fra = server.client("FRA");
    assert_eq!(
        fra.post("/api/v1/documents", &document("PERM0001", "FRA"))
            .status,
        201
    );
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    if crate::support::on_postgres() {
        assert!(
            data.join("database-url").exists(),
            "the database's URL is kept, privately"
        );
    } else {
        assert!(data.join("palermo.db-wal").exists());
    }
}

#[test]
fn callers_may_see_weaker_candidates_but_never_make_them_hits() {
    let server = Server::demo();
    let (fra, deu) = (server.client("FRA"), server.client("DEU"));
    let person = json!({"id": "p-weak", "names": [{"full": "Oleksandr Kovalenko"}],
        "birth_date": "1975-02-03", "reported_date": "2026-01-10"});
    assert_eq!(fra.post("/api/v1/persons", &person).status, 201);
    let answer = deu.post(
        "/api/v1/checks/persons",
        &json!({"persons": [{"name": "Oleksandr Kovalenko", "birth_date": "1990-01-01"}],
            "threshold": 0}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let candidates = answer.body["results"][0]["candidates"].as_array().unwrap();
    assert!(
        !candidates.is_empty(),
        "the weak candidate is shown: {}",
        answer.text
    );
    assert!(
        candidates
            .iter()
            .all(|c| c["hit"] == false && c["score"].as_f64().unwrap() < 0.8)
    );
    assert_eq!(answer.body["results"][0]["hit"], false);
    assert_eq!(
        fra.get("/api/v1/hits").body["hits"],
        json!([]),
        "nothing for FRA to answer"
    );
}

#[test]
fn trail_entries_cannot_be_made_to_display_as_others() {
    let server = Server::demo();
    // A user name that, displayed raw, would read "user:nimda.gs" backwards.
    sign_in_attempt(
        &server,
        "eve\u{202e}sg.admin\u{2066}",
        "guess guess guess",
        "1",
    )
    .problem(401);
    let mut typed = document("BIDI0001", "FRA");
    typed["type"] = json!("passport\u{202e}");
    server
        .client("FRA")
        .post("/api/v1/documents", &typed)
        .problem(422);
    let trail = server.session("sg.auditor").get("/api/v1/audit?limit=1000");
    assert_eq!(trail.status, 200);
    for hidden in ['\u{202e}', '\u{2066}'] {
        assert!(!trail.text.contains(hidden), "{}", trail.text);
    }
    assert!(
        trail.text.contains("eve\\\\u{202E}sg.admin\\\\u{2066}"),
        "{}",
        trail.text
    );
}

#[test]
fn a_data_directory_import_is_the_named_bureaus_checked_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(Server::start(
        &data,
        &["--demo", "--demo-documents", "0", "--demo-vehicles", "0"],
    ));
    let file = dir.path().join("mixed.csv");
    std::fs::write(
        &file,
        "number,issuing_country,type,status,reported_date,owner\n\
         OWN000001,FRA,P,stolen,2026-01-10,FRA\n\
         THEIRS0001,DEU,P,stolen,2026-01-10,DEU\n",
    )
    .unwrap();
    let import = |file: &std::path::Path| {
        crate::support::palermo()
            .args(["import", "documents"])
            .arg(file)
            .args(["--bureau", "FRA", "--data"])
            .arg(&data)
            .output()
            .unwrap()
    };
    // A bureau imports its own records only: another bureau's row is an error with its line.
    let refused = import(&file);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let errors = String::from_utf8_lossy(&refused.stderr);
    assert!(
        errors.contains("line 3, column 6 (owner): is DEU"),
        "{errors}"
    );
    let own = dir.path().join("own.csv");
    std::fs::write(
        &own,
        "number,issuing_country,type,status,reported_date\nOWN000001,FRA,P,stolen,2026-01-10\n",
    )
    .unwrap();
    assert!(import(&own).status.success());
    let export = palermo_cli(&[
        "audit",
        "export",
        "--action",
        "document.import",
        "--data",
        data.to_str().unwrap(),
    ]);
    let imports: Vec<Value> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The demo data came in the same way, each bureau importing its own.
    assert_eq!(imports.len(), 12 + 2);
    assert_eq!(
        imports[12..]
            .iter()
            .map(|e| (e["org"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [("FRA", "invalid"), ("FRA", "ok")],
        "both imports are FRA's, the refused one too"
    );
    assert!(
        imports
            .iter()
            .all(|e| e["user"].as_str().unwrap().starts_with("console:"))
    );
    // An export for a bureau is what its auditors read, not the whole trail.
    let for_fra = palermo_cli(&[
        "audit",
        "export",
        "--bureau",
        "DEU",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(for_fra.status.success(), "{for_fra:?}");
    let lines: Vec<Value> = String::from_utf8_lossy(&for_fra.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for entry in &lines {
        let concerned = entry["concerns"]
            .as_array()
            .is_some_and(|c| c.iter().any(|o| o == "DEU"));
        assert!(entry["org"] == "DEU" || concerned, "{entry}");
    }
    // Nothing bypasses the rules for benchmarking.
    let unaudited = palermo_cli(&[
        "serve",
        "--benchmark-unaudited",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!unaudited.status.success());
    assert!(String::from_utf8_lossy(&unaudited.stderr).contains("unexpected argument"));
}

/// Regression: hits were read one page per party and then filtered, so hits the owner had
/// restricted away took the places of hits the checker could still see.
#[test]
fn every_hit_the_checker_may_see_is_reached_page_by_page() {
    let server = Server::demo();
    let (fra, deu) = (server.client("FRA"), server.client("DEU"));
    let mut ids = Vec::new();
    for i in 0..6 {
        let created = fra.post(
            "/api/v1/documents",
            &document(&format!("PAGE{i:04}"), "FRA"),
        );
        ids.push(created.body["id"].as_i64().unwrap());
        let checked = deu.get(&format!(
            "/api/v1/checks/documents?number=PAGE{i:04}&country=FRA"
        ));
        assert_eq!(checked.body["hit"], true);
    }
    // FRA restricts the five newest away from DEU: only the first stays DEU's to follow.
    for (i, id) in ids.iter().enumerate().skip(1) {
        let mut restricted = document(&format!("PAGE{i:04}"), "FRA");
        restricted["restriction"] = json!("except");
        restricted["restriction_countries"] = json!(["DEU"]);
        assert_eq!(
            fra.put(&format!("/api/v1/documents/{id}"), &restricted)
                .status,
            200
        );
    }
    let page = deu.get("/api/v1/hits?limit=1");
    let hits = page.body["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{}", page.text);
    assert_eq!(hits[0]["record_id"], ids[0]);
}

/// Regression: a person's identity documents were linked to the travel-documents database
/// with no trace: a lookup of any number, with no hit and no audit entry.
#[test]
fn linking_a_persons_documents_is_a_consultation_in_the_trail() {
    let server = Server::demo();
    let (fra, usa) = (server.client("FRA"), server.client("USA"));
    let created = fra.post("/api/v1/documents", &document("LINK00001", "FRA"));
    let document_id = created.body["id"].as_i64().unwrap();
    let person = json!({"id": "probe", "names": [{"full": "Nobody Special"}],
        "reported_date": "2026-01-10", "restriction": "only", "restriction_countries": ["USA"],
        "documents": [{"number": "LINK00001", "issuing_country": "FRA"},
                      {"number": "ABSENT0001", "issuing_country": "FRA"}]});
    let written = usa.post("/api/v1/persons", &person);
    assert_eq!(written.status, 201, "{}", written.text);
    assert_eq!(
        written.body["documents"][0]["record_ids"],
        json!([document_id])
    );
    let secretariat = server.session("sg.admin");
    let fra_auditor = new_person(&server, &secretariat, "fra.auditor", "FRA", &["auditor"]);
    let seen = entries(&fra_auditor.get("/api/v1/audit?action=person.documents&limit=100"));
    assert!(
        !seen.is_empty(),
        "FRA's auditors see that USA looked its document up"
    );
    assert!(
        seen.iter()
            .all(|e| e["org"] == "USA" && e["concerns"] == json!(["FRA"]))
    );
    assert!(seen.iter().all(|e| e["payload_withheld"] == true));
    let all = entries(
        &server
            .session("sg.auditor")
            .get("/api/v1/audit?action=person.documents&limit=100"),
    );
    assert!(
        all.iter()
            .any(|e| e["payload"].to_string().contains("ABSENT0001")),
        "what was looked up is kept"
    );
}
