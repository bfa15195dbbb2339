//! Palermo's domain: the records a hub holds, their codes, and the rules that validate and
//! normalise them. No I/O lives here: functions take values and return values.

pub mod access;
pub mod audit;
pub mod case;
pub mod codes;
pub mod country;
pub mod date;
pub mod error;
pub mod mrz;
pub mod normalise;
pub mod notice;
pub mod paxlst;
pub mod person;
pub mod record;

pub use access::{OrgCode, OrgKind, Permissions, RecordAccess, Role, Viewpoint};
pub use codes::{DocumentStatus, DocumentType, HandlingCode, VehicleStatus, Visibility};
pub use country::CountryCode;
pub use date::Timestamp;
pub use error::{FieldError, FieldErrors};
pub use person::{PartialDate, Person, PersonInput};
pub use record::{
    Document, DocumentInput, RecordMeta, Restriction, Stored, ValidationContext, Vehicle,
    VehicleInput,
};
