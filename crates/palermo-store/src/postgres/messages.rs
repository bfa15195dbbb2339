//! SQL for messages between organisations, their receipts and attachments, and webhook
//! deliveries.

use std::collections::HashMap;

use palermo_core::audit::Hash;
use palermo_core::{OrgCode, Timestamp};
use postgres::types::ToSql;
use postgres::{GenericClient, Row};
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

pub(super) fn send(client: &mut impl GenericClient, message: &NewMessage) -> Result<i64> {
    let id: i64 = client
        .query_one(
            "INSERT INTO messages (thread_id, in_reply_to, sender_org, sender_user, subject, body,
                 priority, handling, refs, created_at)
             VALUES (0, $1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING id",
            &[
                &message.in_reply_to,
                &message.sender_org.as_str(),
                &message.sender_user,
                &message.subject,
                &message.body,
                &message.priority,
                &message.handling,
                &message.refs,
                &message.at.0,
            ],
        )?
        .try_get(0)?;
    client.execute(
        "UPDATE messages SET thread_id = $2 WHERE id = $1",
        &[&id, &message.thread_id.unwrap_or(id)],
    )?;
    let recipient =
        client.prepare("INSERT INTO message_recipients (message_id, org) VALUES ($1, $2)")?;
    let delivery = client.prepare(
        "INSERT INTO deliveries (kind, subject_id, org, idempotency_key, next_attempt_at)
         SELECT 'message', $1::bigint, org, $3::text, $4::bigint FROM webhooks WHERE org = $2",
    )?;
    for org in &message.recipients {
        client
            .execute(&recipient, &[&id, &org.as_str()])
            .map_err(|error| {
                conflict(error, || format!("no organisation {org}, or named twice"))
            })?;
        client.execute(
            &delivery,
            &[
                &id,
                &org.as_str(),
                &format!("msg-{id}-{org}-{}", random_key()),
                &message.at.0,
            ],
        )?;
    }
    let attachment = client.prepare(
        "INSERT INTO attachments (message_id, name, content_type, size, sha256, data)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )?;
    for file in &message.attachments {
        let digest: Hash = Sha256::digest(&file.data).into();
        client.execute(
            &attachment,
            &[
                &id,
                &file.name,
                &file.content_type,
                &(file.data.len() as i64),
                &digest.as_slice(),
                &file.data,
            ],
        )?;
    }
    Ok(id)
}

const MESSAGE_COLUMNS: &str = "id, thread_id, in_reply_to, created_at, sender_org, sender_user, \
    subject, body, priority, handling, refs";

/// A message row, its recipients and attachments still to be added.
fn read_message(row: &Row) -> Result<StoredMessage> {
    Ok(StoredMessage {
        id: row.try_get(0)?,
        thread_id: row.try_get(1)?,
        in_reply_to: row.try_get(2)?,
        at: Timestamp(row.try_get(3)?),
        sender_org: org_code(row.try_get(4)?)?,
        sender_user: row.try_get(5)?,
        subject: row.try_get(6)?,
        body: row.try_get(7)?,
        priority: row.try_get(8)?,
        handling: row.try_get(9)?,
        refs: row.try_get(10)?,
        recipients: Vec::new(),
        attachments: Vec::new(),
    })
}

/// The messages `sql` selects (its columns [`MESSAGE_COLUMNS`]), in its order, each with its
/// recipients (in code order) and attachments (in id order). The recipients and attachments
/// of all of them are read in one query each, not one per message.
fn query_messages(
    client: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<StoredMessage>> {
    let mut messages = client
        .query(sql, params)?
        .iter()
        .map(read_message)
        .collect::<Result<Vec<_>>>()?;
    if messages.is_empty() {
        return Ok(messages);
    }
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let place = |message_id: i64| {
        index
            .get(&message_id)
            .copied()
            .ok_or_else(|| corrupt("message id", message_id))
    };
    for r in client.query(
        "SELECT message_id, org, read_at, read_by, acknowledged_at, acknowledged_by
         FROM message_recipients WHERE message_id = ANY($1)
         ORDER BY message_id, org COLLATE \"C\"",
        &[&ids],
    )? {
        let at = place(r.try_get(0)?)?;
        messages[at].recipients.push(Recipient {
            org: org_code(r.try_get(1)?)?,
            read_at: r.try_get::<_, Option<i64>>(2)?.map(Timestamp),
            read_by: r.try_get(3)?,
            acknowledged_at: r.try_get::<_, Option<i64>>(4)?.map(Timestamp),
            acknowledged_by: r.try_get(5)?,
        });
    }
    for r in client.query(
        "SELECT message_id, id, name, content_type, size, sha256 FROM attachments
         WHERE message_id = ANY($1) ORDER BY message_id, id",
        &[&ids],
    )? {
        let at = place(r.try_get(0)?)?;
        messages[at].attachments.push(AttachmentMeta {
            id: r.try_get(1)?,
            name: r.try_get(2)?,
            content_type: r.try_get(3)?,
            size: r.try_get::<_, i64>(4)? as u64,
            sha256: hash(r.try_get(5)?)?,
        });
    }
    Ok(messages)
}

pub(super) fn message(client: &mut impl GenericClient, id: i64) -> Result<Option<StoredMessage>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1");
    Ok(query_messages(client, &sql, &[&id])?.pop())
}

/// Message `id` if `org` sent or received it: the party is decided in the query, before the
/// message is read, so that another organisation's message costs what an absent one costs.
pub(super) fn message_for(
    client: &mut impl GenericClient,
    id: i64,
    org: OrgCode,
) -> Result<Option<StoredMessage>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND (sender_org = $2
             OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = $1 AND r.org = $2))"
    );
    Ok(query_messages(client, &sql, &[&id, &org.as_str()])?.pop())
}

