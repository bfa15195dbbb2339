//! SQL for messages between organisations, their receipts and attachments, and webhook
//! deliveries.

use palermo_core::audit::Hash;
use palermo_core::{OrgCode, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use sha2::{Digest, Sha256};

use super::security::{conflict, corrupt, hash, org_code};
use crate::{
    AttachmentMeta, Attempt, Delivery, DeliveryKind, Mailbox, NewMessage, Receipt, Recipient,
    Result, StoredMessage, Webhook,
};

fn random_key() -> String {
    let mut bytes = [0u8; 16];
    // Uniqueness, not secrecy: the time and a counter would do; randomness is simpler.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn send(tx: &Transaction<'_>, message: &NewMessage) -> Result<i64> {
    tx.execute(
        "INSERT INTO messages (thread_id, in_reply_to, sender_org, sender_user, subject, body,
             priority, handling, refs, created_at)
         VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            message.in_reply_to,
            message.sender_org.as_str(),
            message.sender_user,
            message.subject,
            message.body,
            message.priority,
            message.handling,
            message.refs,
            message.at.0,
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE messages SET thread_id = ?2 WHERE id = ?1",
        params![id, message.thread_id.unwrap_or(id)],
    )?;
    let mut recipient =
        tx.prepare_cached("INSERT INTO message_recipients (message_id, org) VALUES (?1, ?2)")?;
    let mut delivery = tx.prepare_cached(
        "INSERT INTO deliveries (kind, subject_id, org, idempotency_key, next_attempt_at)
         SELECT 'message', ?1, org, ?3, ?4 FROM webhooks WHERE org = ?2",
    )?;
    for org in &message.recipients {
        recipient
            .execute(params![id, org.as_str()])
            .map_err(|error| {
                conflict(error, || format!("no organisation {org}, or named twice"))
            })?;
        delivery.execute(params![
            id,
            org.as_str(),
            format!("msg-{id}-{org}-{}", random_key()),
            message.at.0
        ])?;
    }
    let mut attachment = tx.prepare_cached(
        "INSERT INTO attachments (message_id, name, content_type, size, sha256, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for file in &message.attachments {
        let digest: Hash = Sha256::digest(&file.data).into();
        attachment.execute(params![
            id,
            file.name,
            file.content_type,
            file.data.len() as i64,
            &digest[..],
            file.data
        ])?;
    }
    Ok(id)
}

const MESSAGE_COLUMNS: &str = "id, thread_id, in_reply_to, created_at, sender_org, sender_user, \
    subject, body, priority, handling, refs";

fn read_message(connection: &Connection, row: &Row<'_>) -> Result<StoredMessage> {
    let id: i64 = row.get(0)?;
    let mut recipients = Vec::new();
    {
        let mut statement = connection.prepare_cached(
            "SELECT org, read_at, read_by, acknowledged_at, acknowledged_by
             FROM message_recipients WHERE message_id = ?1 ORDER BY org",
        )?;
        let mut rows = statement.query([id])?;
        while let Some(r) = rows.next()? {
            recipients.push(Recipient {
                org: org_code(&r.get::<_, String>(0)?)?,
                read_at: r.get::<_, Option<i64>>(1)?.map(Timestamp),
                read_by: r.get(2)?,
                acknowledged_at: r.get::<_, Option<i64>>(3)?.map(Timestamp),
                acknowledged_by: r.get(4)?,
            });
        }
    }
    let mut attachments = Vec::new();
    {
        let mut statement = connection.prepare_cached(
            "SELECT id, name, content_type, size, sha256 FROM attachments
             WHERE message_id = ?1 ORDER BY id",
        )?;
        let mut rows = statement.query([id])?;
        while let Some(r) = rows.next()? {
            attachments.push(AttachmentMeta {
                id: r.get(0)?,
                name: r.get(1)?,
                content_type: r.get(2)?,
                size: r.get::<_, i64>(3)? as u64,
                sha256: hash(r.get(4)?)?,
            });
        }
    }
    Ok(StoredMessage {
        id,
        thread_id: row.get(1)?,
        in_reply_to: row.get(2)?,
        at: Timestamp(row.get(3)?),
        sender_org: org_code(&row.get::<_, String>(4)?)?,
        sender_user: row.get(5)?,
        subject: row.get(6)?,
        body: row.get(7)?,
        priority: row.get(8)?,
        handling: row.get(9)?,
        refs: row.get(10)?,
        recipients,
        attachments,
    })
}

