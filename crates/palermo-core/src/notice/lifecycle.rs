//! A request's life. A notice: draft → submitted → in review → published or refused; once
//! published, updated, suspended and resumed, confirmed for another period, cancelled (by its
//! owner at any time, or by the secretariat), or expired at its review date. A diffusion: sent
//! (its recipients see it and their checks hit it at once), then found compliant or not by
//! the review after; cancelled or expired like a notice. Who may make which move is decided
//! here, once; the hub maps a caller to an [`Actor`].

use super::RequestKind;

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Draft,
    Submitted,
    InReview,
    Published,
    Refused,
    /// Suspended by its owner, who may resume it.
    Suspended,
    /// Suspended by the secretariat, which alone may resume it.
    Held,
    Cancelled,
    Expired,
    /// A diffusion, sent and not yet reviewed.
    Sent,
    /// A diffusion the review found compliant.
    Compliant,
    /// A diffusion the review found not compliant: it stops hitting, recipients are told.
    NonCompliant,
}

/// A move from one state to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transition {
    /// The owner sends its draft for review.
    Submit,
    /// A reviewer takes the request up.
    StartReview,
    Publish,
    /// Refusal, with reasons (the hub requires them).
    Refuse,
    /// The owner changes the request: a draft stays a draft, a request under review or
    /// refused goes back to draft, a published notice stays published as a new version.
    Update,
    Suspend,
    Resume,
    /// The owner confirms a published notice for another period before its review date.
    Confirm,
    Cancel,
    /// The review date passed without a confirmation.
    Expire,
    /// A diffusion's review: it complies with the rules.
    FindCompliant,
    /// A diffusion's review: it does not; it stops hitting.
    FindNonCompliant,
}

/// Who moves a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The bureau that owns the request.
    Owner,
    /// A reviewer of the secretariat.
    Reviewer,
    /// The secretariat acting on its own authority (suspend, cancel).
    Secretariat,
    /// The hub's housekeeping, at a review date.
    Clock,
}

/// A move that may not be made: what was asked, where the request stands, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {} request may not be moved to {} by {}: {reason}", article(self.state), self.state.as_str(), self.transition.as_str(), self.actor.as_str())]
pub struct MoveRefused {
    pub state: State,
    pub transition: Transition,
    pub actor: Actor,
    pub reason: &'static str,
}

fn article(state: State) -> &'static str {
    match state {
        State::InReview | State::Expired => "an",
        _ => "a",
    }
}

impl State {
    pub const ALL: [State; 12] = [
        State::Draft,
        State::Submitted,
        State::InReview,
        State::Published,
        State::Refused,
        State::Suspended,
        State::Held,
        State::Cancelled,
        State::Expired,
        State::Sent,
        State::Compliant,
        State::NonCompliant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::InReview => "in_review",
            State::Published => "published",
            State::Refused => "refused",
            State::Suspended => "suspended",
            State::Held => "held",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
            State::Sent => "sent",
            State::Compliant => "compliant",
            State::NonCompliant => "non_compliant",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// Whether checks hit a request in this state (and lists of valid requests show it).
    pub fn hits(self) -> bool {
        matches!(self, State::Published | State::Sent | State::Compliant)
    }

    /// Whether the request is still alive (not cancelled, expired, refused or found
    /// non-compliant): a duplicate of a live request is one a reviewer must see.
    pub fn is_live(self) -> bool {
        !matches!(
            self,
            State::Cancelled | State::Expired | State::Refused | State::NonCompliant
        )
    }

    /// The state a new request starts in: a notice as a draft, a diffusion sent.
    pub fn first(kind: RequestKind) -> State {
        if kind.is_diffusion() {
            State::Sent
        } else {
            State::Draft
        }
    }
}

impl Transition {
    pub const ALL: [Transition; 12] = [
        Transition::Submit,
        Transition::StartReview,
        Transition::Publish,
        Transition::Refuse,
        Transition::Update,
        Transition::Suspend,
        Transition::Resume,
        Transition::Confirm,
        Transition::Cancel,
        Transition::Expire,
        Transition::FindCompliant,
        Transition::FindNonCompliant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::StartReview => "start_review",
            Transition::Publish => "publish",
            Transition::Refuse => "refuse",
            Transition::Update => "update",
            Transition::Suspend => "suspend",
            Transition::Resume => "resume",
            Transition::Confirm => "confirm",
            Transition::Cancel => "cancel",
            Transition::Expire => "expire",
            Transition::FindCompliant => "find_compliant",
            Transition::FindNonCompliant => "find_non_compliant",
        }
    }

    pub fn parse(text: &str) -> Option<Transition> {
        Transition::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// Who may make this move (in a state that allows it).
    pub fn actors(self) -> &'static [Actor] {
        use Actor::*;
        match self {
            Transition::Submit | Transition::Update | Transition::Confirm => &[Owner],
            Transition::StartReview
            | Transition::Publish
            | Transition::Refuse
            | Transition::FindCompliant
            | Transition::FindNonCompliant => &[Reviewer],
            Transition::Suspend | Transition::Resume => &[Owner, Secretariat],
            Transition::Cancel => &[Owner, Secretariat],
            Transition::Expire => &[Clock],
        }
    }
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Owner => "the owner",
            Actor::Reviewer => "a reviewer",
            Actor::Secretariat => "the secretariat",
            Actor::Clock => "the review date",
        }
    }
}

/// The state after `transition` of a request of `kind` in `state`, made by `actor`; or why
/// the move may not be made.
pub fn next(
    kind: RequestKind,
    state: State,
    transition: Transition,
    actor: Actor,
) -> Result<State, MoveRefused> {
    use State::*;
    use Transition::*;
    let refuse = |reason| MoveRefused {
        state,
        transition,
        actor,
        reason,
    };
    if !transition.actors().contains(&actor) {
        return Err(refuse("that move is not theirs to make"));
    }
    let diffusion = kind.is_diffusion();
    let to = match (transition, state) {
        (Submit, Draft) if !diffusion => Submitted,
        (StartReview, Submitted) => InReview,
        (Publish, InReview) => Published,
        (Refuse, InReview) => Refused,
        (Update, Draft | Submitted | InReview | Refused) if !diffusion => Draft,
        (Update, Published) => Published,
        // A diffusion's update is seen at once and reviewed again.
        (Update, Sent | Compliant) if diffusion => Sent,
        (Suspend, Published | Suspended) if actor == Actor::Secretariat => Held,
        (Suspend, Published) => Suspended,
        (Resume, Suspended) => Published,
        (Resume, Held) if actor == Actor::Secretariat => Published,
        (Resume, Held) => return Err(refuse("the secretariat suspended it: it alone resumes it")),
        (Confirm, Published | Suspended | Held | Sent | Compliant) => state,
        (
            Cancel,
            Draft | Submitted | InReview | Published | Suspended | Held | Sent | Compliant,
        ) => Cancelled,
        (Expire, Published | Suspended | Held | Sent | Compliant) => Expired,
        (FindCompliant, Sent) => Compliant,
        (FindNonCompliant, Sent | Compliant) => NonCompliant,
        (_, Cancelled | Expired | NonCompliant) => {
            return Err(refuse("it has ended"));
        }
        _ => return Err(refuse("that move does not start from this state")),
    };
    Ok(to)
}
