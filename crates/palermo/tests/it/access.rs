//! The access-rule matrix: every endpoint × every kind of caller × every restriction, against
//! the real binary. A record the caller may not see must be indistinguishable from one that
//! does not exist: the same status and the same body.

use serde_json::{Value, json};

use crate::support::{Answer, Client, Server, palermo};

/// A kind of caller and what the rules let it do.
struct Who {
    name: &'static str,
    client: Client,
    /// `None`: unauthenticated (every call is 401).
    rights: Option<Rights>,
}

#[derive(Clone, Copy)]
struct Rights {
    check: bool,
    read: bool,
    write: bool,
    hits: bool,
    audit: bool,
    /// The member bureau it acts for, if any.
    bureau: Option<&'static str>,
    /// The secretariat sees every record.
    secretariat: bool,
}

const NONE: Rights = Rights {
    check: false,
    read: false,
    write: false,
    hits: false,
    audit: false,
    bureau: None,
    secretariat: false,
};

/// A record of FRA with a restriction and a handling code.
struct Record {
    number: &'static str,
    restriction: &'static str,
    countries: &'static [&'static str],
    handling: &'static str,
    id: i64,
}

impl Record {
    fn visible_to(&self, rights: &Rights) -> bool {
        if rights.secretariat || rights.bureau == Some("FRA") {
            return true;
        }
        match (self.restriction, rights.bureau) {
            // Partners see neither records not to be passed on (H2) nor those with other
            // conditions (H3).
            ("all", None) => ["H0", "H1"].contains(&self.handling),
            ("all", _) => true,
            ("only", Some(bureau)) => self.countries.contains(&bureau),
            ("except", Some(bureau)) => !self.countries.contains(&bureau),
            // Partners see unrestricted records only.
            _ => false,
        }
    }

    fn body(&self) -> Value {
        json!({"number": self.number, "issuing_country": "FRA", "type": "P", "status": "stolen",
            "reported_date": "2026-01-10", "restriction": self.restriction,
            "restriction_countries": self.countries, "handling": self.handling,
            "handling_note": "ask NCB Paris before any use"})
    }
}

fn sign_in(server: &Server, username: &str) -> Client {
    server.session(username)
}

/// The body without what legitimately differs between two requests (the query echoed).
fn comparable(answer: &Answer) -> (u16, String, Value) {
    let mut body = answer.body.clone();
    if let Some(object) = body.as_object_mut() {
        object.remove("query");
    }
    (answer.status, answer.content_type.clone(), body)
}

