//! Writing records (create, update, withdraw, batch) and reading one record.

use palermo_core::date::serde_date;
use palermo_core::{
    CountryCode, Document, DocumentInput, DocumentStatus, DocumentType, FieldErrors, RecordAccess,
    RecordMeta, Stored, Timestamp, ValidationContext, Vehicle, VehicleInput, VehicleStatus,
    Visibility,
};
use palermo_core::{HandlingCode, Permissions};
use palermo_index::{document_key, row_of};
use palermo_store::{ImportCounts, Kind};
use serde::Serialize;
use time::Date;

use crate::audit::naming;
use crate::{Caller, Hub, HubError, Result, index_vehicle};

/// Most records in one write request (the unit `import --hub` streams in).
pub const WRITE_BATCH_MAX: usize = 1000;

/// Fields every record shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MetaView {
    #[schema(value_type = String)]
    pub owner: CountryCode,
    pub external_ref: Option<String>,
    #[serde(with = "serde_date")]
    #[schema(value_type = String, format = Date)]
    pub reported_date: Date,
    #[serde(with = "serde_date")]
    #[schema(value_type = String, format = Date)]
    pub review_date: Date,
    pub restriction: Visibility,
    #[schema(value_type = Vec<String>)]
    pub restriction_countries: Vec<CountryCode>,
    /// `H0` to `H3`: how the record may be used.
    #[schema(value_type = String)]
    pub handling: HandlingCode,
    pub handling_note: Option<String>,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub withdrawn_at: Option<Timestamp>,
}

pub(crate) fn meta_view(
    meta: &RecordMeta,
    created_at: Timestamp,
    updated_at: Timestamp,
    withdrawn_at: Option<Timestamp>,
) -> MetaView {
    MetaView {
        owner: meta.owner,
        external_ref: meta.external_ref.clone(),
        reported_date: meta.reported_date,
        review_date: meta.review_date,
        restriction: meta.restriction.visibility(),
        restriction_countries: meta.restriction.countries().to_vec(),
        handling: meta.handling,
        handling_note: meta.handling_note.clone(),
        created_at,
        updated_at,
        withdrawn_at,
    }
}

/// A travel document as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub number: String,
    pub number_normalised: String,
    #[schema(value_type = String)]
    pub issuing_country: CountryCode,
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    pub status: DocumentStatus,
    pub holder_name: Option<String>,
    #[serde(with = "serde_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub holder_birth_date: Option<Date>,
    #[serde(flatten)]
    pub meta: MetaView,
}

impl From<&Stored<Document>> for DocumentView {
    fn from(stored: &Stored<Document>) -> DocumentView {
        let record = &stored.record;
        DocumentView {
            id: stored.id,
            number: record.number.clone(),
            number_normalised: record.number_normalised.clone(),
            issuing_country: record.issuing_country,
            document_type: record.document_type,
            status: record.status,
            holder_name: record.holder_name.clone(),
            holder_birth_date: record.holder_birth_date,
            meta: meta_view(
                &record.meta,
                stored.created_at,
                stored.updated_at,
                stored.withdrawn_at,
            ),
        }
    }
}

/// A vehicle as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VehicleView {
    pub id: i64,
    pub vin: Option<String>,
    pub plate: Option<String>,
    #[schema(value_type = Option<String>)]
    pub plate_country: Option<CountryCode>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    pub year: Option<i32>,
    pub status: VehicleStatus,
    #[serde(flatten)]
    pub meta: MetaView,
}

impl From<&Stored<Vehicle>> for VehicleView {
    fn from(stored: &Stored<Vehicle>) -> VehicleView {
        let record = &stored.record;
        VehicleView {
            id: stored.id,
            vin: record.vin.clone(),
            plate: record.plate.clone(),
            plate_country: record.plate_country,
            make: record.make.clone(),
            model: record.model.clone(),
            colour: record.colour.clone(),
            year: record.year,
            status: record.status,
            meta: meta_view(
                &record.meta,
                stored.created_at,
                stored.updated_at,
                stored.withdrawn_at,
            ),
        }
    }
}

/// What a batch write did, in input order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchWritten {
    pub inserted: u64,
    pub updated: u64,
    pub ids: Vec<i64>,
}