pub(super) fn messages(
    client: &mut impl GenericClient,
    org: OrgCode,
    mailbox: Mailbox,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredMessage>> {
    let sql = match mailbox {
        Mailbox::Outbox => format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_org = $1 AND id < $2
             ORDER BY id DESC LIMIT $3"
        ),
        Mailbox::Inbox => format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN (
                 SELECT message_id FROM message_recipients WHERE org = $1 AND message_id < $2
                 ORDER BY message_id DESC LIMIT $3)
             ORDER BY id DESC"
        ),
    };
    query_messages(
        client,
        &sql,
        &[&org.as_str(), &before.unwrap_or(i64::MAX), &(limit as i64)],
    )
}

pub(super) fn thread(
    client: &mut impl GenericClient,
    thread_id: i64,
) -> Result<Vec<StoredMessage>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE thread_id = $1 ORDER BY id");
    query_messages(client, &sql, &[&thread_id])
}

pub(super) fn attachment(
    client: &mut impl GenericClient,
    id: i64,
) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>> {
    client
        .query_opt(
            "SELECT message_id, id, name, content_type, size, sha256, data FROM attachments
             WHERE id = $1",
            &[&id],
        )?
        .map(|row| -> Result<(i64, AttachmentMeta, Vec<u8>)> {
            Ok((
                row.try_get(0)?,
                AttachmentMeta {
                    id: row.try_get(1)?,
                    name: row.try_get(2)?,
                    content_type: row.try_get(3)?,
                    size: row.try_get::<_, i64>(4)? as u64,
                    sha256: hash(row.try_get(5)?)?,
                },
                row.try_get(6)?,
            ))
        })
        .transpose()
}

pub(super) fn give_receipt(
    client: &mut impl GenericClient,
    message_id: i64,
    org: OrgCode,
    receipt: Receipt,
    by: &str,
    at: Timestamp,
) -> Result<bool> {
    let sql = match receipt {
        Receipt::Read => {
            "UPDATE message_recipients SET read_at = $3, read_by = $4
             WHERE message_id = $1 AND org = $2 AND read_at IS NULL"
        }
        // Acknowledging reads too.
        Receipt::Acknowledged => {
            "UPDATE message_recipients SET acknowledged_at = $3, acknowledged_by = $4,
                 read_at = coalesce(read_at, $3), read_by = coalesce(read_by, $4)
             WHERE message_id = $1 AND org = $2 AND acknowledged_at IS NULL"
        }
    };
    Ok(client.execute(sql, &[&message_id, &org.as_str(), &at.0, &by])? == 1)
}