fn query_messages(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<StoredMessage>> {
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut messages = Vec::new();
    while let Some(row) = rows.next()? {
        messages.push(read_message(connection, row)?);
    }
    Ok(messages)
}

pub(super) fn message(connection: &Connection, id: i64) -> Result<Option<StoredMessage>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1");
    Ok(query_messages(connection, &sql, [id])?.pop())
}

/// Message `id` if `org` sent or received it: the party is decided in the query, before the
/// message is read, so that another organisation's message costs what an absent one costs.
pub(super) fn message_for(
    connection: &Connection,
    id: i64,
    org: OrgCode,
) -> Result<Option<StoredMessage>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1 AND (sender_org = ?2
             OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = ?1 AND r.org = ?2))"
    );
    Ok(query_messages(connection, &sql, params![id, org.as_str()])?.pop())
}

pub(super) fn messages(
    connection: &Connection,
    org: OrgCode,
    mailbox: Mailbox,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredMessage>> {
    let sql = match mailbox {
        Mailbox::Outbox => format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_org = ?1 AND id < ?2
             ORDER BY id DESC LIMIT ?3"
        ),
        Mailbox::Inbox => format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN (
                 SELECT message_id FROM message_recipients WHERE org = ?1 AND message_id < ?2
                 ORDER BY message_id DESC LIMIT ?3)
             ORDER BY id DESC"
        ),
    };
    query_messages(
        connection,
        &sql,
        params![org.as_str(), before.unwrap_or(i64::MAX), limit as i64],
    )
}

pub(super) fn thread(connection: &Connection, thread_id: i64) -> Result<Vec<StoredMessage>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE thread_id = ?1 ORDER BY id");
    query_messages(connection, &sql, [thread_id])
}

pub(super) fn attachment(
    connection: &Connection,
    id: i64,
) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>> {
    connection
        .query_row(
            "SELECT message_id, id, name, content_type, size, sha256, data FROM attachments
             WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, Vec<u8>>(5)?,
                    row.get::<_, Vec<u8>>(6)?,
                ))
            },
        )
        .optional()?
        .map(|(message_id, id, name, content_type, size, digest, data)| {
            Ok((
                message_id,
                AttachmentMeta {
                    id,
                    name,
                    content_type,
                    size: size as u64,
                    sha256: hash(digest)?,
                },
                data,
            ))
        })
        .transpose()
}

pub(super) fn give_receipt(
    tx: &Transaction<'_>,
    message_id: i64,
    org: OrgCode,
    receipt: Receipt,
    by: &str,
    at: Timestamp,
) -> Result<bool> {
    let sql = match receipt {
        Receipt::Read => {
            "UPDATE message_recipients SET read_at = ?3, read_by = ?4
             WHERE message_id = ?1 AND org = ?2 AND read_at IS NULL"
        }
        // Acknowledging reads too.
        Receipt::Acknowledged => {
            "UPDATE message_recipients SET acknowledged_at = ?3, acknowledged_by = ?4,
                 read_at = coalesce(read_at, ?3), read_by = coalesce(read_by, ?4)
             WHERE message_id = ?1 AND org = ?2 AND acknowledged_at IS NULL"
        }
    };
    Ok(tx.execute(sql, params![message_id, org.as_str(), at.0, by])? == 1)
}

pub(super) fn set_webhook(tx: &Transaction<'_>, webhook: &Webhook) -> Result<()> {
    tx.execute(
        "INSERT INTO webhooks (org, url, secret) VALUES (?1, ?2, ?3)
         ON CONFLICT (org) DO UPDATE SET url = excluded.url, secret = excluded.secret",
        params![webhook.org.as_str(), webhook.url, webhook.secret],
    )
    .map_err(|error| conflict(error, || format!("no organisation {}", webhook.org)))?;
    Ok(())
}