fn context<'a>(hub: &Hub, caller: &Caller, prefix: &'a str) -> Result<ValidationContext<'a>> {
    let Some(default_owner) = caller.bureau() else {
        return Err(HubError::Forbidden(
            "only a member bureau's people and systems write records".into(),
        ));
    };
    Ok(ValidationContext {
        today: hub.now().date(),
        default_owner,
        prefix,
    })
}

fn check_batch(len: usize, field: &str) -> Result<()> {
    if len == 0 || len > WRITE_BATCH_MAX {
        return Err(HubError::Invalid(FieldErrors::single(
            field,
            format!("holds {len} records; send 1 to {WRITE_BATCH_MAX} per request"),
        )));
    }
    Ok(())
}

/// What differs between record kinds in the hub: how their input is validated and shown,
/// and how the indexes keep them. How they are stored is the store's [`Kind`]; access
/// rules, batch limits and index upkeep under the write lock are shared.
pub(crate) trait Record: Kind {
    type Input;
    type View: for<'a> From<&'a Stored<Self>>;
    fn validate(
        input: &Self::Input,
        context: ValidationContext<'_>,
    ) -> std::result::Result<Self, FieldErrors>;
    /// Moves each record `id` in the hub's index from its previous keys (if it was active) to
    /// its new ones (none when withdrawn), under one index lock.
    fn reindex(hub: &Hub, changes: &[Change<'_, Self>]);
    /// What the hub's memory knows of record `id`, for a decision before any I/O.
    fn readable(hub: &Hub, caller: &Caller, id: i64) -> bool;
}

/// One record's move in an index: its id, what it was, what it is now.
pub(crate) type Change<'a, K> = (i64, Option<&'a Stored<K>>, Option<&'a K>);

impl Record for Document {
    type Input = DocumentInput;
    type View = DocumentView;

    fn validate(
        input: &DocumentInput,
        context: ValidationContext<'_>,
    ) -> std::result::Result<Self, FieldErrors> {
        input.validate(context)
    }

    fn reindex(hub: &Hub, changes: &[Change<'_, Self>]) {
        let mut index = hub.documents.write();
        for (id, previous, new) in changes {
            let row = row_of(*id);
            if let Some(old) = previous
                .filter(|p| p.withdrawn_at.is_none())
                .map(|p| &p.record)
            {
                index.keys.by_number.remove(
                    document_key(old.issuing_country, &old.number_normalised),
                    row,
                );
                index.access.clear(row);
            }
            match (new, previous) {
                (Some(new), _) => {
                    index.keys.by_number.insert(
                        document_key(new.issuing_country, &new.number_normalised),
                        row,
                    );
                    index.access.set(row, RecordAccess::of(&new.meta));
                }
                (None, Some(old)) => index
                    .access
                    .set_withdrawn(row, RecordAccess::of(&old.record.meta)),
                (None, None) => {}
            }
        }
    }

    fn readable(hub: &Hub, caller: &Caller, id: i64) -> bool {
        hub.documents
            .read()
            .access
            .known(id)
            .readable_by(&caller.viewpoint)
    }
}

impl Record for Vehicle {
    type Input = VehicleInput;
    type View = VehicleView;

    fn validate(
        input: &VehicleInput,
        context: ValidationContext<'_>,
    ) -> std::result::Result<Self, FieldErrors> {
        input.validate(context)
    }

    fn reindex(hub: &Hub, changes: &[Change<'_, Self>]) {
        let mut index = hub.vehicles.write();
        for (id, previous, new) in changes {
            let row = row_of(*id);
            if let Some(old) = previous
                .filter(|p| p.withdrawn_at.is_none())
                .map(|p| &p.record)
            {
                index.access.clear(row);
                index_vehicle(
                    &mut index.keys,
                    row,
                    old.vin.as_deref(),
                    old.plate_country,
                    old.plate.as_deref(),
                    false,
                );
            }
            match (new, previous) {
                (Some(new), _) => {
                    index_vehicle(
                        &mut index.keys,
                        row,
                        new.vin.as_deref(),
                        new.plate_country,
                        new.plate.as_deref(),
                        true,
                    );
                    index.access.set(row, RecordAccess::of(&new.meta));
                }
                (None, Some(old)) => index
                    .access
                    .set_withdrawn(row, RecordAccess::of(&old.record.meta)),
                (None, None) => {}
            }
        }
    }

    fn readable(hub: &Hub, caller: &Caller, id: i64) -> bool {
        hub.vehicles
            .read()
            .access
            .known(id)
            .readable_by(&caller.viewpoint)
    }
}

/// Validates every input of a batch, collecting every error with its path. A record owned by
/// another bureau is a refusal (403), not a mistake in the input: a bureau writes its own.
fn validate_all<K: Record>(
    hub: &Hub,
    caller: &Caller,
    inputs: &[K::Input],
    field: &str,
) -> Result<Vec<K>> {
    let mut errors = FieldErrors::default();
    let mut records = Vec::with_capacity(inputs.len());
    let mut foreign = None;
    for (i, input) in inputs.iter().enumerate() {
        let prefix = format!("{field}[{i}]");
        match K::validate(input, context(hub, caller, &prefix)?) {
            Ok(record) if !caller.may_write_for(record.meta().owner) => {
                foreign.get_or_insert((crate::error_path(&prefix, "owner"), record.meta().owner));
            }
            Ok(record) => records.push(record),
            Err(more) => errors.0.extend(more.0),
        }
    }
    if !errors.is_empty() {
        return Err(HubError::Invalid(errors));
    }
    if let Some((path, owner)) = foreign {
        return Err(foreign_owner(caller, &path, owner));
    }
    Ok(records)
}

fn foreign_owner(caller: &Caller, path: &str, owner: CountryCode) -> HubError {
    HubError::Forbidden(format!(
        "{path}: {0} writes only records owned by {0}, not by {owner}",
        caller.org
    ))
}

/// The caller's view of a record: `NotFound` unless visible; withdrawn records only to owners.
pub(crate) fn visible_record<K: Record>(
    caller: &Caller,
    stored: Option<Stored<K>>,
) -> Result<Stored<K>> {
    visible(caller, stored)
}

/// The caller's view of a record: `NotFound` unless visible; withdrawn records only to owners.
fn visible<K: Record>(caller: &Caller, stored: Option<Stored<K>>) -> Result<Stored<K>> {
    let stored = stored.ok_or(HubError::NotFound)?;
    may_see(caller, &stored)?;
    Ok(stored)
}

fn may_see<K: Kind>(caller: &Caller, stored: &Stored<K>) -> Result<()> {
    let meta = stored.record.meta();
    let owner = caller.viewpoint.owns(meta.owner);
    if !caller.may_see(meta) || (stored.withdrawn_at.is_some() && !owner) {
        return Err(HubError::NotFound);
    }
    Ok(())
}

/// Whether the caller may change the record: it sees it, and it is its bureau's.
pub(crate) fn may_change<K: Kind>(caller: &Caller, stored: &Stored<K>) -> Result<()> {
    may_see(caller, stored)?;
    let owner = stored.record.meta().owner;
    if !caller.may_write_for(owner) {
        return Err(HubError::Forbidden(format!(
            "the record belongs to {owner}"
        )));
    }
    Ok(())
}

/// Where a guard keeps its rule's refusal, for the caller's answer.
pub(crate) type Refusal = std::rc::Rc<std::cell::Cell<Option<HubError>>>;

/// A store [`palermo_store::Guard`] from a rule: the store asks it about the row its
/// transaction read, and the rule's refusal is kept for the caller's answer.
pub(crate) fn guard<K, F>(rule: F) -> (impl Fn(&Stored<K>) -> bool, Refusal)
where
    F: Fn(&Stored<K>) -> Result<()>,
{
    let refusal = std::rc::Rc::new(std::cell::Cell::new(None));
    let kept = refusal.clone();
    let allow = move |stored: &Stored<K>| match rule(stored) {
        Ok(()) => true,
        Err(error) => {
            kept.set(Some(error));
            false
        }
    };
    (allow, refusal)
}

/// The audit outcome of a failed action.
pub(crate) fn outcome_of(error: &HubError) -> &'static str {
    match error {
        HubError::Invalid(_) => "invalid",
        HubError::NotFound => "not-found",
        HubError::Forbidden(_) | HubError::Unauthenticated(_) => "denied",
        HubError::Conflict(_) | HubError::Refused { .. } => "conflict",
        HubError::Throttled { .. } => "throttled",
        HubError::Unavailable(_) => "unavailable",
        HubError::Internal(_) => "failed",
    }
}

/// Longest error text kept in an audit entry.
const AUDIT_DETAIL_MAX: usize = 300;

impl Hub {
    /// Records a refused or failed action in the trail and hands the error back. (Successful
    /// writes are recorded in their own transaction.)
    pub(crate) fn audit_failure(
        &self,
        caller: &Caller,
        action: &str,
        target: Option<String>,
        error: HubError,
    ) -> HubError {
        self.audit_failure_concerning(caller, action, target, None, error)
    }

    /// [`Hub::audit_failure`], naming the organisation the refused action was aimed at, so
    /// that its auditors see the attempt (the caller is not told whether it exists).
    pub(crate) fn audit_failure_concerning(
        &self,
        caller: &Caller,
        action: &str,
        target: Option<String>,
        concern: Option<palermo_core::OrgCode>,
        error: HubError,
    ) -> HubError {
        let mut event = self.event(caller, action, outcome_of(&error));
        event.target = target;
        event.detail = Some(match &error {
            // The failure's detail (a database's message) is for the operator's log.
            HubError::Internal(_) => "internal failure (the hub's log has the detail)".into(),
            _ => error.to_string().chars().take(AUDIT_DETAIL_MAX).collect(),
        });
        if let Some(org) = concern {
            event.concern(org.as_str());
        }
        if let Err(audit_error) = self.audit(event) {
            tracing::error!(error = %audit_error, "could not audit a failed action");
        }
        error
    }

    /// Runs `action`, auditing its failure; `target` names what it concerned.
    pub(crate) fn audited<T>(
        &self,
        caller: &Caller,
        action: &str,
        target: impl Fn() -> Option<String>,
        work: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        work().map_err(|error| self.audit_failure(caller, action, target(), error))
    }

    /// [`Hub::audited`] for an action aimed at another organisation's people, keys or
    /// settings: a refusal concerns the organisation `concern` names (looked up only then).
    pub(crate) fn audited_concerning<T>(
        &self,
        caller: &Caller,
        action: &str,
        target: impl Fn() -> Option<String>,
        concern: impl Fn() -> Option<palermo_core::OrgCode>,
        work: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        work().map_err(|error| {
            self.audit_failure_concerning(caller, action, target(), concern(), error)
        })
    }

    /// Refuses, before any I/O, a record the caller may not read: a hidden, withdrawn or
    /// absent record then costs the same, and reads alike. (A hub opened without its indexes
    /// decides on the stored record.)
    pub(crate) fn precheck<K: Record>(&self, caller: &Caller, id: i64) -> Result<()> {
        if self.indexed && !K::readable(self, caller, id) {
            return Err(HubError::NotFound);
        }
        Ok(())
    }

    /// A consultation of one record: checked, then audited.
    pub(crate) fn read_record<K: Record>(&self, caller: &Caller, id: i64) -> Result<K::View> {
        let action = format!("{}.read", K::KIND.as_str());
        let target = || Some(format!("{}:{id}", K::KIND.as_str()));
        let (view, owner) = self.audited(caller, &action, target, || {
            caller.require(Permissions::READ_RECORDS)?;
            self.precheck::<K>(caller, id)?;
            let stored = visible(caller, K::get(self.store.as_ref(), id)?)?;
            Ok((K::View::from(&stored), stored.record.meta().owner))
        })?;
        let mut event = self.event(caller, &action, "ok");
        event.target = target();
        event.concern(owner.as_str());
        self.audit(event)?;
        Ok(view)
    }

    /// Writes a batch atomically: inserts, or updates the records with the same owner and
    /// external reference; then moves the index entries, before answering.
    pub(crate) fn write_records<K: Record>(
        &self,
        caller: &Caller,
        inputs: &[K::Input],
        field: &str,
    ) -> Result<BatchWritten> {
        let action = format!("{}.write", K::KIND.as_str());
        self.audited(
            caller,
            &action,
            || None,
            || {
                caller.require(Permissions::WRITE_RECORDS)?;
                check_batch(inputs.len(), field)?;
                let records = validate_all::<K>(self, caller, inputs, field)?;
                let mut event = self.event(caller, &action, "ok");
                event.detail = Some(format!("{} records", records.len()));
                let plural = format!("{}s", K::KIND.as_str());
                let _writing = self.writes.lock();
                let written = K::write(
                    self.store.as_ref(),
                    &records,
                    self.now(),
                    &naming(&event, &plural),
                )?;
                let changes: Vec<Change<'_, K>> = written
                    .iter()
                    .zip(&records)
                    .map(|(w, new)| (w.id, w.previous.as_ref(), Some(new)))
                    .collect();
                K::reindex(self, &changes);
                let updated = written.iter().filter(|w| w.previous.is_some()).count() as u64;
                Ok(BatchWritten {
                    inserted: written.len() as u64 - updated,
                    updated,
                    ids: written.iter().map(|w| w.id).collect(),
                })
            },
        )
    }

    /// The bulk import of a data directory's console (the hub stopped): every record streams
    /// into one store transaction, which commits only if `commit` says so once the stream
    /// ends and every record is the caller's bureau's own. Checked and audited like any write
    /// (a refused or rolled-back import leaves its entry too). The indexes are not updated:
    /// a serving hub takes batches ([`Hub::write_records`]) instead.
    pub(crate) fn import_records<K: Record>(
        &self,
        caller: &Caller,
        records: &mut dyn Iterator<Item = K>,
        commit: &dyn Fn() -> bool,
    ) -> Result<Option<ImportCounts>> {
        let action = format!("{}.import", K::KIND.as_str());
        let target = || Some(format!("{}s", K::KIND.as_str()));
        let refused = std::cell::Cell::new(None::<CountryCode>);
        let outcome = self.audited(caller, &action, target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            context(self, caller, "")?;
            if self.indexed {
                return Err(HubError::Conflict(
                    "a serving hub takes records in batches (POST …/batch), not bulk imports"
                        .into(),
                ));
            }
            // The owner of every record is checked as it streams past; the first that is
            // not the caller's ends the stream and rolls the import back.
            let mut guarded = records.map_while(|record| {
                let owner = record.meta().owner;
                if caller.may_write_for(owner) {
                    Some(record)
                } else {
                    refused.set(Some(owner));
                    None
                }
            });
            let commit = || refused.get().is_none() && commit();
            let mut event = self.event(caller, &action, "ok");
            event.target = target();
            let imported = K::import(
                self.store.as_ref(),
                &mut guarded,
                self.now(),
                &commit,
                &naming(&event, ""),
            )?;
            if let Some(owner) = refused.get() {
                return Err(HubError::Forbidden(format!(
                    "{} may import only records owned by {}, not by {owner}; nothing was \
                     imported",
                    caller.org, caller.org
                )));
            }
            Ok(imported)
        })?;
        if outcome.is_none() {
            let mut event = self.event(caller, &action, "invalid");
            event.target = target();
            event.detail = Some("rolled back: the input held invalid records".into());
            self.audit(event)?;
        }
        Ok(outcome)
    }

    pub(crate) fn create_record<K: Record>(
        &self,
        caller: &Caller,
        input: &K::Input,
    ) -> Result<K::View> {
        let outcome = self
            .write_records::<K>(caller, std::slice::from_ref(input), "")
            .map_err(strip_root_index)?;
        self.read_record::<K>(caller, outcome.ids[0])
    }

    pub(crate) fn update_record<K: Record>(
        &self,
        caller: &Caller,
        id: i64,
        input: &K::Input,
    ) -> Result<K::View> {
        let action = format!("{}.update", K::KIND.as_str());
        let target = || Some(format!("{}:{id}", K::KIND.as_str()));
        self.audited(caller, &action, target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            let record = K::validate(input, context(self, caller, "")?)?;
            if !caller.may_write_for(record.meta().owner) {
                return Err(foreign_owner(caller, "owner", record.meta().owner));
            }
            let mut event = self.event(caller, &action, "ok");
            event.target = target();
            self.precheck::<K>(caller, id)?;
            // A change is not a way back: a withdrawn record is reported again as a new one
            // (a batch or an import by the owner's reference still restores it, as documented).
            let (allow, refusal) = guard(|stored: &Stored<K>| {
                may_change(caller, stored)?;
                if stored.withdrawn_at.is_some() {
                    return Err(HubError::Conflict(format!(
                        "{} {id} is withdrawn: report it again as a new record",
                        K::KIND.as_str()
                    )));
                }
                Ok(())
            });
            let _writing = self.writes.lock();
            let written = K::update(self.store.as_ref(), id, &record, self.now(), &allow, &event)?
                .ok_or_else(|| refusal.take().unwrap_or(HubError::NotFound))?;
            K::reindex(self, &[(id, written.previous.as_ref(), Some(&record))]);
            Ok(())
        })?;
        self.read_record::<K>(caller, id)
    }

    pub(crate) fn withdraw_record<K: Record>(&self, caller: &Caller, id: i64) -> Result<()> {
        let action = format!("{}.withdraw", K::KIND.as_str());
        let target = || Some(format!("{}:{id}", K::KIND.as_str()));
        self.audited(caller, &action, target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            self.precheck::<K>(caller, id)?;
            let mut event = self.event(caller, &action, "ok");
            event.target = target();
            let (allow, refusal) = guard(|stored| may_change(caller, stored));
            let _writing = self.writes.lock();
            let previous = K::withdraw(self.store.as_ref(), id, self.now(), &allow, &event)?
                .ok_or_else(|| refusal.take().unwrap_or(HubError::NotFound))?;
            K::reindex(self, &[(id, Some(&previous), None)]);
            Ok(())
        })
    }

