//! Notices and diffusions at the hub: a notice's life from request to cancellation, the
//! reviewer's checklist and overrides, and every refusal, tried from the attacker's side (another
//! bureau, a partner, the owner acting as a reviewer, a reviewer acting for the owner).

use std::sync::Arc;

use palermo_core::notice::NoticeInput;
use palermo_core::notice::rules::Override;
use palermo_core::{CountryCode, OrgCode, OrgKind, Permissions, PersonInput, Timestamp, Viewpoint};
use palermo_hub::{
    Caller, Hub, HubError, HubOptions, ManualClock, NoticeListQuery, NoticeMoveInput,
};
use palermo_store::{Mailbox, SqliteStore};
use serde_json::json;

struct World {
    hub: Hub,
    fra: Caller,
    deu: Caller,
    ita: Caller,
    reviewer: Caller,
    partner: Caller,
    /// A person of FRA's with a full identity.
    person: i64,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

fn secretariat(permissions: Permissions, user: &str) -> Caller {
    Caller {
        org: OrgCode::parse("IPSG").unwrap(),
        viewpoint: Viewpoint {
            kind: OrgKind::Secretariat,
            country: None,
        },
        permissions,
        user: Some(user.into()),
        api_key_id: None,
        source: None,
    }
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("palermo.db")).unwrap());
    let clock = ManualClock::at(Timestamp(1_796_000_000_000));
    let hub = Hub::open_with(
        store,
        HubOptions {
            clock: Some(Arc::new(clock.clone())),
            ..HubOptions::default()
        },
    )
    .unwrap();
    for code in ["FRA", "DEU", "ITA"] {
        hub.add_organisation(
            &Caller::console(),
            OrgCode::parse(code).unwrap(),
            OrgKind::Member,
            code,
        )
        .unwrap();
    }
    hub.add_organisation(
        &Caller::console(),
        OrgCode::parse("IPSG").unwrap(),
        OrgKind::Secretariat,
        "Secretariat",
    )
    .unwrap();
    hub.add_organisation(
        &Caller::console(),
        OrgCode::parse("NGO1").unwrap(),
        OrgKind::Partner,
        "Partner",
    )
    .unwrap();
    let country = |code| CountryCode::parse(code).unwrap();
    let fra = Caller::local_operator(country("FRA"));
    let person: PersonInput = serde_json::from_value(json!({
        "names": [{"given": "Jean", "family": "Dupont"}],
        "birth_date": "1980-04-12", "sex": "M", "reported_date": "2026-01-05"
    }))
    .unwrap();
    let person = hub.write_persons(&fra, &[person], "persons").unwrap().ids[0];
    World {
        hub,
        fra,
        deu: Caller::local_operator(country("DEU")),
        ita: Caller::local_operator(country("ITA")),
        reviewer: secretariat(
            Permissions::REVIEW | Permissions::CHECK | Permissions::READ_RECORDS,
            "sg.reviewer",
        ),
        partner: Caller {
            org: OrgCode::parse("NGO1").unwrap(),
            viewpoint: Viewpoint {
                kind: OrgKind::Partner,
                country: None,
            },
            permissions: Permissions::CHECK,
            user: Some("partner".into()),
            api_key_id: None,
            source: None,
        },
        person,
        clock,
        _dir: dir,
    }
}

fn red(person: i64) -> NoticeInput {
    serde_json::from_value(json!({
        "kind": "red",
        "person": person,
        "warrants": [{
            "kind": "arrest_warrant", "charge": "trafficking in human beings",
            "description": "recruited and moved women for exploitation", "reference": "TJ-1",
            "date": "2026-02-01", "authority": "Tribunal judiciaire de Paris",
            "issuing_country": "FRA", "max_penalty_months": 120
        }]
    }))
    .unwrap()
}

fn step(transition: &str) -> NoticeMoveInput {
    NoticeMoveInput {
        transition: Some(transition.into()),
        ..NoticeMoveInput::default()
    }
}

fn with_reason(transition: &str, reason: &str) -> NoticeMoveInput {
    NoticeMoveInput {
        reason: Some(reason.into()),
        ..step(transition)
    }
}

