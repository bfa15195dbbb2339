//! The web application over real HTTP, from the attacker's side: no page without a session,
//! no form without its session's token or from another site, no other bureau's record by
//! URL, nothing a sender wrote run as markup, no redirect off the site. (The flows in a real
//! browser are in `scripts/web`.)

use std::time::Duration;

use serde_json::json;

use crate::support::Server;

/// A browser-like client: a cookie, no redirects followed, every header kept.
struct Page {
    status: u16,
    location: Option<String>,
    headers: Vec<(String, String)>,
    text: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn page_of(response: ureq::http::Response<ureq::Body>) -> Page {
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let location = headers
        .iter()
        .find(|(n, _)| n == "location")
        .map(|(_, v)| v.clone());
    let text = response.into_body().read_to_string().unwrap_or_default();
    Page {
        status,
        location,
        headers,
        text,
    }
}

/// Percent-encodes a form value (every byte but unreserved ones).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Browser {
    base: String,
    cookie: Option<String>,
}

impl Browser {
    fn anonymous(server: &Server) -> Browser {
        Browser {
            base: server.url.clone(),
            cookie: None,
        }
    }

    /// Signed in as a demo person: the web's cookie holds the hub's session token.
    fn signed_in(server: &Server, username: &str) -> Browser {
        let session = server.session(username);
        Browser {
            base: server.url.clone(),
            cookie: Some(format!("__Host-palermo={}", session.key.unwrap())),
        }
    }

    fn get(&self, path: &str) -> Page {
        let mut request = agent().get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        page_of(request.call().unwrap())
    }

    fn post(&self, path: &str, fields: &[(&str, &str)], site: &str) -> Page {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = agent()
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Sec-Fetch-Site", site);
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        page_of(request.send(body.as_bytes()).unwrap())
    }

    /// The form token of this session, as its pages carry it.
    fn csrf(&self) -> String {
        let page = self.get("/account");
        assert_eq!(page.status, 200, "{}", page.text);
        let marker = r#"name="csrf" value=""#;
        let start = page.text.find(marker).expect("a form token") + marker.len();
        page.text[start..start + 32].to_owned()
    }
}

#[test]
fn pages_need_a_session_and_forms_need_their_token_from_this_site() {
    let server = Server::demo();
    let anonymous = Browser::anonymous(&server);
    // Every page sends the person to sign in first, and back afterwards.
    for path in [
        "/check",
        "/hits",
        "/messages",
        "/records/documents/1",
        "/cases",
        "/notices/1",
    ] {
        let page = anonymous.get(path);
        assert_eq!(page.status, 303, "{path}: {}", page.text);
        let location = page.location.unwrap();
        assert!(location.starts_with("/signin?next="), "{path}: {location}");
    }
    // A form posted without a session does nothing either.
    let page = anonymous.post("/records/documents", &[("number", "X1")], "same-origin");
    assert_eq!(page.status, 303);

    let operator = Browser::signed_in(&server, "fra.operator");
    let token = operator.csrf();
    let document = [
        ("number", "WEB123456"),
        ("issuing_country", "FRA"),
        ("type", "passport"),
        ("status", "stolen"),
        ("reported_date", "2026-11-30"),
    ];
    // Without the token, with another session's token, or from another site: refused, and
    // nothing is written.
    let mut without: Vec<(&str, &str)> = document.to_vec();
    let refused = operator.post("/records/documents", &without, "same-origin");
    assert_eq!(refused.status, 403, "{}", refused.text);
    without.push(("csrf", "00000000000000000000000000000000"));
    assert_eq!(
        operator
            .post("/records/documents", &without, "same-origin")
            .status,
        403
    );
    let mut with: Vec<(&str, &str)> = document.to_vec();
    with.push(("csrf", &token));
    assert_eq!(
        operator
            .post("/records/documents", &with, "cross-site")
            .status,
        403
    );
    assert_eq!(
        operator
            .post("/records/documents", &with, "same-site")
            .status,
        403
    );
    let key = server.client("FRA");
    let check = key.post(
        "/api/v1/checks/documents",
        &json!({"documents": [{"number": "WEB123456", "issuing_country": "FRA"}]}),
    );
    assert_eq!(check.body["results"][0]["hit"], false, "{}", check.text);

    // With it, from this site: created, and the browser is sent to the record's page.
    let created = operator.post("/records/documents", &with, "same-origin");
    assert_eq!(created.status, 303, "{}", created.text);
    let location = created.location.unwrap();
    assert!(location.starts_with("/records/documents/"), "{location}");
    let record = operator.get(&location);
    assert_eq!(record.status, 200);
    assert!(record.text.contains("WEB123456"));
    let check = key.post(
        "/api/v1/checks/documents",
        &json!({"documents": [{"number": "WEB123456", "issuing_country": "FRA"}]}),
    );
    assert_eq!(check.body["results"][0]["hit"], true, "{}", check.text);

    // A bad field is shown beside the field, with 422, and nothing is written.
    let mut bad: Vec<(&str, &str)> = vec![
        ("number", "WEB9"),
        ("issuing_country", "ZZZ"),
        ("csrf", &token),
    ];
    bad.push(("status", "stolen"));
    let page = operator.post("/records/documents", &bad, "same-origin");
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text
            .contains(r#"id="documents-issuing_country-error""#),
        "{}",
        page.text
    );

    // Signing out ends the session: the cookie opens nothing any more.
    let out = operator.post("/signout", &[("csrf", &token)], "same-origin");
    assert_eq!(out.status, 303);
    assert!(
        out.all("set-cookie")
            .iter()
            .any(|c| c.contains("Max-Age=0"))
    );
    assert_eq!(operator.get("/check").status, 303);
}

