use super::lifecycle::{Actor, State, Transition, next};
use super::rules::{Checklist, Facts, OtherRequest, Override, SubjectFacts, Verdict, evaluate};
use super::*;
use crate::record::ValidationContext;

fn context() -> ValidationContext<'static> {
    ValidationContext {
        today: time::macros::date!(2026 - 12 - 01),
        default_owner: CountryCode::parse("FRA").unwrap(),
        prefix: "",
    }
}

fn input(json: serde_json::Value) -> NoticeInput {
    serde_json::from_value(json).unwrap()
}

fn red() -> serde_json::Value {
    serde_json::json!({
        "kind": "red",
        "person": 7,
        "summary": "wanted for trafficking in human beings",
        "warrants": [{
            "kind": "arrest_warrant",
            "charge": "trafficking in human beings",
            "description": "recruited and transported 14 women from 2021 to 2023 for sexual exploitation",
            "reference": "TJ-2024-0113",
            "date": "2024-03-02",
            "authority": "Tribunal judiciaire de Paris",
            "issuing_country": "FRA",
            "max_penalty_months": 120
        }]
    })
}

/// The field paths of every error, in order.
fn paths(errors: &FieldErrors) -> Vec<&str> {
    errors.0.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_complete_red_notice_validates() {
    let request = input(red()).validate(context()).unwrap();
    assert_eq!(request.kind, RequestKind::Notice(NoticeKind::Red));
    assert_eq!(request.person, Some(7));
    assert_eq!(request.warrants.len(), 1);
    assert_eq!(request.warrants[0].kind, WarrantKind::ArrestWarrant);
    assert_eq!(request.meta.owner.as_str(), "FRA");
    // Default review date: five years on.
    assert_eq!(
        request.meta.review_date,
        time::macros::date!(2031 - 12 - 01)
    );
}

#[test]
fn a_request_missing_what_its_kind_requires_lists_every_missing_field() {
    let errors = input(serde_json::json!({"kind": "red"}))
        .validate(context())
        .unwrap_err();
    assert_eq!(paths(&errors), ["person", "warrants"]);

    let mut partial = red();
    partial["warrants"][0] = serde_json::json!({"kind": "arrest_warrant", "charge": "fraud"});
    let errors = input(partial).validate(context()).unwrap_err();
    assert_eq!(
        paths(&errors),
        [
            "warrants[0].description",
            "warrants[0].reference",
            "warrants[0].date",
            "warrants[0].authority",
            "warrants[0].issuing_country",
            "warrants[0].max_penalty_months",
        ]
    );

    let errors = input(serde_json::json!({"kind": "yellow", "person": 3, "disappearance": {}}))
        .validate(context())
        .unwrap_err();
    assert_eq!(
        paths(&errors),
        [
            "disappearance.date",
            "disappearance.place",
            "disappearance.country"
        ]
    );

    let errors = input(serde_json::json!({"kind": "un-entities"}))
        .validate(context())
        .unwrap_err();
    assert_eq!(
        paths(&errors),
        [
            "sanctions.committee",
            "sanctions.reference",
            "sanctions.measures",
            "entity.name"
        ]
    );
}

#[test]
fn each_kind_takes_its_own_parts_only() {
    let mut mixed = red();
    mixed["disappearance"] = serde_json::json!({"date": "2025-01-01"});
    mixed["body"] = serde_json::json!({});
    mixed["recipients"] = serde_json::json!(["DEU"]);
    let errors = input(mixed).validate(context()).unwrap_err();
    assert_eq!(paths(&errors), ["recipients", "disappearance", "body"]);

    // A body has no person; a Black notice describes the body instead.
    let errors = input(serde_json::json!({
        "kind": "black", "person": 4,
        "body": {"found_date": "2026-11-03", "found_country": "ITA", "description": "male, about 30", "sex": "X", "age_min": 40, "age_max": 30}
    }))
    .validate(context())
    .unwrap_err();
    assert_eq!(paths(&errors), ["person", "body.sex", "body.age_max"]);
}

#[test]
fn diffusions_name_their_recipients_and_public_extracts_need_a_public_kind() {
    let errors = input(serde_json::json!({"kind": "warning", "person": 2, "warning": "armed"}))
        .validate(context())
        .unwrap_err();
    assert_eq!(paths(&errors), ["recipients"]);
    let request = input(serde_json::json!({"kind": "warning", "person": 2, "warning": "armed", "recipients": "DEU ITA DEU"}))
        .validate(context())
        .unwrap();
    assert_eq!(
        request.recipients,
        Some(Recipients::Only(vec![
            CountryCode::parse("DEU").unwrap(),
            CountryCode::parse("ITA").unwrap()
        ]))
    );
    let request = input(
        serde_json::json!({"kind": "missing", "person": 2, "recipients": ["all"],
        "disappearance": {"date": "2026-11-30", "place": "Ventimiglia station", "country": "ITA"}}),
    )
    .validate(context())
    .unwrap();
    assert_eq!(request.recipients, Some(Recipients::All));
    assert_eq!(request.kind.requirements(), NoticeKind::Yellow);

    let errors = input(serde_json::json!({"kind": "blue", "person": 2, "purpose": "locate", "public_extract": true}))
        .validate(context())
        .unwrap_err();
    assert_eq!(paths(&errors), ["public_extract"]);
    let mut public = red();
    public["public_extract"] = serde_json::json!(true);
    assert!(input(public).validate(context()).unwrap().public_extract);
}

#[test]
fn an_unknown_kind_is_named_with_every_other_problem() {
    let errors = input(
        serde_json::json!({"kind": "scarlet", "owner": "XXX", "documents": [{"number": "P1"}]}),
    )
    .validate(context())
    .unwrap_err();
    assert_eq!(
        paths(&errors),
        ["kind", "owner", "documents[0].issuing_country"]
    );
    assert!(
        errors.0[0].detail.contains("red, yellow"),
        "{}",
        errors.0[0].detail
    );
}

#[test]
fn a_warrant_dated_in_the_future_or_a_sentence_left_above_the_imposed_is_refused() {
    let mut bad = red();
    bad["warrants"][0]["date"] = serde_json::json!("2027-01-01");
    bad["warrants"][0]["kind"] = serde_json::json!("court_decision");
    bad["warrants"][0]["sentence_months"] = serde_json::json!(12);
    bad["warrants"][0]["sentence_remaining_months"] = serde_json::json!(18);
    let errors = input(bad).validate(context()).unwrap_err();
    assert_eq!(
        paths(&errors),
        ["warrants[0].date", "warrants[0].sentence_remaining_months"]
    );
}

const NOTICE: RequestKind = RequestKind::Notice(NoticeKind::Red);
const DIFFUSION: RequestKind = RequestKind::Diffusion(DiffusionKind::Wanted);

#[test]
fn a_notice_goes_from_draft_to_publication_and_on_to_cancellation() {
    let steps = [
        (Transition::Submit, Actor::Owner, State::Submitted),
        (Transition::StartReview, Actor::Reviewer, State::InReview),
        (Transition::Publish, Actor::Reviewer, State::Published),
        (Transition::Update, Actor::Owner, State::Published),
        (Transition::Suspend, Actor::Owner, State::Suspended),
        (Transition::Resume, Actor::Owner, State::Published),
        (Transition::Confirm, Actor::Owner, State::Published),
        (Transition::Cancel, Actor::Owner, State::Cancelled),
    ];
    let mut state = State::first(NOTICE);
    assert_eq!(state, State::Draft);
    for (transition, actor, expected) in steps {
        state = next(NOTICE, state, transition, actor).unwrap();
        assert_eq!(state, expected, "after {transition:?}");
    }
}

#[test]
fn moves_that_are_not_the_actors_or_not_from_this_state_are_refused_with_the_state() {
    // Only reviewers publish or refuse; only the owner submits, updates, confirms.
    let refused = next(NOTICE, State::InReview, Transition::Publish, Actor::Owner).unwrap_err();
    assert_eq!(refused.state, State::InReview);
    assert!(refused.to_string().contains("in_review"), "{refused}");
    assert!(
        next(
            NOTICE,
            State::InReview,
            Transition::Refuse,
            Actor::Secretariat
        )
        .is_err()
    );
    assert!(next(NOTICE, State::Draft, Transition::Submit, Actor::Reviewer).is_err());
    assert!(
        next(
            NOTICE,
            State::Published,
            Transition::Update,
            Actor::Secretariat
        )
        .is_err()
    );
    // Not from this state: publishing a draft, resuming a published notice.
    let refused = next(NOTICE, State::Draft, Transition::Publish, Actor::Reviewer).unwrap_err();
    assert_eq!(refused.state, State::Draft);
    assert!(next(NOTICE, State::Published, Transition::Resume, Actor::Owner).is_err());
    // A notice is never "sent"; a diffusion never submitted.
    assert!(
        next(
            NOTICE,
            State::Draft,
            Transition::FindCompliant,
            Actor::Reviewer
        )
        .is_err()
    );
    assert!(next(DIFFUSION, State::Sent, Transition::Submit, Actor::Owner).is_err());
    // Only the clock expires.
    assert!(
        next(
            NOTICE,
            State::Published,
            Transition::Expire,
            Actor::Secretariat
        )
        .is_err()
    );
    assert_eq!(
        next(NOTICE, State::Published, Transition::Expire, Actor::Clock),
        Ok(State::Expired)
    );
}

#[test]
fn an_ended_request_never_moves_again() {
    for ended in [State::Cancelled, State::Expired, State::NonCompliant] {
        for transition in Transition::ALL {
            for actor in [
                Actor::Owner,
                Actor::Reviewer,
                Actor::Secretariat,
                Actor::Clock,
            ] {
                for kind in [NOTICE, DIFFUSION] {
                    assert!(
                        next(kind, ended, transition, actor).is_err(),
                        "{ended:?} {transition:?} {actor:?}"
                    );
                }
            }
        }
        assert!(!ended.hits());
    }
    // And a refused notice goes back to draft only through its owner's update.
    for transition in Transition::ALL {
        for actor in [
            Actor::Owner,
            Actor::Reviewer,
            Actor::Secretariat,
            Actor::Clock,
        ] {
            let moved = next(NOTICE, State::Refused, transition, actor);
            match (transition, actor) {
                (Transition::Update, Actor::Owner) => assert_eq!(moved, Ok(State::Draft)),
                (Transition::Cancel, Actor::Owner | Actor::Secretariat) => {
                    assert!(
                        moved.is_err(),
                        "a refused notice is not live: nothing to cancel"
                    )
                }
                _ => assert!(moved.is_err(), "{transition:?} {actor:?}"),
            }
        }
    }
}

#[test]
fn the_secretariats_suspension_is_lifted_by_the_secretariat_alone() {
    let held = next(
        NOTICE,
        State::Published,
        Transition::Suspend,
        Actor::Secretariat,
    )
    .unwrap();
    assert_eq!(held, State::Held);
    assert!(!held.hits());
    let refused = next(NOTICE, held, Transition::Resume, Actor::Owner).unwrap_err();
    assert!(refused.reason.contains("secretariat"), "{refused}");
    assert_eq!(
        next(NOTICE, held, Transition::Resume, Actor::Secretariat),
        Ok(State::Published)
    );
    // The owner may still cancel its held notice.
    assert_eq!(
        next(NOTICE, held, Transition::Cancel, Actor::Owner),
        Ok(State::Cancelled)
    );
}

#[test]
fn a_diffusion_hits_from_the_start_and_stops_when_found_non_compliant() {
    let sent = State::first(DIFFUSION);
    assert_eq!(sent, State::Sent);
    assert!(sent.hits());
    let compliant = next(DIFFUSION, sent, Transition::FindCompliant, Actor::Reviewer).unwrap();
    assert!(compliant.hits());
    // An update is seen at once and reviewed again.
    assert_eq!(
        next(DIFFUSION, compliant, Transition::Update, Actor::Owner),
        Ok(State::Sent)
    );
    let stopped = next(
        DIFFUSION,
        compliant,
        Transition::FindNonCompliant,
        Actor::Reviewer,
    )
    .unwrap();
    assert_eq!(stopped, State::NonCompliant);
    assert!(!stopped.hits());
    assert!(next(DIFFUSION, sent, Transition::FindCompliant, Actor::Owner).is_err());
}

fn named_person() -> SubjectFacts {
    SubjectFacts {
        family_name: true,
        forename: true,
        sex: true,
        birth_date: true,
        photo: false,
    }
}

fn outcome<'a>(checklist: &'a Checklist, rule: &str) -> &'a rules::Outcome {
    checklist
        .0
        .iter()
        .find(|o| o.rule == rule)
        .unwrap_or_else(|| panic!("no rule {rule} in {checklist:?}"))
}