pub(super) fn webhook(connection: &Connection, org: OrgCode) -> Result<Option<Webhook>> {
    connection
        .query_row(
            "SELECT url, secret FROM webhooks WHERE org = ?1",
            [org.as_str()],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?
        .map(|(url, secret)| Ok(Webhook { org, url, secret }))
        .transpose()
}

const DELIVERY_COLUMNS: &str = "id, kind, subject_id, org, idempotency_key, attempts, \
    next_attempt_at, delivered_at, failed_at, last_error";

fn read_delivery(row: &Row<'_>) -> Result<Delivery> {
    let kind: String = row.get(1)?;
    Ok(Delivery {
        id: row.get(0)?,
        kind: DeliveryKind::parse(&kind).ok_or_else(|| corrupt("delivery kind", &kind))?,
        subject_id: row.get(2)?,
        org: org_code(&row.get::<_, String>(3)?)?,
        idempotency_key: row.get(4)?,
        attempts: row.get::<_, i64>(5)? as u32,
        next_attempt_at: Timestamp(row.get(6)?),
        delivered_at: row.get::<_, Option<i64>>(7)?.map(Timestamp),
        failed_at: row.get::<_, Option<i64>>(8)?.map(Timestamp),
        last_error: row.get(9)?,
    })
}

/// Queues a delivery of `kind` about `subject_id` to each of `orgs` that has a webhook.
pub(super) fn queue_deliveries(
    tx: &Transaction<'_>,
    kind: DeliveryKind,
    subject_id: i64,
    orgs: &[&str],
    at: Timestamp,
) -> Result<()> {
    let mut statement = tx.prepare_cached(
        "INSERT INTO deliveries (kind, subject_id, org, idempotency_key, next_attempt_at)
         SELECT ?1, ?2, org, ?4, ?5 FROM webhooks WHERE org = ?3",
    )?;
    for org in orgs {
        let key = format!("{}-{subject_id}-{org}-{}", kind.as_str(), random_key());
        statement.execute(params![kind.as_str(), subject_id, org, key, at.0])?;
    }
    Ok(())
}

fn query_deliveries(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Delivery>> {
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut deliveries = Vec::new();
    while let Some(row) = rows.next()? {
        deliveries.push(read_delivery(row)?);
    }
    Ok(deliveries)
}

pub(super) fn due_deliveries(
    connection: &Connection,
    now: Timestamp,
    limit: usize,
    skip: &[OrgCode],
) -> Result<Vec<Delivery>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries
         WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
           AND org NOT IN (SELECT value FROM json_each(?3))
         ORDER BY next_attempt_at, id LIMIT ?2"
    );
    let skip: Vec<&str> = skip.iter().map(OrgCode::as_str).collect();
    let skip = serde_json::to_string(&skip).unwrap_or_else(|_| "[]".into());
    query_deliveries(connection, &sql, params![now.0, limit as i64, skip])
}

pub(super) fn deliveries(
    connection: &Connection,
    kind: DeliveryKind,
    subject_id: i64,
) -> Result<Vec<Delivery>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE kind = ?1 AND subject_id = ?2 ORDER BY id"
    );
    query_deliveries(connection, &sql, params![kind.as_str(), subject_id])
}

pub(super) fn record_attempt(tx: &Transaction<'_>, id: i64, attempt: &Attempt) -> Result<()> {
    match attempt {
        Attempt::Delivered(at) => tx.execute(
            "UPDATE deliveries SET attempts = attempts + 1, delivered_at = ?2, last_error = NULL
             WHERE id = ?1",
            params![id, at.0],
        )?,
        Attempt::Retry { error, at } => tx.execute(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
             WHERE id = ?1",
            params![id, at.0, error],
        )?,
        Attempt::GaveUp { error, at } => tx.execute(
            "UPDATE deliveries SET attempts = attempts + 1, failed_at = ?2, last_error = ?3
             WHERE id = ?1",
            params![id, at.0, error],
        )?,
    };
    Ok(())
}
