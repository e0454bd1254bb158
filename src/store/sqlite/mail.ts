import type { MailOutbox, MailRecord } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface MailRow {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  kind: string;
  created_ms: number;
}

/** The outbox insert as a synchronous step, for other adapters' transactions (run inside a `WriteQueue` job). */
export function prepareMailInsert(db: Sqlite): (message: MailRecord) => void {
  const insert = db.prepare('INSERT INTO mail_outbox (id, recipient, subject, body, kind, created_ms) VALUES (?, ?, ?, ?, ?, ?)');
  return (message) => {
    insert.run(message.id, message.to, message.subject, message.text, message.kind, message.createdMs);
  };
}

export function createSqliteMailOutbox(db: Sqlite, writes: WriteQueue): MailOutbox {
  const insert = prepareMailInsert(db);
  const list = db.prepare('SELECT * FROM mail_outbox ORDER BY created_ms DESC, rowid DESC LIMIT ?');
  return {
    enqueue: (message) => writes.run(() => insert(message)),
    async list(limit) {
      return (list.all(limit) as MailRow[]).map((row) => ({
        id: row.id,
        to: row.recipient,
        subject: row.subject,
        text: row.body,
        kind: row.kind,
        createdMs: row.created_ms,
      }));
    },
  };
}
