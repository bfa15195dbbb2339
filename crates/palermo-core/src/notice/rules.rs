//! The rules a reviewer checks on every request, in one place. Each rule reads the request as
//! submitted (complete or not: a form shows the verdicts while the operator types) and the
//! facts the hub gathered (the person's identifiers, other requests about them), and gives a
//! verdict with its evidence. A failed rule, or one that needs judgement, may be overridden
//! only with a written justification ([`Checklist::resolve`]).
//!
//! The rules: minimum identifiers; minimum judicial data (Red and wanted); seriousness
//! thresholds (prosecution: an offence punishable by at least 2 years; a sentence: at least 6
//! months imposed or left to serve); exclusions (offences of a political, military,
//! religious or racial character; private and family disputes); duplicates (the same person
//! already under a valid request of the same kind).

use super::lifecycle::State;
use super::{NoticeInput, NoticeKind, RequestKind, Subject, WarrantInput};
use crate::Person;
use crate::error::FieldErrors;

/// Prosecution: the offence must be punishable by at least this, in months.
pub const PROSECUTION_PENALTY_MONTHS_MIN: u32 = 24;
/// A sentence: at least this imposed or left to serve, in months.
pub const SENTENCE_MONTHS_MIN: u32 = 6;
/// Shortest written justification of an override.
pub const JUSTIFICATION_LEN_MIN: usize = 20;
pub const JUSTIFICATION_LEN_MAX: usize = 4000;

/// A rule's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Pass,
    Fail,
    /// The rule cannot decide alone: a reviewer must (with a written judgement).
    NeedsJudgement,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NeedsJudgement => "needs_judgement",
        }
    }
}

/// One rule's verdict on one request, with what it was based on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Stable id, e.g. `seriousness.threshold`.
    pub rule: &'static str,
    pub title: &'static str,
    pub verdict: Verdict,
    /// What the verdict rests on, each line naming the field it read.
    pub evidence: Vec<String>,
}

/// Every rule's verdict on a request, in a fixed order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checklist(pub Vec<Outcome>);

/// A reviewer's decision on a rule that failed or needs judgement.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub rule: String,
    pub justification: String,
}

/// What the rules know of the person a request is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubjectFacts {
    pub family_name: bool,
    pub forename: bool,
    /// Known as M or F.
    pub sex: bool,
    /// Known to the day.
    pub birth_date: bool,
    pub photo: bool,
}

impl SubjectFacts {
    pub fn of(person: &Person, has_photo: bool) -> SubjectFacts {
        let primary = person.names.first();
        SubjectFacts {
            family_name: primary.is_some_and(|name| name.family.is_some()),
            forename: primary.is_some_and(|name| name.given.is_some()),
            sex: person.sex != 'U',
            birth_date: person.birth_date.is_some_and(|date| {
                date.day.is_some() && date.month.is_some() && date.year_to.is_none()
            }),
            photo: has_photo,
        }
    }
}

/// Another request about the same person, for the duplicates rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OtherRequest {
    pub id: i64,
    pub kind: RequestKind,
    pub state: State,
}

/// What the hub gathered for the rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts<'a> {
    /// The person named by the request, when found (and visible to the reviewer).
    pub subject: Option<SubjectFacts>,
    /// The other requests about that person (the request itself excluded).
    pub others: &'a [OtherRequest],
}