pub(super) fn set_webhook(client: &mut impl GenericClient, webhook: &Webhook) -> Result<()> {
    client
        .execute(
            "INSERT INTO webhooks (org, url, secret) VALUES ($1, $2, $3)
             ON CONFLICT (org) DO UPDATE SET url = excluded.url, secret = excluded.secret",
            &[&webhook.org.as_str(), &webhook.url, &webhook.secret],
        )
        .map_err(|error| conflict(error, || format!("no organisation {}", webhook.org)))?;
    Ok(())
}

pub(super) fn webhook(client: &mut impl GenericClient, org: OrgCode) -> Result<Option<Webhook>> {
    client
        .query_opt(
            "SELECT url, secret FROM webhooks WHERE org = $1",
            &[&org.as_str()],
        )?
        .map(|row| -> Result<Webhook> {
            Ok(Webhook {
                org,
                url: row.try_get(0)?,
                secret: row.try_get(1)?,
            })
        })
        .transpose()
}

const DELIVERY_COLUMNS: &str = "id, kind, subject_id, org, idempotency_key, attempts, \
    next_attempt_at, delivered_at, failed_at, last_error";

fn read_delivery(row: &Row) -> Result<Delivery> {
    let kind: String = row.try_get(1)?;
    Ok(Delivery {
        id: row.try_get(0)?,
        kind: DeliveryKind::parse(&kind).ok_or_else(|| corrupt("delivery kind", &kind))?,
        subject_id: row.try_get(2)?,
        org: org_code(row.try_get(3)?)?,
        idempotency_key: row.try_get(4)?,
        attempts: row.try_get::<_, i64>(5)? as u32,
        next_attempt_at: Timestamp(row.try_get(6)?),
        delivered_at: row.try_get::<_, Option<i64>>(7)?.map(Timestamp),
        failed_at: row.try_get::<_, Option<i64>>(8)?.map(Timestamp),
        last_error: row.try_get(9)?,
    })
}

/// Queues a delivery of `kind` about `subject_id` to each of `orgs` that has a webhook.
pub(super) fn queue_deliveries(
    client: &mut impl GenericClient,
    kind: DeliveryKind,
    subject_id: i64,
    orgs: &[&str],
    at: Timestamp,
) -> Result<()> {
    let statement = client.prepare(
        "INSERT INTO deliveries (kind, subject_id, org, idempotency_key, next_attempt_at)
         SELECT $1::text, $2::bigint, org, $4::text, $5::bigint FROM webhooks WHERE org = $3",
    )?;
    for org in orgs {
        let key = format!("{}-{subject_id}-{org}-{}", kind.as_str(), random_key());
        client.execute(&statement, &[&kind.as_str(), &subject_id, org, &key, &at.0])?;
    }
    Ok(())
}

fn query_deliveries(
    client: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Delivery>> {
    client
        .query(sql, params)?
        .iter()
        .map(read_delivery)
        .collect()
}

pub(super) fn due_deliveries(
    client: &mut impl GenericClient,
    now: Timestamp,
    limit: usize,
    skip: &[OrgCode],
) -> Result<Vec<Delivery>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries
         WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
           AND org <> ALL($3)
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    let skip: Vec<&str> = skip.iter().map(OrgCode::as_str).collect();
    query_deliveries(client, &sql, &[&now.0, &(limit as i64), &skip])
}

pub(super) fn deliveries(
    client: &mut impl GenericClient,
    kind: DeliveryKind,
    subject_id: i64,
) -> Result<Vec<Delivery>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE kind = $1 AND subject_id = $2 ORDER BY id"
    );
    query_deliveries(client, &sql, &[&kind.as_str(), &subject_id])
}

pub(super) fn record_attempt(
    client: &mut impl GenericClient,
    id: i64,
    attempt: &Attempt,
) -> Result<()> {
    match attempt {
        Attempt::Delivered(at) => client.execute(
            "UPDATE deliveries SET attempts = attempts + 1, delivered_at = $2, last_error = NULL
             WHERE id = $1",
            &[&id, &at.0],
        )?,
        Attempt::Retry { error, at } => client.execute(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3
             WHERE id = $1",
            &[&id, &at.0, error],
        )?,
        Attempt::GaveUp { error, at } => client.execute(
            "UPDATE deliveries SET attempts = attempts + 1, failed_at = $2, last_error = $3
             WHERE id = $1",
            &[&id, &at.0, error],
        )?,
    };
    Ok(())
}