    pub fn document(&self, caller: &Caller, id: i64) -> Result<DocumentView> {
        self.read_record::<Document>(caller, id)
    }

    /// Writes a batch of up to [`WRITE_BATCH_MAX`] documents atomically; `field` names the
    /// batch in error paths (`documents[3].number`).
    pub fn write_documents(
        &self,
        caller: &Caller,
        inputs: &[DocumentInput],
        field: &str,
    ) -> Result<BatchWritten> {
        self.write_records::<Document>(caller, inputs, field)
    }

    pub fn create_document(&self, caller: &Caller, input: &DocumentInput) -> Result<DocumentView> {
        self.create_record::<Document>(caller, input)
    }

    pub fn update_document(
        &self,
        caller: &Caller,
        id: i64,
        input: &DocumentInput,
    ) -> Result<DocumentView> {
        self.update_record::<Document>(caller, id, input)
    }

    pub fn withdraw_document(&self, caller: &Caller, id: i64) -> Result<()> {
        self.withdraw_record::<Document>(caller, id)
    }

    pub fn vehicle(&self, caller: &Caller, id: i64) -> Result<VehicleView> {
        self.read_record::<Vehicle>(caller, id)
    }

    pub fn write_vehicles(
        &self,
        caller: &Caller,
        inputs: &[VehicleInput],
        field: &str,
    ) -> Result<BatchWritten> {
        self.write_records::<Vehicle>(caller, inputs, field)
    }