fn verdicts(checklist: &Checklist) -> Vec<(&str, Verdict)> {
    checklist.0.iter().map(|o| (o.rule, o.verdict)).collect()
}

#[test]
fn a_sound_red_request_passes_every_rule() {
    let facts = Facts {
        subject: Some(named_person()),
        others: &[],
    };
    let checklist = evaluate(&input(red()), &facts);
    assert_eq!(
        verdicts(&checklist),
        [
            ("identifiers.minimum", Verdict::Pass),
            ("judicial.minimum", Verdict::Pass),
            ("seriousness.threshold", Verdict::Pass),
            ("exclusions.character", Verdict::Pass),
            ("exclusions.private", Verdict::Pass),
            ("duplicates.same_person", Verdict::Pass),
        ]
    );
    assert!(checklist.passed());
    assert_eq!(checklist.resolve(&[]), Ok(()));
}

#[test]
fn minimum_identifiers_are_a_full_identity_or_a_photo_fingerprints_or_dna() {
    let family_only = SubjectFacts {
        family_name: true,
        ..SubjectFacts::default()
    };
    let check = |subject: Option<SubjectFacts>, extra: serde_json::Value| {
        let mut json = red();
        for (key, value) in extra.as_object().unwrap() {
            json[key] = value.clone();
        }
        let facts = Facts {
            subject,
            others: &[],
        };
        outcome(&evaluate(&input(json), &facts), "identifiers.minimum").clone()
    };
    let failed = check(Some(family_only), serde_json::json!({}));
    assert_eq!(failed.verdict, Verdict::Fail);
    assert!(
        failed.evidence[0].contains("forename no"),
        "{:?}",
        failed.evidence
    );
    let photo = SubjectFacts {
        photo: true,
        ..family_only
    };
    assert_eq!(
        check(Some(photo), serde_json::json!({})).verdict,
        Verdict::Pass
    );
    assert_eq!(
        check(
            Some(family_only),
            serde_json::json!({"dna_reference": "FR-DNA-77"})
        )
        .verdict,
        Verdict::Pass
    );
    let unknown = check(None, serde_json::json!({"person": 99}));
    assert_eq!(unknown.verdict, Verdict::Fail);
    assert_eq!(
        unknown.evidence,
        ["person: 99 is not in the persons database"]
    );
    // A body is identified by what was found.
    let body = evaluate(
        &input(serde_json::json!({"kind": "black", "body": {"found_date": "2026-10-01"}})),
        &Facts::default(),
    );
    let identifiers = outcome(&body, "identifiers.minimum");
    assert_eq!(identifiers.verdict, Verdict::Fail);
    assert!(
        identifiers
            .evidence
            .contains(&"body.description: missing".to_owned())
    );
    assert_eq!(
        verdicts(&body)
            .iter()
            .map(|(rule, _)| *rule)
            .collect::<Vec<_>>(),
        ["identifiers.minimum"]
    );
}

