/**
 * Pure filters and updates of SMTP delivery bookkeeping on the outbox (MailDeliveryLog), the same rules as SQLite's
 * `mail_outbox` columns (src/store/sqlite/mail.ts): `nextAttemptMs` is set exactly while a message is due or claimed.
 *
 * A claim is one `findOneAndUpdate` per message: the filter (due now) and the update (count the attempt, move
 * `nextAttemptMs` to the end of the lease) apply to one document atomically, so of two processes claiming at once
 * exactly one gets each message; the other's filter no longer matches it and it takes the next one, or nothing.
 */
import type { ClaimedMail, MailDeliveryEntry } from '../ports.js';
import { toMailRecord } from './access-queries.js';
import type { MailDocument } from './documents-model.js';

/** Messages due at `nowMs`: never sent, not given up, their next attempt (or lease end) reached. */
export const dueMailFilter = (nowMs: number) => ({ nextAttemptMs: { $ne: null, $lte: nowMs } });

/** Earliest due first; insertion order among equals (SQLite: `ORDER BY next_attempt_ms, rowid`). */
export const dueMailSort = { nextAttemptMs: 1, seq: 1 } as const;

/** Counts the attempt and holds the message until `nowMs + leaseMs`. */
export const claimMailUpdate = (nowMs: number, leaseMs: number) => ({
  $inc: { attempts: 1 },
  $set: { lastAttemptMs: nowMs, nextAttemptMs: nowMs + leaseMs },
});

/** Only a message not already sent changes (both marks are idempotent and never undo a success). */
export const notSentFilter = (id: string) => ({ _id: id, deliveryStatus: { $ne: 'sent' as const } });

export const sentMailUpdate = (atMs: number) => ({ $set: { deliveryStatus: 'sent' as const, sentMs: atMs, nextAttemptMs: null, lastError: null } });

export const failedMailUpdate = (error: string, nextAttemptMs: number | null) => ({ $set: { deliveryStatus: 'failed' as const, lastError: error, nextAttemptMs } });

/** A message with a next attempt (for the sender's timer: the earliest of them). */
export const pendingMailFilter = { nextAttemptMs: { $ne: null } } as const;

export const toClaimedMail = (doc: MailDocument): ClaimedMail => ({ ...toMailRecord(doc), attempts: doc.attempts });

export const toMailDeliveryEntry = (doc: MailDocument): MailDeliveryEntry => ({
  ...toMailRecord(doc),
  delivery: {
    status: doc.deliveryStatus ?? 'pending',
    attempts: doc.attempts ?? 0,
    lastError: doc.lastError ?? null,
    lastAttemptMs: doc.lastAttemptMs ?? null,
    nextAttemptMs: doc.nextAttemptMs ?? null,
    sentMs: doc.sentMs ?? null,
  },
});