    pub fn create_vehicle(&self, caller: &Caller, input: &VehicleInput) -> Result<VehicleView> {
        self.create_record::<Vehicle>(caller, input)
    }

    pub fn update_vehicle(
        &self,
        caller: &Caller,
        id: i64,
        input: &VehicleInput,
    ) -> Result<VehicleView> {
        self.update_record::<Vehicle>(caller, id, input)
    }

    pub fn withdraw_vehicle(&self, caller: &Caller, id: i64) -> Result<()> {
        self.withdraw_record::<Vehicle>(caller, id)
    }

    /// Bulk import of documents on a data directory ([`Hub::import_records`]).
    pub fn import_documents(
        &self,
        caller: &Caller,
        records: &mut dyn Iterator<Item = Document>,
        commit: &dyn Fn() -> bool,
    ) -> Result<Option<ImportCounts>> {
        self.import_records(caller, records, commit)
    }

    pub fn import_vehicles(
        &self,
        caller: &Caller,
        records: &mut dyn Iterator<Item = Vehicle>,
        commit: &dyn Fn() -> bool,
    ) -> Result<Option<ImportCounts>> {
        self.import_records(caller, records, commit)
    }

    pub fn import_persons(
        &self,
        caller: &Caller,
        records: &mut dyn Iterator<Item = palermo_core::Person>,
        commit: &dyn Fn() -> bool,
    ) -> Result<Option<ImportCounts>> {
        self.import_records(caller, records, commit)
    }
}

/// A single-record request names fields from the body's root: `number`, not `[0].number`.
fn strip_root_index(error: HubError) -> HubError {
    match error {
        HubError::Forbidden(detail) => HubError::Forbidden(
            detail
                .trim_start_matches("[0]")
                .trim_start_matches('.')
                .to_owned(),
        ),
        HubError::Invalid(errors) => HubError::Invalid(FieldErrors(
            errors
                .0
                .into_iter()
                .map(|mut e| {
                    e.field = e
                        .field
                        .trim_start_matches("[0]")
                        .trim_start_matches('.')
                        .to_owned();
                    e
                })
                .collect(),
        )),
        other => other,
    }
}
