use proptest::prelude::*;
use serde_json::json;
use time::macros::date;

use super::*;

fn context() -> CaseContext {
    CaseContext {
        today: date!(2026 - 12 - 01),
        owner: CountryCode::parse("FRA").unwrap(),
    }
}

fn good() -> Value {
    json!({
        "format": FORMAT_V1,
        "reference": "FR-OCRTEH-2026-0042",
        "status": "active",
        "form": "trafficking",
        "reported_date": "2026-11-20",
        "opened_date": "2026-09-01",
        "summary": "Recruitment through a modelling agency in Lagos, exploitation in Lyon.",
        "victims": [{
            "id": "V1", "age": 17, "gender": "female", "citizenship": ["NGA"],
            "country_of_exploitation": "FRA",
            "exploitation": ["sexual-exploitation"], "sexual_exploitation": ["prostitution"],
            "control": ["debt-bondage", "religious-or-ritual", "withholds-documents"],
            "recruitment": ["job-offer"], "recruiter_relation": "acquaintance",
            "platforms": ["facebook"], "trafficking_status": "identified",
            "status_decided_by": "law-enforcement",
            "identity": {"names": [{"given": "Blessing", "family": "Okafor"}], "birth_date": "2009-03-14"}
        }],
        "suspects": [{
            "id": "S1", "names": [{"given": "Joy", "family": "Eze"}], "gender": "female",
            "birth_date": "1984-06-02", "nationality": ["NGA"], "roles": ["recruiter", "exploiter"],
            "organisation": "O1"
        }],
        "organisations": [{"id": "O1", "name": "Starlight Models Ltd", "kind": "modelling-agency", "country": "NGA"}],
        "route": [
            {"country": "NGA", "role": "recruitment", "place": "Benin City", "from": "2026-01-10", "to": "2026-02-01"},
            {"country": "NER", "role": "transit", "from": "2026-02-03", "transport": "road"},
            {"country": "LBY", "role": "transit", "from": "2026-03-01", "to": "2026-05-30"},
            {"country": "ITA", "role": "transit", "from": "2026-06-02", "transport": "sea", "border_crossing": "Lampedusa"},
            {"country": "FRA", "role": "exploitation", "place": "Lyon", "from": "2026-06-20"}
        ],
        "documents": [{"id": "D1", "number": "a0 123-4567", "issuing_country": "NGA", "document_type": "P", "condition": "forged", "used_by": "V1"},
                      {"id": "D2", "number": "B9876543", "issuing_country": "NGA", "document_type": "passport", "condition": "genuine", "used_by": "S1"}],
        "vehicles": [{"id": "VH1", "plate": "AB-123-CD", "country": "FRA", "used_by": "S1"}],
        "communications": [
            {"id": "C1", "kind": "phone", "value": "06 12 34 56 78", "used_by": "S1"},
            {"id": "C2", "kind": "phone", "value": "+234 803 123 4567 ext. 12", "used_by": "S1"},
            {"id": "C3", "kind": "email", "value": "Joy.Eze+models@GoogleMail.com", "used_by": "S1"},
            {"id": "C4", "kind": "handle", "platform": "instagram", "value": "https://www.instagram.com/Starlight.Models/", "used_by": "O1"},
            {"id": "C5", "kind": "phone", "value": "+33 7 81 23 45 67", "used_by": "V1"}
        ],
        "money": [{"id": "M1", "kind": "bank-account", "iban": "fr76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP", "holder": "S1"},
                  {"id": "M2", "kind": "transfer", "provider": "Western Union", "reference": "123-456-7890",
                   "amount": {"value": "1500.00", "currency": "eur"}, "date": "2026-07-01", "holder": "S1"}],
        "addresses": [{"id": "A1", "country": "FRA", "street": "12 rue de la République", "postcode": "69002", "city": "Lyon", "role": "exploitation-site", "used_by": "S1"},
                      {"id": "A2", "country": "FRA", "street": "3 impasse des Lilas", "city": "Vénissieux", "role": "residence", "used_by": "V1"}],
        "attachments": [{"id": "F1", "sha256": "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "media_type": "image/jpeg"}]
    })
}

fn errors_of(value: &Value) -> Vec<(String, String)> {
    validate(value, context())
        .expect_err("the report should be refused")
        .0
        .into_iter()
        .map(|e| (e.field, e.detail))
        .collect()
}

fn has(errors: &[(String, String)], path: &str, detail: &str) -> bool {
    errors.iter().any(|(p, d)| p == path && d.contains(detail))
}

#[test]
fn a_full_report_is_read_and_its_identifiers_normalised() {
    let report = validate(&good(), context()).unwrap();
    assert_eq!(report.victims[0].age_band.as_deref(), Some("9-17"));
    let phones: Vec<(&str, Option<&str>)> = report
        .communications
        .iter()
        .filter(|c| c.kind == "phone")
        .map(|c| (c.normalised.as_str(), c.extension.as_deref()))
        .collect();
    // A national French form is read in France's plan (the reporting bureau's country).
    assert_eq!(
        phones,
        [
            ("+33612345678", None),
            ("+2348031234567", Some("12")),
            ("+33781234567", None)
        ]
    );
    assert_eq!(report.communications[2].normalised, "joyeze@gmail.com");
    assert_eq!(report.communications[3].normalised, "starlight.models");
    assert_eq!(
        report.money[0].iban.as_deref(),
        Some("FR7630006000011234567890189")
    );
    assert_eq!(report.money[0].bic.as_deref(), Some("BNPAFRPPXXX"));
    assert_eq!(report.money[1].amount.as_ref().unwrap().currency, "EUR");
    assert_eq!(report.documents[0].number_normalised, "A01234567");
    assert_eq!(
        report.vehicles[0].plate_normalised.as_deref(),
        Some("AB123CD")
    );
    assert_eq!(report.organisations[0].key, "NGA|STARLIGHT MODELS");
    assert_eq!(
        report.addresses[0].key,
        "FRA|69002|12 RUE DE LA REPUBLIQUE|LYON"
    );
    // The stored form reads back as itself.
    let text = serde_json::to_string(&report).unwrap();
    let again: CaseReport = serde_json::from_str(&text).unwrap();
    assert_eq!(again, report);
}

#[test]
fn nothing_of_a_victim_is_matched() {
    let report = validate(&good(), context()).unwrap();
    let ids = report.identifiers();
    let values: Vec<&str> = ids.iter().map(|i| i.value.as_str()).collect();
    assert!(values.contains(&"+33612345678"));
    assert!(values.contains(&"NGA|B9876543"));
    assert!(values.contains(&"FR7630006000011234567890189"));
    assert!(values.contains(&"instagram|starlight.models"));
    assert!(values.contains(&"JOY EZE|1984-06-02"));
    // The victim's own phone, document and address are not identifiers; nor is the name.
    for victim_value in ["+33781234567", "NGA|A01234567", "BLESSING OKAFOR"] {
        assert!(
            !values.iter().any(|v| v.contains(victim_value)),
            "{victim_value}"
        );
    }
    assert!(
        !ids.iter()
            .any(|i| i.entity == "V1" || i.entity == "A2" || i.entity == "D1")
    );
}

#[test]
fn others_see_counts_and_attributes_never_identities() {
    let report = validate(&good(), context()).unwrap();
    let seen = report.protected();
    let victim = &seen.victims[0];
    assert_eq!(seen.victims.len(), 1);
    assert!(victim.identity.is_none() && victim.identity_withheld);
    assert_eq!(victim.age, None);
    assert_eq!(victim.age_band.as_deref(), Some("9-17"));
    assert_eq!(victim.exploitation, ["sexual-exploitation"]);
    let text = serde_json::to_string(&seen).unwrap();
    for secret in [
        "Blessing",
        "Okafor",
        "2009-03-14",
        "78123",
        "A01234567",
        "Lilas",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // What is not the victim's stays.
    assert!(text.contains("+33612345678") && text.contains("B9876543"));
}

#[test]
fn every_problem_is_reported_at_once_with_its_pointer() {
    let mut bad = good();
    bad["status"] = json!("open");
    bad["reported_date"] = json!("2027-01-01");
    bad["colour"] = json!("red");
    bad["victims"][0]["age"] = json!(140);
    bad["victims"][0]["control"] = json!(["debt-bondage", "juju"]);
    bad["victims"][0]["sexual_exploitation"] = json!(["prostitution"]);
    bad["victims"][0]["exploitation"] = json!(["forced-labour"]);
    bad["suspects"][0]["organisation"] = json!("O9");
    bad["route"][2]["from"] = json!("2026-01-01");
    bad["communications"][0]["value"] = json!("+33 1 23");
    bad["communications"][2]["value"] = json!("no-at-sign");
    bad["money"][0]["iban"] = json!("FR7730006000011234567890189");
    bad["money"][0]["bic"] = json!("BNPAZZPP");
    bad["documents"][1]["used_by"] = json!("nobody");
    bad["addresses"][0]["id"] = json!("S1");
    let errors = errors_of(&bad);
    assert!(
        has(
            &errors,
            "/status",
            "\"open\" is not known: expected one of the case status values: active, follow-up, closed, closed-referred"
        ),
        "{errors:?}"
    );
    assert!(has(&errors, "/reported_date", "in the future"));
    assert!(has(&errors, "/colour", "is not a field here"));
    assert!(has(
        &errors,
        "/victims/0/age",
        "140 is out of range: expected 0 to 120"
    ));
    assert!(has(
        &errors,
        "/victims/0/control/1",
        "\"juju\" is not known"
    ));
    assert!(has(&errors, "/victims/0/control/1", "religious-or-ritual"));
    assert!(has(
        &errors,
        "/victims/0/sexual_exploitation",
        "lists no sexual exploitation"
    ));
    assert!(has(
        &errors,
        "/suspects/0/organisation",
        "\"O9\" is not the id of an organisation"
    ));
    assert!(
        has(&errors, "/route/2/from", "is before /route/1/from"),
        "{errors:?}"
    );
    assert!(
        has(&errors, "/communications/0/value", "not a valid number"),
        "{errors:?}"
    );
    assert!(has(&errors, "/communications/2/value", "no @"));
    assert!(has(&errors, "/money/0/iban", "check digits"));
    assert!(has(
        &errors,
        "/money/0/bic",
        "\"ZZ\" is not an ISO 3166-1 alpha-2"
    ));
    assert!(has(
        &errors,
        "/documents/1/used_by",
        "\"nobody\" is not the id"
    ));
    assert!(has(
        &errors,
        "/addresses/0/id",
        "\"S1\" is already the id of /suspects/0"
    ));
    assert_eq!(errors.len(), 14, "{errors:#?}");
}

#[test]
fn the_shape_and_the_size_are_checked_first() {
    let errors = validate(&json!([1, 2]), context()).unwrap_err();
    assert_eq!(errors.0[0].detail, "expected an object, found an array");
    let errors = parse_report(b"{\"format\": ", context()).unwrap_err();
    assert!(errors.0[0].detail.contains("line 1 column"), "{errors}");
    let big = vec![b' '; REPORT_BYTES_MAX + 1];
    assert!(
        parse_report(&big, context()).unwrap_err().0[0]
            .detail
            .contains("at most")
    );
    let errors = errors_of(&json!({}));
    for field in [
        "/format",
        "/reference",
        "/status",
        "/form",
        "/reported_date",
    ] {
        assert!(has(&errors, field, "is required"), "{field}: {errors:?}");
    }
    let errors = errors_of(&json!({"format": "palermo.case-report/2", "victims": {"id": 1}}));
    assert!(has(
        &errors,
        "/format",
        "expected \"palermo.case-report/1\""
    ));
    assert!(has(
        &errors,
        "/victims",
        "expected an array, found an object"
    ));
    let mut many = good();
    many["victims"] = json!(vec![json!({"id": "x"}); ITEMS_MAX + 1]);
    assert!(has(&errors_of(&many), "/victims", "at most 500"));
}

#[test]
fn ages_and_bands_agree() {
    let mut bad = good();
    bad["victims"][0]["age_band"] = json!("18-20");
    bad["victims"][0]["age"] = json!(-1);
    assert!(has(
        &errors_of(&bad),
        "/victims/0/age",
        "-1 is out of range"
    ));
    bad["victims"][0]["age"] = json!(17);
    assert!(has(
        &errors_of(&bad),
        "/victims/0/age_band",
        "in the band \"9-17\""
    ));
    bad["victims"][0]["age_band"] = json!("9-17");
    bad["victims"][0]["age"] = json!(30);
    // Born in 2009, the victim cannot have been 30.
    assert!(has(
        &errors_of(&bad),
        "/victims/0/identity/birth_date",
        "younger than the age given"
    ));
    bad["victims"][0]["age"] = json!(16.5);
    assert!(has(
        &errors_of(&bad),
        "/victims/0/age",
        "expected an integer"
    ));
}

#[test]
fn phone_numbers_read_national_and_international_forms() {
    let fra = CountryCode::parse("FRA");
    let gbr = CountryCode::parse("GBR");
    let cases = [
        ("+33 6 12 34 56 78", fra, "+33612345678"),
        ("0033612345678", gbr, "+33612345678"),
        ("06.12.34.56.78", fra, "+33612345678"),
        ("07911 123456", gbr, "+447911123456"),
        ("+44 (0)7911 123456", None, "+447911123456"),
        ("tel:+1-202-555-0143", None, "+12025550143"),
    ];
    for (raw, region, e164) in cases {
        assert_eq!(
            ident::phone(raw, region).map(|p| p.e164),
            Ok(e164.to_owned()),
            "{raw}"
        );
    }
    // An international number whatever the reporting country (the library applied the
    // region's national prefix: the United States' "1" cut São Paulo's area code).
    let usa = CountryCode::parse("USA");
    assert_eq!(
        ident::phone("+55 11 99015-2844", usa).unwrap().e164,
        "+5511990152844"
    );
    assert_eq!(
        ident::phone("tel:+55-11-99015-2844", usa).unwrap().e164,
        "+5511990152844"
    );
    assert!(ident::phone("12345", fra).is_err());
    assert!(ident::phone("+999 123 456", None).is_err());
    assert!(
        ident::phone("06 12 34 56 78", None)
            .unwrap_err()
            .contains("international form")
    );
    assert!(ident::phone("", fra).is_err());
}

#[test]
fn e_mail_addresses_fold_what_the_provider_ignores() {
    assert_eq!(ident::email("J.Doe+x@gmail.com").unwrap(), "jdoe@gmail.com");
    assert_eq!(
        ident::email("jdoe@GOOGLEMAIL.COM").unwrap(),
        "jdoe@gmail.com"
    );
    assert_eq!(
        ident::email("Anna+tag@outlook.com").unwrap(),
        "anna@outlook.com"
    );
    assert_eq!(
        ident::email("anna-tag@yahoo.com").unwrap(),
        "anna@yahoo.com"
    );
    // Elsewhere, dots and tags may be real parts of the address.
    assert_eq!(
        ident::email("a.b+c@example.org").unwrap(),
        "a.b+c@example.org"
    );
    for bad in [
        "@x.org",
        "a@",
        "a@b",
        "a b@x.org",
        "a@-x.org",
        "+t@gmail.com",
        "a@x.c",
    ] {
        assert!(ident::email(bad).is_err(), "{bad}");
    }
}

#[test]
fn handles_are_read_from_profile_urls() {
    let cases = [
        ("instagram", "@Some.Name", "some.name"),
        ("instagram", "instagram.com/some.name?hl=en", "some.name"),
        ("telegram", "https://t.me/Escort_Lyon", "escort_lyon"),
        ("tiktok", "https://www.tiktok.com/@dance_girl", "dance_girl"),
        (
            "x",
            "https://twitter.com/Jobs_Abroad/status/1",
            "jobs_abroad",
        ),
        (
            "facebook",
            "https://www.facebook.com/profile.php?id=100012345678",
            "100012345678",
        ),
        ("other", "SomeUser#1234", "someuser#1234"),
    ];
    for (platform, raw, handle) in cases {
        assert_eq!(ident::handle(platform, raw).as_deref(), Ok(handle), "{raw}");
    }
    assert!(
        ident::handle("telegram", "abc").is_err(),
        "too short for Telegram"
    );
    assert!(ident::handle("instagram", "https://example.com/name").is_err());
    assert!(ident::handle("x", "this_is_far_too_long_for_x").is_err());
    assert!(ident::handle("instagram", "bad name").is_err());
}

#[test]
fn ibans_and_bics_are_checked() {
    assert_eq!(
        ident::iban("DE44 5001 0517 5407 3249 31").unwrap(),
        "DE44500105175407324931"
    );
    assert_eq!(
        ident::iban("gb29nwbk60161331926819").unwrap(),
        "GB29NWBK60161331926819"
    );
    assert!(
        ident::iban("DE45 5001 0517 5407 3249 31")
            .unwrap_err()
            .contains("check digits")
    );
    assert!(
        ident::iban("DE44 5001 0517 5407 3249 3").is_err(),
        "one digit short for Germany"
    );
    assert!(ident::iban("XX44 5001").is_err());
    // Outside SWIFT's registry, the check digits still decide (Angola uses IBANs nationally).
    assert_eq!(
        ident::iban("AO06 0044 0000 6729 5030 1010 2").unwrap(),
        "AO06004400006729503010102"
    );
    assert!(ident::iban("AO07 0044 0000 6729 5030 1010 2").is_err());
    assert_eq!(ident::bic("deutdeff").unwrap(), "DEUTDEFFXXX");
    assert_eq!(ident::bic("DEUTDEFF500").unwrap(), "DEUTDEFF500");
    assert_eq!(
        ident::bic("1EUTDEFF").unwrap(),
        "1EUTDEFFXXX",
        "ISO 9362:2014"
    );
    for bad in ["DEUT", "DEU1DEFF5", "DEUTQQFF", "DEUT12FF", "DEUTDEFF50"] {
        assert!(ident::bic(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_schema_names_every_value_of_every_list() {
    let schema = schema::report_schema();
    let text = schema.to_string();
    for list in vocab::ALL {
        for code in list.codes() {
            assert!(
                text.contains(&format!("\"{code}\"")),
                "{} {code}",
                list.name
            );
        }
    }
    let properties = schema["properties"].as_object().unwrap();
    for field in ROOT_FIELDS {
        assert!(properties.contains_key(*field), "{field}");
    }
    let victim = schema["properties"]["victims"]["items"]["properties"]
        .as_object()
        .unwrap();
    for field in VICTIM_FIELDS {
        assert!(victim.contains_key(*field), "{field}");
    }
}

proptest! {
    /// The reader takes any JSON and answers with a report or errors, never a panic.
    #[test]
    fn any_bytes_are_answered(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_report(&bytes, context());
    }

    /// Any change of one field of a good report is accepted or refused with a pointer into it.
    #[test]
    fn mutated_reports_are_refused_with_a_path(
        field in proptest::sample::select(vec!["status", "form", "reported_date", "victims", "route", "money", "communications", "reference"]),
        value in prop_oneof![
            Just(json!(null)),
            Just(json!(17)),
            Just(json!("\u{0}")),
            Just(json!([{}])),
            Just(json!({"a": 1})),
            "[a-z0-9 +-]{0,20}".prop_map(|s| json!(s)),
        ],
    ) {
        let mut report = good();
        report[field] = value;
        if let Err(errors) = validate(&report, context()) {
            prop_assert!(errors.0.iter().all(|e| e.field.starts_with('/')));
        }
    }
}

#[test]
fn the_reference_lists_every_value() {
    let reference = include_str!("../../../../docs/case-report.md");
    for list in vocab::ALL {
        for code in list.codes() {
            assert!(
                reference.contains(&format!("`{code}`")),
                "docs/case-report.md: {} {code}",
                list.name
            );
        }
    }
}