/// A rule: its id, its title, which requests it applies to, and how it decides.
struct Rule {
    id: &'static str,
    title: &'static str,
    applies: fn(NoticeKind) -> bool,
    decide: fn(&NoticeInput, RequestKind, &Facts<'_>) -> (Verdict, Vec<String>),
}

const RULES: &[Rule] = &[
    Rule {
        id: "identifiers.minimum",
        title: "enough identifiers to find the right person (or body, case, entity)",
        applies: |_| true,
        decide: minimum_identifiers,
    },
    Rule {
        id: "judicial.minimum",
        title: "an arrest warrant or court decision with its reference, date, authority and charge",
        applies: |kind| kind == NoticeKind::Red,
        decide: minimum_judicial_data,
    },
    Rule {
        id: "seriousness.threshold",
        title: "prosecution for an offence punishable by at least 2 years, or at least 6 months of a sentence imposed or left to serve",
        applies: |kind| kind == NoticeKind::Red,
        decide: seriousness,
    },
    Rule {
        id: "exclusions.character",
        title: "no offence of a predominantly political, military, religious or racial character",
        applies: |kind| {
            !matches!(
                kind,
                NoticeKind::UnPersons | NoticeKind::UnEntities | NoticeKind::Black
            )
        },
        decide: |input, _, _| excluded(input, CHARACTER_TERMS),
    },
    Rule {
        id: "exclusions.private",
        title: "no private or family dispute (debts, contracts, custody, family law)",
        applies: |kind| {
            !matches!(
                kind,
                NoticeKind::UnPersons
                    | NoticeKind::UnEntities
                    | NoticeKind::Black
                    | NoticeKind::Yellow
            )
        },
        decide: |input, _, _| excluded(input, PRIVATE_TERMS),
    },
    Rule {
        id: "duplicates.same_person",
        title: "the person is not already under a valid request of the same kind",
        applies: |kind| matches!(kind.subject(), Subject::Person | Subject::Assets),
        decide: duplicates,
    },
];

/// The ids of every rule, in the checklist's order.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.id)
}

/// Evaluates every rule that applies to the request's kind. A request whose kind is not
/// known gets one failed rule saying so.
pub fn evaluate(input: &NoticeInput, facts: &Facts<'_>) -> Checklist {
    let Some(kind) = input.kind.as_deref().and_then(RequestKind::parse) else {
        return Checklist(vec![Outcome {
            rule: "request.kind",
            title: "a known kind of notice or diffusion",
            verdict: Verdict::Fail,
            evidence: vec![format!(
                "kind: {:?} is not one of {}",
                input.kind.as_deref().unwrap_or(""),
                RequestKind::names()
            )],
        }]);
    };
    Checklist(
        RULES
            .iter()
            .filter(|rule| (rule.applies)(kind.requirements()))
            .map(|rule| {
                let (verdict, evidence) = (rule.decide)(input, kind, facts);
                Outcome {
                    rule: rule.id,
                    title: rule.title,
                    verdict,
                    evidence,
                }
            })
            .collect(),
    )
}

impl Checklist {
    /// Whether every rule passed.
    pub fn passed(&self) -> bool {
        self.0
            .iter()
            .all(|outcome| outcome.verdict == Verdict::Pass)
    }

    /// Whether a reviewer may publish (or find compliant) with these overrides: every rule
    /// that failed or needs judgement has one, with a written justification, and no override
    /// names a rule that passed or does not exist. Lists every problem, each with its path.
    pub fn resolve(&self, overrides: &[Override]) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        for (i, given) in overrides.iter().enumerate() {
            match self.0.iter().find(|outcome| outcome.rule == given.rule) {
                None => errors.push(
                    format!("overrides[{i}].rule"),
                    format!("{:?} is not a rule of this request's checklist", given.rule),
                ),
                Some(outcome) if outcome.verdict == Verdict::Pass => errors.push(
                    format!("overrides[{i}].rule"),
                    format!("{} passed: there is nothing to override", outcome.rule),
                ),
                Some(_)
                    if given.justification.chars().any(|c| {
                        (c.is_control() && c != '\n') || crate::normalise::invisible(c)
                    }) =>
                {
                    errors.push(
                        format!("overrides[{i}].justification"),
                        "holds control or invisible characters",
                    )
                }
                Some(_) => {
                    let length = given.justification.trim().chars().count();
                    if length < JUSTIFICATION_LEN_MIN {
                        errors.push(
                            format!("overrides[{i}].justification"),
                            format!(
                                "write at least {JUSTIFICATION_LEN_MIN} characters: why the request may go ahead despite the rule"
                            ),
                        );
                    } else if length > JUSTIFICATION_LEN_MAX {
                        errors.push(
                            format!("overrides[{i}].justification"),
                            format!("at most {JUSTIFICATION_LEN_MAX} characters"),
                        );
                    }
                }
            }
        }
        for outcome in &self.0 {
            if outcome.verdict != Verdict::Pass
                && !overrides.iter().any(|given| given.rule == outcome.rule)
            {
                errors.push(
                    "overrides",
                    format!(
                        "{} {}: override it with a written justification, or refuse the request",
                        outcome.rule,
                        if outcome.verdict == Verdict::Fail {
                            "failed"
                        } else {
                            "needs a judgement"
                        }
                    ),
                );
            }
        }
        errors.into_result(|| ())
    }
}