#[test]
fn a_red_notice_goes_from_request_to_publication_and_cancellation() {
    let w = world();
    let draft = w.hub.request_notice(&w.fra, &red(w.person)).unwrap();
    assert_eq!(
        (draft.state.as_str(), draft.version, draft.hits),
        ("draft", 1, false)
    );
    assert!(draft.action.contains("arrest"));
    let checklist = draft
        .checklist
        .as_ref()
        .expect("the owner sees the checklist");
    assert!(
        checklist.iter().all(|rule| rule.verdict == "pass"),
        "{checklist:?}"
    );

    // A draft is its owner's and the secretariat's only.
    assert!(matches!(
        w.hub.notice(&w.deu, draft.id),
        Err(HubError::NotFound)
    ));
    let id = draft.id;
    for (caller, transition, state) in [
        (&w.fra, "submit", "submitted"),
        (&w.reviewer, "start_review", "in_review"),
        (&w.reviewer, "publish", "published"),
    ] {
        let moved = w.hub.move_notice(caller, id, &step(transition)).unwrap();
        assert_eq!(moved.state, state);
    }
    // Published, it reaches every bureau, without the checklist.
    let seen = w.hub.notice(&w.deu, id).unwrap();
    assert!(seen.hits);
    assert!(seen.checklist.is_none());
    assert_eq!(
        w.hub
            .notices(&w.ita, &NoticeListQuery::default())
            .unwrap()
            .len(),
        1
    );

    let cancelled = w
        .hub
        .move_notice(
            &w.fra,
            id,
            &with_reason("cancel", "the person was arrested in Lyon"),
        )
        .unwrap();
    assert_eq!(cancelled.state, "cancelled");
    assert!(!cancelled.hits);
    // Cancelled, it is gone for the other bureaus at once.
    assert!(matches!(w.hub.notice(&w.deu, id), Err(HubError::NotFound)));
    assert!(
        w.hub
            .notices(&w.deu, &NoticeListQuery::default())
            .unwrap()
            .is_empty()
    );

    let history = w.hub.notice_history(&w.fra, id).unwrap();
    let steps: Vec<(&str, &str, &str)> = history
        .iter()
        .map(|e| {
            (
                e.transition.as_str(),
                e.to_state.as_str(),
                e.by_org.as_str(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "draft", "FRA"),
            ("submit", "submitted", "FRA"),
            ("start_review", "in_review", "IPSG"),
            ("publish", "published", "IPSG"),
            ("cancel", "cancelled", "FRA"),
        ]
    );
    assert_eq!(
        history[4].reason.as_deref(),
        Some("the person was arrested in Lyon")
    );
    assert!(history[3].detail.as_ref().unwrap()["checklist"].is_array());
    assert_eq!(history[3].by, "sg.reviewer");
    // Only the owner and the secretariat read the history.
    assert!(w.hub.notice_history(&w.deu, id).is_err());
}

#[test]
fn moves_that_are_not_the_callers_are_refused_and_change_nothing() {
    let w = world();
    let id = w.hub.request_notice(&w.fra, &red(w.person)).unwrap().id;
    // The owner does not review its own request; another bureau does not see it.
    w.hub.move_notice(&w.fra, id, &step("submit")).unwrap();
    let refused = w
        .hub
        .move_notice(&w.fra, id, &step("start_review"))
        .unwrap_err();
    assert!(
        matches!(&refused, HubError::Refused { state, detail: text } if state == "submitted" && text.contains("submitted")),
        "{refused:?}"
    );
    assert!(matches!(
        w.hub.move_notice(&w.deu, id, &step("cancel")),
        Err(HubError::NotFound)
    ));
    assert!(matches!(
        w.hub.move_notice(&w.partner, id, &step("cancel")),
        Err(HubError::NotFound)
    ));
    // A reviewer does not submit, update or confirm for the owner.
    assert!(matches!(
        w.hub.move_notice(&w.reviewer, id, &step("submit")),
        Err(HubError::Refused { .. })
    ));
    // Publishing before the review started: 409 with the current state.
    let early = w
        .hub
        .move_notice(&w.reviewer, id, &step("publish"))
        .unwrap_err();
    assert!(
        matches!(&early, HubError::Refused { state, detail: text } if state == "submitted" && text.contains("submitted")),
        "{early:?}"
    );
    // Nobody expires a notice by hand.
    assert!(matches!(
        w.hub.move_notice(&w.reviewer, id, &step("expire")),
        Err(HubError::Forbidden(_))
    ));
    // A refusal needs its reasons.
    w.hub
        .move_notice(&w.reviewer, id, &step("start_review"))
        .unwrap();
    let bare = w
        .hub
        .move_notice(&w.reviewer, id, &step("refuse"))
        .unwrap_err();
    assert!(
        matches!(&bare, HubError::Invalid(errors) if errors.0[0].field == "reason"),
        "{bare:?}"
    );
    let history = w.hub.notice_history(&w.fra, id).unwrap();
    assert_eq!(
        history.len(),
        3,
        "no refused move left a trace in the history"
    );
    let refused = w
        .hub
        .move_notice(
            &w.reviewer,
            id,
            &with_reason("refuse", "the offence is a private debt dispute"),
        )
        .unwrap();
    assert_eq!(refused.state, "refused");
    // The secretariat's suspension is lifted by the secretariat alone.
    let other = w
        .hub
        .request_notice(
            &w.fra,
            &serde_json::from_value(json!({
                "kind": "yellow", "person": w.person,
                "disappearance": {"date": "2026-10-01", "place": "Gare de Lyon", "country": "FRA"}
            }))
            .unwrap(),
        )
        .unwrap()
        .id;
    for (caller, transition) in [
        (&w.fra, "submit"),
        (&w.reviewer, "start_review"),
        (&w.reviewer, "publish"),
    ] {
        w.hub.move_notice(caller, other, &step(transition)).unwrap();
    }
    let held = w
        .hub
        .move_notice(
            &w.reviewer,
            other,
            &with_reason("suspend", "under review for compliance"),
        )
        .unwrap();
    assert_eq!(held.state, "held");
    assert!(matches!(
        w.hub.move_notice(&w.fra, other, &step("resume")),
        Err(HubError::Refused { .. })
    ));
    assert_eq!(
        w.hub
            .move_notice(&w.reviewer, other, &step("resume"))
            .unwrap()
            .state,
        "published"
    );
}

#[test]
fn a_request_is_the_owners_own_and_lists_every_missing_part() {
    let w = world();
    // Another bureau's person, or one that does not exist, is no subject for FRA's notice.
    let deu_person: PersonInput = serde_json::from_value(json!({
        "names": [{"full": "Hans Maier"}], "reported_date": "2026-01-05"
    }))
    .unwrap();
    let deu_person = w
        .hub
        .write_persons(&w.deu, &[deu_person], "persons")
        .unwrap()
        .ids[0];
    for person in [deu_person, 9999] {
        let refused = w.hub.request_notice(&w.fra, &red(person)).unwrap_err();
        assert!(
            matches!(&refused, HubError::Invalid(errors) if errors.0[0].field == "person"),
            "{refused:?}"
        );
    }
    // A bureau requests for itself only; partners and the secretariat request nothing.
    let mut for_deu = red(w.person);
    for_deu.owner = Some("DEU".into());
    assert!(matches!(
        w.hub.request_notice(&w.fra, &for_deu),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        w.hub.request_notice(&w.partner, &red(w.person)),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        w.hub.request_notice(&w.reviewer, &red(w.person)),
        Err(HubError::Forbidden(_))
    ));
    // Every missing part at once.
    let empty: NoticeInput = serde_json::from_value(json!({"kind": "red"})).unwrap();
    let missing = w.hub.request_notice(&w.fra, &empty).unwrap_err();
    let HubError::Invalid(errors) = missing else {
        panic!("{missing:?}")
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["person", "warrants"]);
    // The dry run shows the same, and the rules' verdicts, and stores nothing.
    let evaluated = w.hub.evaluate_notice(&w.fra, &empty).unwrap();
    assert!(!evaluated.valid);
    assert_eq!(evaluated.errors.len(), 2);
    assert!(
        evaluated
            .checklist
            .iter()
            .any(|r| r.rule == "judicial.minimum" && r.verdict == "fail")
    );
    assert!(
        w.hub
            .notices(&w.fra, &NoticeListQuery::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_reviewer_publishes_over_a_failed_rule_only_with_a_written_justification() {
    let w = world();
    let published = w.hub.request_notice(&w.fra, &red(w.person)).unwrap().id;
    for (caller, transition) in [
        (&w.fra, "submit"),
        (&w.reviewer, "start_review"),
        (&w.reviewer, "publish"),
    ] {
        w.hub
            .move_notice(caller, published, &step(transition))
            .unwrap();
    }
    // A second Red notice about the same person fails the duplicates rule.
    let second = w.hub.request_notice(&w.fra, &red(w.person)).unwrap();
    let duplicates = second
        .checklist
        .unwrap()
        .into_iter()
        .find(|r| r.rule == "duplicates.same_person")
        .unwrap();
    assert_eq!(duplicates.verdict, "fail");
    for (caller, transition) in [(&w.fra, "submit"), (&w.reviewer, "start_review")] {
        w.hub
            .move_notice(caller, second.id, &step(transition))
            .unwrap();
    }
    let refused = w
        .hub
        .move_notice(&w.reviewer, second.id, &step("publish"))
        .unwrap_err();
    assert!(
        matches!(&refused, HubError::Invalid(errors) if errors.0[0].field == "overrides"),
        "{refused:?}"
    );
    let thin = NoticeMoveInput {
        overrides: vec![Override {
            rule: "duplicates.same_person".into(),
            justification: "ok".into(),
        }],
        ..step("publish")
    };
    assert!(matches!(
        w.hub.move_notice(&w.reviewer, second.id, &thin),
        Err(HubError::Invalid(_))
    ));
    let justified = NoticeMoveInput {
        overrides: vec![Override {
            rule: "duplicates.same_person".into(),
            justification:
                "a second warrant from another court; the first notice will be cancelled".into(),
        }],
        ..step("publish")
    };
    assert_eq!(
        w.hub
            .move_notice(&w.reviewer, second.id, &justified)
            .unwrap()
            .state,
        "published"
    );
    let history = w.hub.notice_history(&w.reviewer, second.id).unwrap();
    let detail = history.last().unwrap().detail.as_ref().unwrap();
    assert_eq!(detail["overrides"][0]["rule"], "duplicates.same_person");
}

#[test]
fn a_diffusion_reaches_its_recipients_only_and_stops_when_found_non_compliant() {
    let w = world();
    let diffusion: NoticeInput = serde_json::from_value(json!({
        "kind": "warning", "person": w.person, "warning": "armed and violent",
        "recipients": ["DEU"], "restriction": "except", "restriction_countries": ["ITA"]
    }))
    .unwrap();
    let sent = w.hub.request_notice(&w.fra, &diffusion).unwrap();
    assert_eq!(
        (sent.state.as_str(), sent.hits, sent.diffusion),
        ("sent", true, true)
    );
    assert!(w.hub.notice(&w.deu, sent.id).unwrap().hits);
    // ITA is no recipient; a partner neither.
    assert!(matches!(
        w.hub.notice(&w.ita, sent.id),
        Err(HubError::NotFound)
    ));
    assert!(matches!(
        w.hub.notice(&w.partner, sent.id),
        Err(HubError::NotFound)
    ));
    // An update is seen at once and reviewed again; its kind stays.
    let mut changed = diffusion.clone();
    changed.warning = Some("armed; travels with two minors".into());
    let updated = w
        .hub
        .move_notice(
            &w.fra,
            sent.id,
            &NoticeMoveInput {
                request: Some(changed.clone()),
                ..step("update")
            },
        )
        .unwrap();
    assert_eq!((updated.version, updated.state.as_str()), (2, "sent"));
    let mut other_kind = changed;
    other_kind.kind = Some("information".into());
    other_kind.warning = None;
    other_kind.purpose = Some("locate".into());
    assert!(matches!(
        w.hub.move_notice(
            &w.fra,
            sent.id,
            &NoticeMoveInput {
                request: Some(other_kind),
                ..step("update")
            }
        ),
        Err(HubError::Conflict(text)) if text.contains("keeps its kind")
    ));
    let stopped = w
        .hub
        .move_notice(
            &w.reviewer,
            sent.id,
            &with_reason("find_non_compliant", "no judicial basis was given"),
        )
        .unwrap();
    assert_eq!(stopped.state, "non_compliant");
    assert!(matches!(
        w.hub.notice(&w.deu, sent.id),
        Err(HubError::NotFound)
    ));
}

#[test]
fn a_published_notice_changes_within_the_rules_only() {
    let w = world();
    let id = w.hub.request_notice(&w.fra, &red(w.person)).unwrap().id;
    for (caller, transition) in [
        (&w.fra, "submit"),
        (&w.reviewer, "start_review"),
        (&w.reviewer, "publish"),
    ] {
        w.hub.move_notice(caller, id, &step(transition)).unwrap();
    }
    // Lowering the penalty under the threshold after publication would reach every bureau
    // unreviewed: refused, and the notice stays as published.
    let mut lighter = red(w.person);
    lighter.warrants[0].max_penalty_months = Some(6);
    let refused = w
        .hub
        .move_notice(
            &w.fra,
            id,
            &NoticeMoveInput {
                request: Some(lighter),
                ..step("update")
            },
        )
        .unwrap_err();
    assert!(
        matches!(&refused, HubError::Refused { state, detail } if state == "published" && detail.contains("seriousness.threshold")),
        "{refused:?}"
    );
    assert_eq!(w.hub.notice(&w.deu, id).unwrap().version, 1);
    // A change within the rules is a new version, still published.
    let mut more = red(w.person);
    more.summary = Some("also sought for money laundering".into());
    let updated = w
        .hub
        .move_notice(
            &w.fra,
            id,
            &NoticeMoveInput {
                request: Some(more),
                ..step("update")
            },
        )
        .unwrap();
    assert_eq!((updated.version, updated.state.as_str()), (2, "published"));
}

#[test]
fn a_dry_run_tells_a_bureau_nothing_of_another_bureaus_person_or_requests() {
    let w = world();
    let id = w.hub.request_notice(&w.fra, &red(w.person)).unwrap().id;
    w.hub.move_notice(&w.fra, id, &step("submit")).unwrap();
    // DEU names FRA's person: the rules know nothing of them, FRA's request included.
    let evaluated = w.hub.evaluate_notice(&w.deu, &red(w.person)).unwrap();
    let text = serde_json::to_string(&evaluated).unwrap();
    assert!(
        !text.contains("submitted") && !text.contains(&format!("request {id}")),
        "{text}"
    );
    let identifiers = evaluated
        .checklist
        .iter()
        .find(|r| r.rule == "identifiers.minimum")
        .unwrap();
    assert_eq!(identifiers.verdict, "fail");
    let duplicates = evaluated
        .checklist
        .iter()
        .find(|r| r.rule == "duplicates.same_person")
        .unwrap();
    assert_eq!(duplicates.verdict, "pass");
}

#[test]
fn a_notice_expires_at_its_review_date_unless_its_owner_confirms_it() {
    let w = world();
    let mut short = red(w.person);
    short.review_date = Some("2027-01-01".into());
    let expiring = w.hub.request_notice(&w.fra, &short).unwrap().id;
    let confirmed = w
        .hub
        .request_notice(
            &w.fra,
            &serde_json::from_value(json!({
                "kind": "yellow", "person": w.person, "review_date": "2027-01-01",
                "disappearance": {"date": "2026-10-01", "place": "Gare de Lyon", "country": "FRA"}
            }))
            .unwrap(),
        )
        .unwrap()
        .id;
    for id in [expiring, confirmed] {
        for (caller, transition) in [
            (&w.fra, "submit"),
            (&w.reviewer, "start_review"),
            (&w.reviewer, "publish"),
        ] {
            w.hub.move_notice(caller, id, &step(transition)).unwrap();
        }
    }
    assert_eq!(w.hub.expire_notices().unwrap(), 0, "not yet");
    let extended = w
        .hub
        .move_notice(&w.fra, confirmed, &step("confirm"))
        .unwrap();
    assert_eq!(extended.meta.review_date.to_string(), "2031-11-30");
    // The day after the review date.
    w.clock.set(Timestamp(1_798_848_000_000));
    assert_eq!(w.hub.expire_notices().unwrap(), 1);
    assert_eq!(w.hub.expire_notices().unwrap(), 0, "once");
    assert!(matches!(
        w.hub.notice(&w.deu, expiring),
        Err(HubError::NotFound)
    ));
    let history = w.hub.notice_history(&w.fra, expiring).unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (
            last.transition.as_str(),
            last.to_state.as_str(),
            last.by.as_str()
        ),
        ("expire", "expired", "review date")
    );
    assert!(w.hub.notice(&w.deu, confirmed).unwrap().hits);
    // An expired notice is confirmed no more.
    assert!(matches!(
        w.hub.move_notice(&w.fra, expiring, &step("confirm")),
        Err(HubError::Refused { .. })
    ));
}

/// The subjects of a bureau's inbox, newest first.
fn inbox(w: &World, caller: &Caller) -> Vec<String> {
    w.hub
        .messages(caller, Mailbox::Inbox, None, 50)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

#[test]
fn bureaus_are_told_of_a_publication_and_a_cancellation_and_only_those_it_reaches() {
    let w = world();
    // A draft cancelled reached nobody: nobody is told.
    let draft = w.hub.request_notice(&w.fra, &red(w.person)).unwrap().id;
    w.hub
        .move_notice(
            &w.fra,
            draft,
            &with_reason("cancel", "requested by mistake"),
        )
        .unwrap();
    assert!(inbox(&w, &w.deu).is_empty());
    // Restricted to DEU: ITA is not told; DEU and the owner (the secretariat published it) are.
    let mut restricted = red(w.person);
    restricted.restriction = Some("only".into());
    restricted.restriction_countries = Some(palermo_core::record::CountryList(vec!["DEU".into()]));
    let id = w.hub.request_notice(&w.fra, &restricted).unwrap().id;
    for (caller, transition) in [
        (&w.fra, "submit"),
        (&w.reviewer, "start_review"),
        (&w.reviewer, "publish"),
    ] {
        w.hub.move_notice(caller, id, &step(transition)).unwrap();
    }
    let published = format!("red notice {id} of FRA published");
    assert_eq!(inbox(&w, &w.deu), std::slice::from_ref(&published));
    assert_eq!(inbox(&w, &w.fra), std::slice::from_ref(&published));
    assert!(inbox(&w, &w.ita).is_empty());
    let message = &w.hub.messages(&w.deu, Mailbox::Inbox, None, 1).unwrap()[0];
    assert_eq!(message.priority, "urgent");
    assert!(message.body.contains("arrest"), "{}", message.body);
    w.hub
        .move_notice(
            &w.fra,
            id,
            &with_reason("cancel", "arrested in Lyon on 1 December"),
        )
        .unwrap();
    assert_eq!(
        inbox(&w, &w.deu)[0],
        format!("red notice {id} of FRA cancelled: it no longer hits")
    );
    assert!(inbox(&w, &w.ita).is_empty());
    // A diffusion is announced to its recipients only, the moment it is sent.
    let diffusion: NoticeInput = serde_json::from_value(json!({
        "kind": "warning", "person": w.person, "warning": "armed", "recipients": ["ITA"]
    }))
    .unwrap();
    let sent = w.hub.request_notice(&w.fra, &diffusion).unwrap().id;
    assert_eq!(
        inbox(&w, &w.ita),
        [format!("warning diffusion {sent} of FRA sent")]
    );
    assert_eq!(inbox(&w, &w.deu).len(), 2, "DEU is no recipient");
}

/// Publishes `input` as FRA's, through the review; returns its id.
fn published(w: &World, input: &NoticeInput) -> i64 {
    let id = w.hub.request_notice(&w.fra, input).unwrap().id;
    for (caller, transition) in [
        (&w.fra, "submit"),
        (&w.reviewer, "start_review"),
        (&w.reviewer, "publish"),
    ] {
        w.hub.move_notice(caller, id, &step(transition)).unwrap();
    }
    id
}

fn check_document(w: &World, caller: &Caller, number: &str) -> palermo_hub::DocumentCheckResult {
    let query = palermo_hub::DocumentQuery {
        number: Some(number.into()),
        issuing_country: Some("FRA".into()),
        ..Default::default()
    };
    w.hub
        .check_documents(caller, &[query])
        .unwrap()
        .record(&w.hub)
        .unwrap()
        .remove(0)
}

fn check_plate(w: &World, caller: &Caller, plate: &str) -> palermo_hub::VehicleCheckResult {
    let query = palermo_hub::VehicleQuery {
        plate: Some(plate.into()),
        plate_country: Some("FRA".into()),
        ..Default::default()
    };
    w.hub
        .check_vehicles(caller, &[query])
        .unwrap()
        .record(&w.hub)
        .unwrap()
        .remove(0)
}

fn screen(w: &World, caller: &Caller, name: &str) -> Vec<palermo_hub::PersonCandidate> {
    let query = palermo_hub::PersonQuery {
        name: Some(name.into()),
        birth_date: Some("1980-04-12".into()),
        ..Default::default()
    };
    let checked = w.hub.screen_persons(caller, &[query], None).unwrap();
    checked.record(&w.hub).unwrap().remove(0).candidates
}

#[test]
fn checks_hit_a_published_notice_by_document_vehicle_and_person_until_it_is_cancelled() {
    let w = world();
    let mut input = red(w.person);
    input.summary = Some("Wanted for trafficking in human beings".into());
    input.documents =
        serde_json::from_value(json!([{"number": "18-FR 44120", "issuing_country": "FRA"}]))
            .unwrap();
    input.vehicles =
        serde_json::from_value(json!([{"plate": "AB-123-CD", "plate_country": "FRA"}])).unwrap();
    // A draft, a submitted request, one in review: nothing hits yet.
    let id = w.hub.request_notice(&w.fra, &input).unwrap().id;
    assert!(check_document(&w, &w.deu, "18FR44120").notices.is_empty());
    for (caller, transition) in [(&w.fra, "submit"), (&w.reviewer, "start_review")] {
        w.hub.move_notice(caller, id, &step(transition)).unwrap();
        assert!(!check_document(&w, &w.deu, "18FR44120").hit);
    }
    w.hub
        .move_notice(&w.reviewer, id, &step("publish"))
        .unwrap();

    // Published: a check of the document (as written any way), of the plate, of the person.
    let found = check_document(&w, &w.deu, "18fr44120");
    assert!(found.hit, "{found:?}");
    let notice = &found.notices[0];
    assert_eq!(
        (notice.notice_id, notice.kind, notice.matched_on),
        (id, "red", "document")
    );
    assert_eq!(notice.owner.as_str(), "FRA");
    assert!(notice.action.contains("arrest"), "{}", notice.action);
    assert_eq!(
        notice.summary.as_deref(),
        Some("Wanted for trafficking in human beings")
    );
    let by_plate = check_plate(&w, &w.ita, "AB123CD");
    assert_eq!(by_plate.notices[0].matched_on, "plate");
    assert!(by_plate.hit);
    let candidates = screen(&w, &w.deu, "Jean Dupont");
    let person = candidates.iter().find(|c| c.record_id == w.person).unwrap();
    assert_eq!(person.notices[0].notice_id, id, "{candidates:?}");
    assert!(check_document(&w, &w.deu, "18FR44121").notices.is_empty());

    // The hit procedure runs: the owner sees each hit on its notice, the checker its own.
    let owner_hits = w.hub.hits(&w.fra, None, None, 100).unwrap();
    let on_notice: Vec<_> = owner_hits
        .iter()
        .filter(|hit| hit.record_kind == "notice" && hit.record_id == id)
        .collect();
    assert_eq!(on_notice.len(), 3, "{owner_hits:?}");
    assert!(
        w.hub
            .hits(&w.ita, None, None, 100)
            .unwrap()
            .iter()
            .all(|hit| hit.record_kind != "notice" || hit.checking_org == "ITA")
    );

    // Cancelled, it leaves every check's answer at once.
    w.hub
        .move_notice(
            &w.fra,
            id,
            &with_reason("cancel", "arrested in Lyon on 3 March"),
        )
        .unwrap();
    let after = check_document(&w, &w.deu, "18FR44120");
    assert!(!after.hit && after.notices.is_empty(), "{after:?}");
    assert!(check_plate(&w, &w.ita, "AB123CD").notices.is_empty());
}

#[test]
fn a_notice_restricted_away_from_a_country_never_reaches_its_checks() {
    let w = world();
    let mut input = red(w.person);
    input.restriction = Some("except".into());
    input.restriction_countries = Some(palermo_core::record::CountryList(vec!["ITA".into()]));
    input.documents =
        serde_json::from_value(json!([{"number": "X1234567", "issuing_country": "FRA"}])).unwrap();
    let id = published(&w, &input);
    assert_eq!(
        check_document(&w, &w.deu, "X1234567").notices[0].notice_id,
        id
    );
    assert_eq!(
        check_document(&w, &w.fra, "X1234567").notices[0].notice_id,
        id
    );
    assert_eq!(
        check_document(&w, &w.reviewer, "X1234567").notices[0].notice_id,
        id
    );
    let hidden = check_document(&w, &w.ita, "X1234567");
    assert!(!hidden.hit && hidden.notices.is_empty(), "{hidden:?}");
    assert!(
        screen(&w, &w.ita, "Jean Dupont")
            .iter()
            .all(|c| c.notices.is_empty())
    );
}

#[test]
fn a_diffusion_hits_in_its_recipients_countries_only_and_stops_when_found_non_compliant() {
    let w = world();
    let mut input = red(w.person);
    input.kind = Some("wanted".into());
    input.recipients = Some(palermo_core::record::CountryList(vec!["DEU".into()]));
    input.documents =
        serde_json::from_value(json!([{"number": "D7654321", "issuing_country": "FRA"}])).unwrap();
    let id = w.hub.request_notice(&w.fra, &input).unwrap().id;
    let found = check_document(&w, &w.deu, "D7654321");
    assert_eq!(
        (found.notices[0].notice_id, found.notices[0].diffusion),
        (id, true)
    );
    assert!(check_document(&w, &w.ita, "D7654321").notices.is_empty());
    assert!(
        check_document(&w, &w.partner, "D7654321")
            .notices
            .is_empty()
    );
    w.hub
        .move_notice(
            &w.reviewer,
            id,
            &with_reason("find_non_compliant", "a private dispute over a debt"),
        )
        .unwrap();
    assert!(check_document(&w, &w.deu, "D7654321").notices.is_empty());
}

#[test]
fn a_reopened_hub_hits_what_was_published_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("palermo.db");
    // One store, two hubs in turn: the second builds its index from the store.
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let hub = Hub::open(store.clone()).unwrap();
    hub.add_organisation(
        &Caller::console(),
        OrgCode::parse("FRA").unwrap(),
        OrgKind::Member,
        "FRA",
    )
    .unwrap();
    let fra = Caller::local_operator(CountryCode::parse("FRA").unwrap());
    let mut input = red(1);
    input.person = None;
    input.kind = Some("wanted".into());
    input.recipients = Some(palermo_core::record::CountryList(vec!["all".into()]));
    input.person = Some(
        hub.write_persons(
            &fra,
            &[
                serde_json::from_value(json!({"names": [{"full": "Anna Kowalska"}],
                "reported_date": "2026-01-05"}))
                .unwrap(),
            ],
            "persons",
        )
        .unwrap()
        .ids[0],
    );
    input.documents =
        serde_json::from_value(json!([{"number": "R1111111", "issuing_country": "FRA"}])).unwrap();
    let id = hub.request_notice(&fra, &input).unwrap().id;
    drop(hub);
    let reopened = Hub::open(store).unwrap();
    let query = palermo_hub::DocumentQuery {
        number: Some("R1111111".into()),
        issuing_country: Some("FRA".into()),
        ..Default::default()
    };
    let result = reopened
        .check_documents(&fra, &[query])
        .unwrap()
        .record(&reopened)
        .unwrap()
        .remove(0);
    assert_eq!(result.notices[0].notice_id, id);
    assert_eq!(reopened.index_stats().notices_hitting, 1);
}

#[test]
fn a_public_search_reaches_160_extracts_at_most_and_clamps_later_pages() {
    use palermo_hub::public::PublicKind;
    let w = world();
    let persons: Vec<PersonInput> = (0..165)
        .map(|i| {
            serde_json::from_value(json!({
                "names": [{"given": format!("Given{i}"), "family": format!("Family{i}")}],
                "birth_date": "1980-04-12", "sex": "M", "reported_date": "2026-01-05"
            }))
            .unwrap()
        })
        .collect();
    let ids = w
        .hub
        .write_persons(&w.fra, &persons, "persons")
        .unwrap()
        .ids;
    for person in &ids {
        let mut input = red(*person);
        input.public_extract = true;
        published(&w, &input);
    }
    let query = |pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        w.hub.public_notices(PublicKind::Red, &pairs).unwrap()
    };
    let first = query(&[]);
    assert_eq!(
        (
            first.total,
            first.page,
            first.result_per_page,
            first.last_page
        ),
        (165, 1, 20, 8)
    );
    assert_eq!(first.notices.len(), 20);
    // Newest first.
    assert!(
        first
            .notices
            .windows(2)
            .all(|w| w[0].notice_id > w[1].notice_id)
    );
    let beyond = query(&[("page", "9")]);
    assert_eq!((beyond.page, beyond.notices.len()), (8, 20));
    assert_eq!(
        beyond.notices[0].notice_id,
        query(&[("page", "8")]).notices[0].notice_id
    );
    let all = query(&[("resultPerPage", "160"), ("page", "2")]);
    assert_eq!((all.page, all.last_page, all.notices.len()), (1, 1, 160));
    let one = query(&[("name", "^family7$")]);
    assert_eq!(
        (one.total, one.notices[0].name.as_deref()),
        (1, Some("FAMILY7"))
    );
    let refused = w
        .hub
        .public_notices(PublicKind::Red, &[("resultPerPage".into(), "0".into())])
        .unwrap_err();
    assert_eq!(refused.parameter, "resultPerPage");
}

#[test]
fn a_flood_of_one_bureaus_requests_takes_no_other_bureaus_place_and_records_a_bounded_hit_count() {
    let w = world();
    let deu_person = w
        .hub
        .write_persons(
            &w.deu,
            &[
                serde_json::from_value(json!({"names": [{"given": "Karl", "family": "Weber"}],
                "birth_date": "1971-01-01", "sex": "M", "reported_date": "2026-01-05"}))
                .unwrap(),
            ],
            "persons",
        )
        .unwrap()
        .ids[0];
    let document = json!([{"number": "F1000001", "issuing_country": "FRA"}]);
    let mut theirs = red(deu_person);
    theirs.owner = Some("DEU".into());
    theirs.warrants[0].issuing_country = Some("DEU".into());
    theirs.documents = serde_json::from_value(document.clone()).unwrap();
    let id = w.hub.request_notice(&w.deu, &theirs).unwrap().id;
    for (caller, transition) in [
        (&w.deu, "submit"),
        (&w.reviewer, "start_review"),
        (&w.reviewer, "publish"),
    ] {
        w.hub.move_notice(caller, id, &step(transition)).unwrap();
    }
    // FRA sends thirty diffusions naming the same document to ITA, which they reach at once.
    for _ in 0..30 {
        let mut flood = red(w.person);
        flood.kind = Some("wanted".into());
        flood.recipients = Some(palermo_core::record::CountryList(vec!["ITA".into()]));
        flood.documents = serde_json::from_value(document.clone()).unwrap();
        w.hub.request_notice(&w.fra, &flood).unwrap();
    }
    let found = check_document(&w, &w.ita, "F1000001");
    let fra_count = found
        .notices
        .iter()
        .filter(|n| n.owner.as_str() == "FRA")
        .count();
    assert_eq!(
        fra_count,
        palermo_hub::notices::NOTICES_PER_OWNER_MAX,
        "{found:?}"
    );
    assert!(
        found.notices.iter().any(|n| n.notice_id == id),
        "DEU's notice kept its place"
    );
    let hits = w.hub.hits(&w.fra, None, None, 1000).unwrap();
    assert_eq!(
        hits.iter().filter(|h| h.record_kind == "notice").count(),
        fra_count
    );
}

#[test]
fn a_country_a_diffusion_is_no_longer_sent_to_loses_its_hits_on_it() {
    let w = world();
    let mut input = red(w.person);
    input.kind = Some("wanted".into());
    input.recipients = Some(palermo_core::record::CountryList(vec![
        "DEU".into(),
        "ITA".into(),
    ]));
    input.documents =
        serde_json::from_value(json!([{"number": "P5550001", "issuing_country": "FRA"}])).unwrap();
    let id = w.hub.request_notice(&w.fra, &input).unwrap().id;
    assert_eq!(check_document(&w, &w.ita, "P5550001").notices.len(), 1);
    let on_notice = |caller: &Caller| {
        w.hub
            .hits(caller, None, None, 100)
            .unwrap()
            .into_iter()
            .filter(|h| h.record_kind == "notice" && h.record_id == id)
            .count()
    };
    assert_eq!(on_notice(&w.ita), 1);
    input.recipients = Some(palermo_core::record::CountryList(vec!["DEU".into()]));
    w.hub
        .move_notice(
            &w.fra,
            id,
            &NoticeMoveInput {
                request: Some(input),
                ..step("update")
            },
        )
        .unwrap();
    assert!(check_document(&w, &w.ita, "P5550001").notices.is_empty());
    assert_eq!(
        on_notice(&w.ita),
        0,
        "ITA no longer sees its hit on the diffusion"
    );
    assert_eq!(on_notice(&w.fra), 1, "the owner still does");
}

#[test]
fn a_public_extract_is_only_of_what_every_country_may_see_and_leaves_with_its_person() {
    use palermo_hub::public::PublicKind;
    let w = world();
    let search = |w: &World| w.hub.public_notices(PublicKind::Red, &[]).unwrap().total;
    // A restricted request, or one with a handling code, has no public extract.
    for (restriction, countries, handling) in
        [("except", vec!["ITA"], None), ("all", vec![], Some("H2"))]
    {
        let mut input = red(w.person);
        input.public_extract = true;
        input.restriction = Some(restriction.into());
        input.restriction_countries = Some(palermo_core::record::CountryList(
            countries.into_iter().map(str::to_owned).collect(),
        ));
        input.handling = handling.map(str::to_owned);
        if handling == Some("H2") {
            input.handling_note = None;
        }
        let refused = w.hub.request_notice(&w.fra, &input).unwrap_err();
        assert!(
            matches!(&refused, HubError::Invalid(e) if e.0.iter().any(|f| f.field == "public_extract")),
            "{refused:?}"
        );
    }
    // Nor one about a restricted person.
    let hidden: PersonInput = serde_json::from_value(json!({
        "names": [{"given": "Secret", "family": "Person"}], "birth_date": "1990-02-02",
        "sex": "M", "reported_date": "2026-01-05", "restriction": "only",
        "restriction_countries": ["DEU"]}))
    .unwrap();
    let hidden = w
        .hub
        .write_persons(&w.fra, &[hidden], "persons")
        .unwrap()
        .ids[0];
    let mut input = red(hidden);
    input.public_extract = true;
    assert!(matches!(
        w.hub.request_notice(&w.fra, &input),
        Err(HubError::Invalid(e)) if e.0[0].field == "public_extract"
    ));
    // Published public: listed; the person restricted since, then withdrawn: gone at once.
    let mut input = red(w.person);
    input.public_extract = true;
    published(&w, &input);
    assert_eq!(search(&w), 1);
    let restricted: PersonInput = serde_json::from_value(json!({
        "names": [{"given": "Jean", "family": "Dupont"}], "birth_date": "1980-04-12",
        "sex": "M", "reported_date": "2026-01-05", "restriction": "except",
        "restriction_countries": ["ITA"]}))
    .unwrap();
    w.hub.update_person(&w.fra, w.person, &restricted).unwrap();
    assert_eq!(
        search(&w),
        0,
        "a restriction set on the person takes the extract away"
    );
    let open: PersonInput = serde_json::from_value(json!({
        "names": [{"given": "Jean", "family": "Dupont"}], "birth_date": "1980-04-12",
        "sex": "M", "reported_date": "2026-01-05"}))
    .unwrap();
    w.hub.update_person(&w.fra, w.person, &open).unwrap();
    assert_eq!(search(&w), 1);
    w.hub.withdraw_person(&w.fra, w.person).unwrap();
    assert_eq!(search(&w), 0, "no extract without its person");
}

#[test]
fn a_published_notice_is_made_public_by_review_only() {
    let w = world();
    let id = published(&w, &red(w.person));
    let mut public = red(w.person);
    public.public_extract = true;
    let refused = w
        .hub
        .move_notice(
            &w.fra,
            id,
            &NoticeMoveInput {
                request: Some(public),
                ..step("update")
            },
        )
        .unwrap_err();
    assert!(
        matches!(&refused, HubError::Refused { state, .. } if state == "published"),
        "{refused:?}"
    );
    assert_eq!(
        w.hub
            .public_notices(palermo_hub::public::PublicKind::Red, &[])
            .unwrap()
            .total,
        0
    );
}

#[test]
fn reasons_and_justifications_refuse_control_and_invisible_characters() {
    let w = world();
    let mut input = red(w.person);
    input.warrants[0].charge = Some("membership of a banned political party".into());
    let id = w.hub.request_notice(&w.fra, &input).unwrap().id;
    w.hub.move_notice(&w.fra, id, &step("submit")).unwrap();
    w.hub
        .move_notice(&w.reviewer, id, &step("start_review"))
        .unwrap();
    for justification in ["\u{7}".repeat(30), "\u{200B}".repeat(30)] {
        let refused = w
            .hub
            .move_notice(
                &w.reviewer,
                id,
                &NoticeMoveInput {
                    overrides: vec![Override {
                        rule: "exclusions.character".into(),
                        justification,
                    }],
                    ..step("publish")
                },
            )
            .unwrap_err();
        assert!(matches!(refused, HubError::Invalid(_)), "{refused:?}");
    }
    let zero_width = w
        .hub
        .move_notice(&w.fra, id, &with_reason("cancel", &"\u{200B}".repeat(12)))
        .unwrap_err();
    assert!(matches!(zero_width, HubError::Invalid(e) if e.0[0].field == "reason"));
}