#[test]
fn another_bureau_reaches_no_restricted_record_by_url_and_a_missing_one_reads_alike() {
    let server = Server::demo();
    // Germany's passport, for Germany's eyes only.
    let germany = server.client("DEU");
    let created = germany.post(
        "/api/v1/documents",
        &json!({"number": "DE0WEB777", "issuing_country": "DEU", "type": "passport",
                "status": "stolen", "reported_date": "2026-11-30", "restriction": "only", "restriction_countries": ["DEU"]}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();

    let officer = Browser::signed_in(&server, "deu.operator");
    let own = officer.get(&format!("/records/documents/{id}"));
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(own.text.contains("DE0WEB777"));

    let france = Browser::signed_in(&server, "fra.operator");
    let hidden = france.get(&format!("/records/documents/{id}"));
    let absent = france.get("/records/documents/987654321");
    assert_eq!(hidden.status, 404);
    assert_eq!(absent.status, 404);
    assert!(!hidden.text.contains("DE0WEB777"));
    // The two pages are the same but for nothing: what a 404 hides, its page does not tell.
    assert_eq!(hidden.text, absent.text);
    // Nor can France withdraw it with a form.
    let token = france.csrf();
    let refused = france.post(
        &format!("/records/documents/{id}/withdraw"),
        &[("csrf", &token)],
        "same-origin",
    );
    assert_eq!(refused.status, 404, "{}", refused.text);
    let changed = france.post(
        &format!("/records/documents/{id}/edit"),
        &[
            ("csrf", &token),
            ("number", "DE0WEB777"),
            ("issuing_country", "DEU"),
            ("type", "passport"),
            ("status", "lost"),
            ("reported_date", "2026-11-30"),
        ],
        "same-origin",
    );
    assert_eq!(changed.status, 404, "{}", changed.text);
    let record = germany.get(&format!("/api/v1/documents/{id}"));
    assert_eq!(record.status, 200);
    assert_eq!(record.body["status"], "stolen", "nothing changed");
    // A check by France finds nothing either.
    let page = france.post(
        "/check",
        &[("q", "DE0WEB777"), ("country", "DEU"), ("csrf", &token)],
        "same-origin",
    );
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("NO HIT"), "{}", page.text);
}

#[test]
fn pages_carry_a_strict_policy_and_the_session_cookie_its_flags() {
    let server = Server::demo();
    let anonymous = Browser::anonymous(&server);
    let form = anonymous.get("/signin");
    assert_eq!(form.status, 200);
    let policy = form.header("content-security-policy").unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(form.header("x-frame-options"), Some("DENY"));
    assert_eq!(form.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(form.header("cache-control"), Some("no-store"));
    // No inline script or style anywhere in the page.
    assert!(!form.text.contains("<script>") && !form.text.contains("style="));

    // The sign-in form's own token: a sign-in posted without it (from a forged form) fails.
    let person = server.person("deu.officer");
    let code = palermo_hub::totp_now(person["totp_secret"].as_str().unwrap()).unwrap();
    let forged = anonymous.post(
        "/signin",
        &[
            ("username", "deu.officer"),
            ("password", person["password"].as_str().unwrap()),
            ("code", &code),
        ],
        "same-origin",
    );
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(
        forged
            .all("set-cookie")
            .iter()
            .all(|c| !c.starts_with("__Host-palermo="))
    );

    // With it: a session cookie bound to this origin, out of scripts' reach, never sent
    // cross-site; and the next page is this site's own whatever `next` says.
    let cookie = form
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-palermo-signin="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = cookie.split_once('=').unwrap().1.to_owned();
    let browser = Browser {
        base: server.url.clone(),
        cookie: Some(cookie),
    };
    let signed = browser.post(
        "/signin",
        &[
            ("username", "deu.officer"),
            ("password", person["password"].as_str().unwrap()),
            ("code", &code),
            ("signin", &token),
            ("next", "//evil.example/phish"),
        ],
        "same-origin",
    );
    assert_eq!(signed.status, 303, "{}", signed.text);
    assert_eq!(signed.location.as_deref(), Some("/"));
    let session = signed
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-palermo=pls_"))
        .unwrap()
        .to_owned();
    for flag in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(session.contains(flag), "{session}");
    }
    // A wrong password reads like an unknown user, with 401.
    let wrong = Browser::anonymous(&server).get("/signin");
    let cookie = wrong.all("set-cookie")[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = cookie.split_once('=').unwrap().1.to_owned();
    let again = Browser {
        base: server.url.clone(),
        cookie: Some(cookie),
    };
    let page = again.post(
        "/signin",
        &[
            ("username", "deu.officer"),
            ("password", "nope"),
            ("code", "123456"),
            ("signin", &token),
        ],
        "same-origin",
    );
    assert_eq!(page.status, 401);
    assert!(page.text.contains("wrong user name, password or code"));
}

#[test]
fn what_another_bureau_wrote_is_shown_as_text_and_attachments_never_render() {
    let server = Server::demo();
    let germany = server.client("DEU");
    let sent = germany.post(
        "/api/v1/messages",
        &json!({"to": ["FRA"], "subject": "<script>alert('s')</script>",
                "body": "<img src=x onerror=alert(1)>\nline two",
                "attachments": [{"name": "page.html", "content_type": "text/html",
                                 "data": "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="}]}),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.body["id"].as_i64().unwrap();
    let attachment = sent.body["attachments"][0]["id"].as_i64().unwrap();
    let france = Browser::signed_in(&server, "fra.operator");
    let inbox = france.get("/messages");
    assert_eq!(inbox.status, 200);
    assert!(!inbox.text.contains("<script>alert"), "{}", inbox.text);
    assert!(inbox.text.contains("&lt;script&gt;alert"));
    // Listing reads nothing: the message is still unread for Germany's receipts.
    assert!(inbox.text.contains(r#"class="unread""#), "{}", inbox.text);
    let thread = france.get(&format!("/messages/{id}"));
    assert_eq!(thread.status, 200);
    assert!(!thread.text.contains("<img src=x"), "{}", thread.text);
    assert!(thread.text.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let file = france.get(&format!("/messages/{id}/attachments/{attachment}"));
    assert_eq!(file.status, 200);
    assert_eq!(
        file.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(
        file.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    // Reading it gave Germany its receipt.
    let receipt = germany.get(&format!("/api/v1/messages/{id}"));
    assert!(
        receipt.body["to"][0]["read_at"].is_string(),
        "{}",
        receipt.text
    );
    // An organisation not party to it reaches neither the thread nor the file.
    let partner = Browser::signed_in(&server, "europol.analyst");
    assert_eq!(partner.get(&format!("/messages/{id}")).status, 404);
    assert_eq!(
        partner
            .get(&format!("/messages/{id}/attachments/{attachment}"))
            .status,
        404
    );
}

#[test]
fn enrolling_a_new_authenticator_ends_the_persons_other_sessions_and_next_never_leaves_the_site() {
    let server = Server::demo();
    let person = server.person("fra.operator");
    // Two sessions of one person: a desk's (its TOTP code) and a phone's (a recovery code).
    let desk = Browser::signed_in(&server, "fra.operator");
    let recovery = person["recovery_codes"][0].as_str().unwrap();
    let answer = server.anonymous().post(
        "/api/v1/sessions",
        &json!({"username": "fra.operator", "password": person["password"], "code": recovery}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    let phone = Browser {
        base: server.url.clone(),
        cookie: Some(format!(
            "__Host-palermo={}",
            answer.body["token"].as_str().unwrap()
        )),
    };
    let token = phone.csrf();
    let page = phone.post("/account/authenticator", &[("csrf", &token)], "same-origin");
    assert_eq!(page.status, 200, "{}", page.text);
    let marker = r#"id="totp-secret">"#;
    let at = page.text.find(marker).unwrap() + marker.len();
    let secret = &page.text[at..at + 32];
    // A wrong code is refused beside its field; the desk's session still holds.
    let wrong = phone.post(
        "/account/authenticator/confirm",
        &[
            ("csrf", &token),
            ("password", person["password"].as_str().unwrap()),
            ("code", "000000"),
        ],
        "same-origin",
    );
    assert_eq!(wrong.status, 422);
    assert!(wrong.text.contains(r#"id="code-error""#));
    // The refusal is in the trail once, with the account's failure counted.
    let auditor = server.session("sg.auditor");
    let trail = auditor.get("/api/v1/audit?action=user.enrol-second-factor");
    assert_eq!(trail.status, 200, "{}", trail.text);
    assert_eq!(
        trail.body["entries"].as_array().unwrap().len(),
        1,
        "{}",
        trail.text
    );
    assert_eq!(desk.get("/account").status, 200);
    let code = palermo_hub::totp_now(secret).unwrap();
    let done = phone.post(
        "/account/authenticator/confirm",
        &[
            ("csrf", &token),
            ("password", person["password"].as_str().unwrap()),
            ("code", &code),
        ],
        "same-origin",
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(done.text.contains(r#"id="recovery-codes""#));
    assert_eq!(
        desk.get("/account").status,
        303,
        "the other session is over"
    );
    assert_eq!(phone.get("/account").status, 200, "this one goes on");

    // `next` leads within the site only, whatever it holds.
    for next in [
        "/%09/evil.example/phish",
        "//evil.example",
        "/%5Cevil.example",
        "/%01",
        "https://evil.example",
    ] {
        let page = phone.get(&format!("/signin?next={next}"));
        assert_eq!(page.status, 303, "{next}: {}", page.text);
        assert_eq!(page.location.as_deref(), Some("/"), "{next}");
    }
}

#[test]
fn a_withdrawn_record_is_not_brought_back_by_a_change() {
    let server = Server::demo();
    let france = server.client("FRA");
    let created = france.post(
        "/api/v1/documents",
        &json!({"number": "WD0000001", "issuing_country": "FRA", "type": "passport",
                "status": "stolen", "reported_date": "2026-11-30"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    let operator = Browser::signed_in(&server, "fra.operator");
    let token = operator.csrf();
    let page = operator.get(&format!("/records/documents/{id}"));
    assert!(page.text.contains("/edit"), "its owner may change it");
    let out = operator.post(
        &format!("/records/documents/{id}/withdraw"),
        &[("csrf", &token)],
        "same-origin",
    );
    assert_eq!(out.status, 200, "{}", out.text);
    let page = operator.get(&format!("/records/documents/{id}"));
    assert!(
        !page.text.contains("/edit"),
        "no form to change a withdrawn record"
    );
    let fields = [
        ("csrf", token.as_str()),
        ("number", "WD0000001"),
        ("issuing_country", "FRA"),
        ("type", "passport"),
        ("status", "stolen"),
        ("reported_date", "2026-11-30"),
    ];
    let refused = operator.post(
        &format!("/records/documents/{id}/edit"),
        &fields,
        "same-origin",
    );
    assert_eq!(refused.status, 409, "{}", refused.text);
    let api = france.put(
        &format!("/api/v1/documents/{id}"),
        &json!({"number": "WD0000001", "issuing_country": "FRA", "type": "passport",
                "status": "stolen", "reported_date": "2026-11-30"}),
    );
    assert_eq!(api.status, 409, "{}", api.text);
    let check = france.post(
        "/api/v1/checks/documents",
        &json!({"documents": [{"number": "WD0000001", "issuing_country": "FRA"}]}),
    );
    assert_eq!(
        check.body["results"][0]["hit"], false,
        "still withdrawn: {}",
        check.text
    );
}

impl Browser {
    /// A multipart form with one file, as a browser sends an upload.
    fn upload(&self, path: &str, fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> Page {
        let boundary = "----palermo-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = agent()
            .post(format!("{}{path}", self.base))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("Sec-Fetch-Site", "same-origin");
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        page_of(request.send(&body[..]).unwrap())
    }
}

#[test]
fn an_import_is_all_or_nothing_and_writes_for_no_other_bureau() {
    let server = Server::demo();
    let operator = Browser::signed_in(&server, "fra.operator");
    let token = operator.csrf();
    let key = server.client("FRA");
    let hits = |number: &str| {
        let check = key.post(
            "/api/v1/checks/documents",
            &json!({"documents": [{"number": number, "issuing_country": "FRA"}]}),
        );
        check.body["results"][0]["hit"] == true
    };
    let fields = [("csrf", token.as_str()), ("kind", "documents")];
    // One good row and one bad: nothing is written, the bad one named by its line.
    let mixed = b"number,issuing_country,type,status,reported_date\nIMP0000001,FRA,passport,stolen,2026-11-02\nIMP0000002,FRA,passport,eaten,2026-11-02\n";
    let page = operator.upload("/records/import", &fields, ("file", "mixed.csv", mixed));
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text.contains("<td>3</td>"),
        "line 3 named: {}",
        page.text
    );
    assert!(!hits("IMP0000001"), "the good row was not written either");
    // A row for another bureau is refused, and nothing is written.
    let foreign = b"number,issuing_country,type,status,reported_date,owner\nIMP0000003,FRA,passport,stolen,2026-11-02,DEU\n";
    let page = operator.upload("/records/import", &fields, ("file", "foreign.csv", foreign));
    assert!(
        page.status == 403 || page.status == 422,
        "{}: {}",
        page.status,
        page.text
    );
    assert!(!hits("IMP0000003"));
    // A repeated column is refused at line 1.
    let repeated = b"number,number,issuing_country,type,status,reported_date\nA1,B2,FRA,passport,stolen,2026-11-02\n";
    let page = operator.upload(
        "/records/import",
        &fields,
        ("file", "repeated.csv", repeated),
    );
    assert_eq!(page.status, 422);
    assert!(
        page.text.contains("repeats an earlier column"),
        "{}",
        page.text
    );
    // Without the form's token: refused before the file is read.
    let page = operator.upload(
        "/records/import",
        &[("kind", "documents")],
        ("file", "ok.csv", mixed),
    );
    assert_eq!(page.status, 403);
    // The good file, whole.
    let good = b"number,issuing_country,type,status,reported_date\nIMP0000001,FRA,passport,stolen,2026-11-02\n";
    let page = operator.upload("/records/import", &fields, ("file", "good.csv", good));
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("1 records added"), "{}", page.text);
    assert!(hits("IMP0000001"));
}
