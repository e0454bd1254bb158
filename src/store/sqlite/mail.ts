import type { ClaimedMail, MailDeliveryEntry, MailDeliveryLog, MailDeliveryStatus, MailOutbox, MailRecord } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface MailRow {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  kind: string;
  created_ms: number;
  delivery_status: string;
  attempts: number;
  last_error: string | null;
  last_attempt_ms: number | null;
  next_attempt_ms: number | null;
  sent_ms: number | null;
}

const toRecord = (row: MailRow): MailRecord => ({
  id: row.id,
  to: row.recipient,
  subject: row.subject,
  text: row.body,
  kind: row.kind,
  createdMs: row.created_ms,
});

const toEntry = (row: MailRow): MailDeliveryEntry => ({
  ...toRecord(row),
  delivery: {
    status: row.delivery_status as MailDeliveryStatus,
    attempts: row.attempts,
    lastError: row.last_error,
    lastAttemptMs: row.last_attempt_ms,
    nextAttemptMs: row.next_attempt_ms,
    sentMs: row.sent_ms,
  },
});

/**
 * Who watches each database for new mail. The outbox insert runs inside a `WriteQueue` job, whose whole group
 * transaction (BEGIN … COMMIT) runs synchronously in one `flush`: a `setImmediate` scheduled from the insert
 * therefore fires after the COMMIT (or the ROLLBACK), which is what `MailDeliveryLog.watch` promises.
 */
const watchers = new WeakMap<Sqlite, { listeners: Set<() => void>; scheduled: boolean }>();

function watchersOf(db: Sqlite) {
  let found = watchers.get(db);
  if (!found) {
    found = { listeners: new Set(), scheduled: false };
    watchers.set(db, found);
  }
  return found;
}

/** The outbox insert as a synchronous step, for other adapters' transactions (run inside a `WriteQueue` job). */
export function prepareMailInsert(db: Sqlite): (message: MailRecord) => void {
  const insert = db.prepare(
    'INSERT INTO mail_outbox (id, recipient, subject, body, kind, created_ms, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const watching = watchersOf(db);
  return (message) => {
    insert.run(message.id, message.to, message.subject, message.text, message.kind, message.createdMs, message.createdMs);
    if (watching.listeners.size === 0 || watching.scheduled) return;
    watching.scheduled = true;
    setImmediate(() => {
      watching.scheduled = false;
      for (const listener of watching.listeners) listener();
    });
  };
}

function createSqliteMailDeliveryLog(db: Sqlite, writes: WriteQueue): MailDeliveryLog {
  const sql = {
    due: db.prepare('SELECT * FROM mail_outbox WHERE next_attempt_ms IS NOT NULL AND next_attempt_ms <= ? ORDER BY next_attempt_ms, rowid LIMIT ?'),
    claim: db.prepare('UPDATE mail_outbox SET attempts = attempts + 1, last_attempt_ms = ?, next_attempt_ms = ? WHERE id = ?'),
    sent: db.prepare("UPDATE mail_outbox SET delivery_status = 'sent', sent_ms = ?, next_attempt_ms = NULL, last_error = NULL WHERE id = ? AND delivery_status <> 'sent'"),
    failed: db.prepare("UPDATE mail_outbox SET delivery_status = 'failed', last_error = ?, next_attempt_ms = ? WHERE id = ? AND delivery_status <> 'sent'"),
    next: db.prepare('SELECT MIN(next_attempt_ms) AS next FROM mail_outbox WHERE next_attempt_ms IS NOT NULL'),
    list: db.prepare('SELECT * FROM mail_outbox ORDER BY created_ms DESC, rowid DESC LIMIT ?'),
  };
  const watching = watchersOf(db);
  return {
    claimDue(nowMs, leaseMs, limit) {
      return writes.run(() =>
        (sql.due.all(nowMs, limit) as MailRow[]).map((row): ClaimedMail => {
          sql.claim.run(nowMs, nowMs + leaseMs, row.id);
          return { ...toRecord(row), attempts: row.attempts + 1 };
        }),
      );
    },
    async markSent(id, atMs) {
      await writes.run(() => sql.sent.run(atMs, id));
    },
    async markFailed(id, { error, nextAttemptMs }) {
      await writes.run(() => sql.failed.run(error, nextAttemptMs, id));
    },
    async nextAttemptMs() {
      return (sql.next.get() as { next: number | null }).next;
    },
    async list(limit) {
      return (sql.list.all(limit) as MailRow[]).map(toEntry);
    },
    watch(listener) {
      const own = () => listener();
      watching.listeners.add(own);
      return () => {
        watching.listeners.delete(own);
      };
    },
  };
}

export function createSqliteMailOutbox(db: Sqlite, writes: WriteQueue): MailOutbox {
  const insert = prepareMailInsert(db);
  const list = db.prepare('SELECT * FROM mail_outbox ORDER BY created_ms DESC, rowid DESC LIMIT ?');
  return {
    enqueue: (message) => writes.run(() => insert(message)),
    async list(limit) {
      return (list.all(limit) as MailRow[]).map(toRecord);
    },
    delivery: createSqliteMailDeliveryLog(db, writes),
  };
}