#[test]
fn judicial_data_and_seriousness_read_every_warrant() {
    let facts = Facts {
        subject: Some(named_person()),
        others: &[],
    };
    let mut light = red();
    light["warrants"][0]["max_penalty_months"] = serde_json::json!(12);
    light["warrants"][0]["authority"] = serde_json::json!(" ");
    let checklist = evaluate(&input(light.clone()), &facts);
    let judicial = outcome(&checklist, "judicial.minimum");
    assert_eq!(judicial.verdict, Verdict::Fail);
    assert_eq!(judicial.evidence, ["warrants[0]: missing authority"]);
    let serious = outcome(&checklist, "seriousness.threshold");
    assert_eq!(serious.verdict, Verdict::Fail);
    assert!(
        serious.evidence[0].contains("12, less than 24"),
        "{:?}",
        serious.evidence
    );

    // A second warrant, a sentence with 8 months left to serve, meets the threshold.
    let mut two = light.clone();
    two["warrants"] = serde_json::json!([
        light["warrants"][0],
        {"kind": "court_decision", "charge": "fraud", "description": "d", "reference": "r",
         "date": "2020-01-01", "authority": "a", "issuing_country": "FRA",
         "sentence_months": 24, "sentence_remaining_months": 8}
    ]);
    let serious = outcome(&evaluate(&input(two), &facts), "seriousness.threshold").clone();
    assert_eq!(serious.verdict, Verdict::Pass);
    assert_eq!(serious.evidence.len(), 2);

    // Four months left of a long sentence: below the threshold.
    let mut short = red();
    short["warrants"][0]["kind"] = serde_json::json!("court_decision");
    short["warrants"][0]["sentence_months"] = serde_json::json!(36);
    short["warrants"][0]["sentence_remaining_months"] = serde_json::json!(4);
    let serious = outcome(&evaluate(&input(short), &facts), "seriousness.threshold").clone();
    assert_eq!(serious.verdict, Verdict::Fail);
}