fn given(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|text| !text.trim().is_empty())
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn minimum_identifiers(
    input: &NoticeInput,
    kind: RequestKind,
    facts: &Facts<'_>,
) -> (Verdict, Vec<String>) {
    let missing = |fields: &[(&str, bool)]| -> (Verdict, Vec<String>) {
        let evidence: Vec<String> = fields
            .iter()
            .map(|(name, present)| {
                format!("{name}: {}", if *present { "given" } else { "missing" })
            })
            .collect();
        let verdict = if fields.iter().all(|(_, present)| *present) {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        (verdict, evidence)
    };
    match kind.requirements().subject() {
        Subject::Person | Subject::Assets => {
            let Some(subject) = facts.subject else {
                return (
                    Verdict::Fail,
                    vec![match input.person {
                        None => "person: missing".to_owned(),
                        Some(id) => format!("person: {id} is not in the persons database"),
                    }],
                );
            };
            let fingerprints = given(&input.fingerprints_reference);
            let dna = given(&input.dna_reference);
            let named =
                subject.family_name && subject.forename && subject.sex && subject.birth_date;
            let evidence = vec![
                format!(
                    "person: family name {}, forename {}, sex {}, full birth date {}",
                    yes_no(subject.family_name),
                    yes_no(subject.forename),
                    yes_no(subject.sex),
                    yes_no(subject.birth_date)
                ),
                format!("person: photo {}", yes_no(subject.photo)),
                format!("fingerprints_reference: {}", yes_no(fingerprints)),
                format!("dna_reference: {}", yes_no(dna)),
            ];
            let verdict = if named || subject.photo || fingerprints || dna {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            (verdict, evidence)
        }
        Subject::Body => {
            let body = input.body.clone().unwrap_or_default();
            missing(&[
                ("body.found_date", given(&body.found_date)),
                ("body.found_country", given(&body.found_country)),
                ("body.description", given(&body.description)),
            ])
        }
        Subject::Case => {
            let case = input.case.clone().unwrap_or_default();
            missing(&[("case.description", given(&case.description))])
        }
        Subject::Entity => {
            let entity = input.entity.clone().unwrap_or_default();
            let sanctions = input.sanctions.clone().unwrap_or_default();
            missing(&[
                ("entity.name", given(&entity.name)),
                ("sanctions.reference", given(&sanctions.reference)),
            ])
        }
    }
}

fn minimum_judicial_data(
    input: &NoticeInput,
    _: RequestKind,
    _: &Facts<'_>,
) -> (Verdict, Vec<String>) {
    if input.warrants.is_empty() {
        return (Verdict::Fail, vec!["warrants: none given".to_owned()]);
    }
    let mut evidence = Vec::new();
    let mut complete = true;
    for (i, warrant) in input.warrants.iter().enumerate() {
        let WarrantInput {
            kind,
            charge,
            description,
            reference,
            date,
            authority,
            issuing_country,
            ..
        } = warrant;
        let parts = [
            ("kind", kind),
            ("charge", charge),
            ("description", description),
            ("reference", reference),
            ("date", date),
            ("authority", authority),
            ("issuing_country", issuing_country),
        ];
        let absent: Vec<&str> = parts
            .iter()
            .filter(|(_, value)| !given(value))
            .map(|(name, _)| *name)
            .collect();
        if absent.is_empty() {
            evidence.push(format!(
                "warrants[{i}]: {} {} of {} by {}",
                kind.as_deref().unwrap_or_default().trim(),
                reference.as_deref().unwrap_or_default().trim(),
                date.as_deref().unwrap_or_default().trim(),
                authority.as_deref().unwrap_or_default().trim()
            ));
        } else {
            complete = false;
            evidence.push(format!("warrants[{i}]: missing {}", absent.join(", ")));
        }
    }
    let verdict = if complete {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    (verdict, evidence)
}

fn seriousness(input: &NoticeInput, _: RequestKind, _: &Facts<'_>) -> (Verdict, Vec<String>) {
    if input.warrants.is_empty() {
        return (Verdict::Fail, vec!["warrants: none given".to_owned()]);
    }
    // One warrant that meets the threshold is enough: the notice may name lesser charges
    // beside it.
    let mut verdicts = Vec::new();
    let mut evidence = Vec::new();
    for (i, warrant) in input.warrants.iter().enumerate() {
        let kind = warrant
            .kind
            .as_deref()
            .map(|k| k.trim().to_ascii_lowercase());
        let (verdict, line) = match kind.as_deref() {
            Some("arrest_warrant") => match warrant.max_penalty_months {
                Some(months) if months >= PROSECUTION_PENALTY_MONTHS_MIN => (
                    Verdict::Pass,
                    format!(
                        "warrants[{i}].max_penalty_months: {months}, at least {PROSECUTION_PENALTY_MONTHS_MIN}"
                    ),
                ),
                Some(months) => (
                    Verdict::Fail,
                    format!(
                        "warrants[{i}].max_penalty_months: {months}, less than {PROSECUTION_PENALTY_MONTHS_MIN}"
                    ),
                ),
                None => (
                    Verdict::Fail,
                    format!("warrants[{i}].max_penalty_months: not given"),
                ),
            },
            Some("court_decision") => {
                match (warrant.sentence_remaining_months, warrant.sentence_months) {
                    (Some(left), _) if left >= SENTENCE_MONTHS_MIN => (
                        Verdict::Pass,
                        format!(
                            "warrants[{i}].sentence_remaining_months: {left}, at least {SENTENCE_MONTHS_MIN}"
                        ),
                    ),
                    (Some(left), _) => (
                        Verdict::Fail,
                        format!(
                            "warrants[{i}].sentence_remaining_months: {left}, less than {SENTENCE_MONTHS_MIN}"
                        ),
                    ),
                    (None, Some(imposed)) if imposed >= SENTENCE_MONTHS_MIN => (
                        Verdict::Pass,
                        format!(
                            "warrants[{i}].sentence_months: {imposed} imposed, at least {SENTENCE_MONTHS_MIN}"
                        ),
                    ),
                    (None, Some(imposed)) => (
                        Verdict::Fail,
                        format!(
                            "warrants[{i}].sentence_months: {imposed} imposed, less than {SENTENCE_MONTHS_MIN}"
                        ),
                    ),
                    (None, None) => (
                        Verdict::Fail,
                        format!(
                            "warrants[{i}]: neither the sentence imposed nor what is left to serve given"
                        ),
                    ),
                }
            }
            _ => (
                Verdict::NeedsJudgement,
                format!("warrants[{i}].kind: not given, so neither threshold can be applied"),
            ),
        };
        verdicts.push(verdict);
        evidence.push(line);
    }
    let verdict = if verdicts.contains(&Verdict::Pass) {
        Verdict::Pass
    } else if verdicts.contains(&Verdict::NeedsJudgement) {
        Verdict::NeedsJudgement
    } else {
        Verdict::Fail
    };
    (verdict, evidence)
}

/// Terms that point to an offence of a political, military, religious or racial character.
/// Finding one does not decide: the reviewer judges the predominance test on the facts.
const CHARACTER_TERMS: &[(&str, &str)] = &[
    ("political", "political"),
    ("opposition", "political"),
    ("dissident", "political"),
    ("protest", "political"),
    ("demonstration", "political"),
    ("insulting the head of state", "political"),
    ("lese majeste", "political"),
    ("lèse majesté", "political"),
    ("sedition", "political"),
    ("separatism", "political"),
    ("unauthorised assembly", "political"),
    ("desertion", "military"),
    ("draft evasion", "military"),
    ("conscientious objection", "military"),
    ("insubordination", "military"),
    ("blasphemy", "religious"),
    ("apostasy", "religious"),
    ("heresy", "religious"),
    ("proselytism", "religious"),
    ("religious", "religious"),
    ("racial", "racial"),
    ("ethnic", "racial"),
];

/// Terms that point to a private or family dispute rather than an ordinary-law crime.
const PRIVATE_TERMS: &[(&str, &str)] = &[
    ("debt", "private dispute"),
    ("unpaid", "private dispute"),
    ("breach of contract", "private dispute"),
    ("bounced cheque", "private dispute"),
    ("dishonoured cheque", "private dispute"),
    ("civil dispute", "private dispute"),
    ("commercial dispute", "private dispute"),
    ("custody", "family dispute"),
    ("alimony", "family dispute"),
    ("child support", "family dispute"),
    ("maintenance payments", "family dispute"),
    ("divorce", "family dispute"),
    ("adultery", "family dispute"),
    ("inheritance", "family dispute"),
    ("defamation", "private dispute"),
    ("libel", "private dispute"),
    ("insult", "private dispute"),
];

/// Lower case, letters and digits only, words separated by one space and padded with one at
/// each end, so that a term matches whole words only.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The request's free texts, each with its field path.
fn texts<'a>(input: &'a NoticeInput) -> Vec<(String, &'a str)> {
    let mut texts = Vec::new();
    let mut add = |path: String, value: &'a Option<String>| {
        if let Some(text) = value.as_deref() {
            texts.push((path, text));
        }
    };
    add("summary".into(), &input.summary);
    add("purpose".into(), &input.purpose);
    add("warning".into(), &input.warning);
    for (i, warrant) in input.warrants.iter().enumerate() {
        add(format!("warrants[{i}].charge"), &warrant.charge);
        add(format!("warrants[{i}].description"), &warrant.description);
    }
    if let Some(case) = &input.case {
        add("case.description".into(), &case.description);
    }
    for (i, asset) in input.assets.iter().enumerate() {
        add(format!("assets[{i}].description"), &asset.description);
    }
    texts
}

fn excluded(input: &NoticeInput, terms: &[(&str, &str)]) -> (Verdict, Vec<String>) {
    let mut evidence = Vec::new();
    for (path, text) in texts(input) {
        let haystack = words(text);
        for (term, character) in terms {
            let needle = words(term);
            if haystack.contains(&needle) {
                evidence.push(format!("{path}: {:?} ({character})", needle.trim()));
            }
        }
    }
    if evidence.is_empty() {
        (
            Verdict::Pass,
            vec![
                "no term of the exclusion list in the charges, descriptions, purpose or warning"
                    .to_owned(),
            ],
        )
    } else {
        (Verdict::NeedsJudgement, evidence)
    }
}

fn duplicates(input: &NoticeInput, kind: RequestKind, facts: &Facts<'_>) -> (Verdict, Vec<String>) {
    if input.person.is_none() {
        return (Verdict::Pass, vec!["person: none named".to_owned()]);
    }
    let same: Vec<&OtherRequest> = facts
        .others
        .iter()
        .filter(|other| other.kind == kind && other.state.is_live())
        .collect();
    let describe = |other: &&OtherRequest| {
        format!(
            "request {} ({}) is {}",
            other.id,
            other.kind.as_str(),
            other.state.as_str()
        )
    };
    let valid: Vec<String> = same
        .iter()
        .filter(|other| other.state.hits())
        .map(describe)
        .collect();
    if !valid.is_empty() {
        return (Verdict::Fail, valid);
    }
    let pending: Vec<String> = same.iter().map(describe).collect();
    if pending.is_empty() {
        (
            Verdict::Pass,
            vec![format!(
                "no other live {} request about this person",
                kind.as_str()
            )],
        )
    } else {
        (Verdict::NeedsJudgement, pending)
    }
}