#[test]
fn every_endpoint_applies_the_access_rules_without_leaking() {
    let mut server = Server::demo();
    let fra = server.client("FRA");
    let mut records = [
        Record {
            number: "MATRIXALL1",
            restriction: "all",
            countries: &[],
            handling: "H1",
            id: 0,
        },
        Record {
            number: "MATRIXH2",
            restriction: "all",
            countries: &[],
            handling: "H2",
            id: 0,
        },
        Record {
            number: "MATRIXH3",
            restriction: "all",
            countries: &[],
            handling: "H3",
            id: 0,
        },
        Record {
            number: "MATRIXONLY1",
            restriction: "only",
            countries: &["DEU"],
            handling: "H0",
            id: 0,
        },
        Record {
            number: "MATRIXEXC1",
            restriction: "except",
            countries: &["DEU"],
            handling: "H0",
            id: 0,
        },
    ];
    for record in &mut records {
        let created = fra.post("/api/v1/documents", &record.body());
        assert_eq!(created.status, 201, "{}", created.text);
        record.id = created.body["id"].as_i64().unwrap();
    }
    let absent_id = 999_999_999;
    let mut unknown_code = records[0].body();
    unknown_code["handling"] = json!("H9");
    assert_eq!(
        fra.post("/api/v1/documents", &unknown_code).problem(422),
        ["handling"]
    );
    let mut without_note = records[0].body();
    without_note["handling"] = json!("H3");
    without_note["handling_note"] = json!(null);
    assert_eq!(
        fra.post("/api/v1/documents", &without_note).problem(422),
        ["handling_note"]
    );

    let key_rights = |bureau| Rights {
        check: true,
        read: true,
        write: true,
        hits: true,
        bureau: Some(bureau),
        ..NONE
    };
    let whos = [
        Who {
            name: "FRA key (owner)",
            client: server.client("FRA"),
            rights: Some(key_rights("FRA")),
        },
        Who {
            name: "DEU key",
            client: server.client("DEU"),
            rights: Some(key_rights("DEU")),
        },
        Who {
            name: "ITA key",
            client: server.client("ITA"),
            rights: Some(key_rights("ITA")),
        },
        Who {
            name: "fra.operator",
            client: sign_in(&server, "fra.operator"),
            rights: Some(key_rights("FRA")),
        },
        Who {
            name: "deu.officer (frontline)",
            client: sign_in(&server, "deu.officer"),
            rights: Some(Rights {
                check: true,
                bureau: Some("DEU"),
                ..NONE
            }),
        },
        Who {
            name: "sg.reviewer",
            client: sign_in(&server, "sg.reviewer"),
            rights: Some(Rights {
                check: true,
                read: true,
                hits: true,
                secretariat: true,
                ..NONE
            }),
        },
        Who {
            name: "sg.auditor",
            client: sign_in(&server, "sg.auditor"),
            rights: Some(Rights {
                audit: true,
                secretariat: true,
                ..NONE
            }),
        },
        Who {
            name: "sg.admin",
            client: sign_in(&server, "sg.admin"),
            rights: Some(Rights {
                secretariat: true,
                ..NONE
            }),
        },
        Who {
            name: "europol.analyst (partner)",
            client: sign_in(&server, "europol.analyst"),
            rights: Some(Rights {
                check: true,
                ..NONE
            }),
        },
        Who {
            name: "anonymous",
            client: server.anonymous(),
            rights: None,
        },
        Who {
            name: "unknown key",
            client: server
                .anonymous()
                .with_key(&format!("plm_{}", "0".repeat(64))),
            rights: None,
        },
    ];

    let mut checked = 0;
    for who in &whos {
        let client = &who.client;
        let context = |what: &str, answer: &Answer| format!("{} {what}: {}", who.name, answer.text);
        let Some(rights) = who.rights else {
            for answer in [
                client.get("/api/v1/checks/documents?number=MATRIXALL1&country=FRA"),
                client.get(&format!("/api/v1/documents/{}", records[0].id)),
                client.get("/api/v1/hits"),
                client.get("/api/v1/audit"),
                client.post("/api/v1/documents", &records[0].body()),
            ] {
                answer.problem(401);
                checked += 1;
            }
            continue;
        };
        let absent_check = client.get("/api/v1/checks/documents?number=MATRIXNONE1&country=FRA");
        let absent_read = client.get(&format!("/api/v1/documents/{absent_id}"));
        let absent_update = client.put(
            &format!("/api/v1/documents/{absent_id}"),
            &records[0].body(),
        );
        for record in &records {
            let visible = record.visible_to(&rights);
            let path = format!("/api/v1/documents/{}", record.id);

            let check = client.get(&format!(
                "/api/v1/checks/documents?number={}&country=FRA",
                record.number
            ));
            if !rights.check {
                check.problem(403);
            } else if visible {
                assert_eq!(check.body["hit"], true, "{}", context("check", &check));
                assert_eq!(check.body["matches"][0]["handling"], record.handling);
            } else {
                assert_eq!(
                    comparable(&check),
                    comparable(&absent_check),
                    "{}",
                    context("check", &check)
                );
            }

            let read = client.get(&path);
            if !rights.read {
                read.problem(403);
            } else if visible {
                assert_eq!(read.status, 200, "{}", context("read", &read));
                assert_eq!(read.body["number"], record.number);
            } else {
                assert_eq!(
                    comparable(&read),
                    comparable(&absent_read),
                    "{}",
                    context("read", &read)
                );
            }

            let update = client.put(&path, &record.body());
            let owner = rights.bureau == Some("FRA");
            if !rights.write {
                update.problem(403);
            } else if !visible {
                assert_eq!(
                    comparable(&update),
                    comparable(&absent_update),
                    "{}",
                    context("update", &update)
                );
            } else if owner {
                assert_eq!(update.status, 200, "{}", context("update", &update));
            } else {
                // Visible but another bureau's: 422, the owner field says why (a caller
                // writes its own bureau's records only).
                assert!(
                    [403, 422].contains(&update.status),
                    "{}",
                    context("update", &update)
                );
            }

            if !owner {
                let withdraw = client.delete(&path);
                if !rights.write {
                    withdraw.problem(403);
                } else if !visible {
                    withdraw.problem(404);
                } else {
                    withdraw.problem(403);
                }
            }
            checked += 4;
        }
        let hits = client.get("/api/v1/hits");
        assert_eq!(
            hits.status,
            if rights.hits { 200 } else { 403 },
            "{}",
            context("hits", &hits)
        );
        let audit = client.get("/api/v1/audit");
        assert_eq!(
            audit.status,
            if rights.audit { 200 } else { 403 },
            "{}",
            context("audit", &audit)
        );
        let verify = client.get("/api/v1/audit/verify");
        assert_eq!(verify.status, if rights.audit { 200 } else { 403 });
        let create = client.post(
            "/api/v1/documents",
            &json!({"number": format!("NEW{checked}"), "issuing_country": "FRA", "type": "P",
                "status": "stolen", "reported_date": "2026-01-10"}),
        );
        if !rights.write {
            create.problem(403);
        } else {
            assert_eq!(create.status, 201, "{}", context("create", &create));
            assert_eq!(
                create.body["owner"],
                rights.bureau.unwrap(),
                "records are the caller's own"
            );
        }
        checked += 4;
    }
    assert!(checked > 150, "{checked} cases");

    // The owner's hits list shows checks by the bureaus allowed to see its records only.
    let hits = fra.get("/api/v1/hits?limit=1000");
    for hit in hits.body["hits"].as_array().unwrap() {
        let record = records
            .iter()
            .find(|r| r.id == hit["record_id"].as_i64().unwrap());
        if let Some(record) = record {
            let checker = hit["checking_org"].as_str().unwrap();
            let rights = Rights {
                bureau: ["FRA", "DEU", "ITA"].into_iter().find(|b| *b == checker),
                secretariat: checker == "SECRETARIAT",
                ..NONE
            };
            assert!(
                record.visible_to(&rights),
                "{checker} hit {}",
                record.number
            );
        }
    }

    // The console of a data directory passes the same rules when it acts for a bureau.
    server.kill();
    let local = |bureau: &str, number: &str| {
        let output = palermo()
            .args([
                "check",
                "document",
                number,
                "--country",
                "FRA",
                "--bureau",
                bureau,
                "--data",
            ])
            .arg(&server.data)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    assert!(local("DEU", "MATRIXONLY1").starts_with("HIT"));
    assert_eq!(local("ITA", "MATRIXONLY1"), "NO HIT");
    assert_eq!(local("DEU", "MATRIXEXC1"), "NO HIT");
}