#[test]
fn exclusions_point_the_reviewer_to_the_words_and_fields_that_raise_them() {
    let facts = Facts {
        subject: Some(named_person()),
        others: &[],
    };
    let mut political = red();
    political["warrants"][0]["charge"] = serde_json::json!("Insulting the Head of State");
    political["summary"] = serde_json::json!("organised an unauthorised assembly; unpaid DEBT");
    let checklist = evaluate(&input(political), &facts);
    let character = outcome(&checklist, "exclusions.character");
    assert_eq!(character.verdict, Verdict::NeedsJudgement);
    assert_eq!(
        character.evidence,
        [
            "summary: \"unauthorised assembly\" (political)",
            "warrants[0].charge: \"insulting the head of state\" (political)"
        ]
    );
    let private = outcome(&checklist, "exclusions.private");
    assert_eq!(private.verdict, Verdict::NeedsJudgement);
    assert_eq!(
        private.evidence,
        [
            "summary: \"debt\" (private dispute)",
            "summary: \"unpaid\" (private dispute)"
        ]
    );
    // Whole words only: "protesters" and "debtor" do not raise the terms "protest" or "debt".
    let mut words = red();
    words["warrants"][0]["description"] =
        serde_json::json!("robbed protesters' homes and forced a debtor's family into labour");
    let checklist = evaluate(&input(words), &facts);
    assert_eq!(
        outcome(&checklist, "exclusions.character").verdict,
        Verdict::Pass
    );
    assert_eq!(
        outcome(&checklist, "exclusions.private").verdict,
        Verdict::Pass
    );
}

#[test]
fn a_person_under_a_valid_request_of_the_same_kind_is_a_duplicate() {
    let check = |others: &[OtherRequest]| {
        let facts = Facts {
            subject: Some(named_person()),
            others,
        };
        outcome(&evaluate(&input(red()), &facts), "duplicates.same_person").clone()
    };
    let other = |id, kind, state| OtherRequest { id, kind, state };
    let duplicate = check(&[other(5, NOTICE, State::Published)]);
    assert_eq!(duplicate.verdict, Verdict::Fail);
    assert_eq!(duplicate.evidence, ["request 5 (red) is published"]);
    assert_eq!(
        check(&[other(6, NOTICE, State::InReview)]).verdict,
        Verdict::NeedsJudgement
    );
    // Ended requests and requests of another kind are no duplicates.
    let yellow = RequestKind::Notice(NoticeKind::Yellow);
    assert_eq!(
        check(&[
            other(7, NOTICE, State::Cancelled),
            other(8, NOTICE, State::Refused),
            other(9, yellow, State::Published)
        ])
        .verdict,
        Verdict::Pass
    );
}

#[test]
fn a_reviewer_overrides_a_failed_rule_only_with_a_written_justification() {
    let facts = Facts {
        subject: Some(SubjectFacts::default()),
        others: &[OtherRequest {
            id: 3,
            kind: NOTICE,
            state: State::Submitted,
        }],
    };
    let checklist = evaluate(&input(red()), &facts);
    assert_eq!(
        verdicts(&checklist)
            .into_iter()
            .filter(|(_, v)| *v != Verdict::Pass)
            .collect::<Vec<_>>(),
        [
            ("identifiers.minimum", Verdict::Fail),
            ("duplicates.same_person", Verdict::NeedsJudgement)
        ]
    );
    let errors = checklist.resolve(&[]).unwrap_err();
    assert_eq!(paths(&errors), ["overrides", "overrides"]);
    assert!(errors.0[0].detail.contains("identifiers.minimum failed"));
    assert!(
        errors.0[1]
            .detail
            .contains("duplicates.same_person needs a judgement")
    );

    let errors = checklist
        .resolve(&[
            Override {
                rule: "identifiers.minimum".into(),
                justification: "ok".into(),
            },
            Override {
                rule: "seriousness.threshold".into(),
                justification: "it passed, but the reviewer says so anyway".into(),
            },
            Override {
                rule: "no.such.rule".into(),
                justification: "a rule that is not in the checklist".into(),
            },
        ])
        .unwrap_err();
    assert_eq!(
        paths(&errors),
        [
            "overrides[0].justification",
            "overrides[1].rule",
            "overrides[2].rule",
            "overrides"
        ]
    );

    let justified = [
        Override {
            rule: "identifiers.minimum".into(),
            justification:
                "fingerprints held by the requesting bureau were compared by our own unit".into(),
        },
        Override {
            rule: "duplicates.same_person".into(),
            justification: "request 3 is the same case sent twice; it will be cancelled".into(),
        },
    ];
    assert_eq!(checklist.resolve(&justified), Ok(()));
}

#[test]
fn a_request_of_an_unknown_kind_fails_the_one_rule_it_can_be_checked_against() {
    let checklist = evaluate(
        &input(serde_json::json!({"kind": "scarlet"})),
        &Facts::default(),
    );
    assert_eq!(verdicts(&checklist), [("request.kind", Verdict::Fail)]);
}

#[test]
fn every_kind_gets_a_checklist_and_an_action() {
    for kind in NoticeKind::ALL {
        let checklist = evaluate(
            &input(serde_json::json!({"kind": kind.as_str()})),
            &Facts::default(),
        );
        assert!(!checklist.0.is_empty(), "{kind:?}");
        assert!(!kind.action().is_empty());
        assert_eq!(
            RequestKind::parse(&kind.as_str().to_uppercase()),
            Some(RequestKind::Notice(kind))
        );
    }
    for kind in DiffusionKind::ALL {
        assert_eq!(
            RequestKind::parse(kind.as_str()),
            Some(RequestKind::Diffusion(kind))
        );
    }
}
