import type { AuditRecord, AuditStore, StoredAuditRecord } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface AuditRow {
  seq: number;
  at_ms: number;
  actor_id: string | null;
  action: string;
  subject: string | null;
  ip: string | null;
  detail: string;
}

/** The audit insert as a synchronous step, for other adapters' transactions (run inside a `WriteQueue` job). */
export function prepareAuditInsert(db: Sqlite): (record: AuditRecord) => void {
  const insert = db.prepare('INSERT INTO audit_events (at_ms, actor_id, action, subject, ip, detail) VALUES (?, ?, ?, ?, ?, ?)');
  return (record) => {
    insert.run(record.atMs, record.actorId, record.action, record.subject, record.ip, JSON.stringify(record.detail));
  };
}

export function createSqliteAuditStore(db: Sqlite, writes: WriteQueue): AuditStore {
  const insert = prepareAuditInsert(db);
  return {
    append: (record) => writes.run(() => insert(record)),
    async list({ limit, beforeSeq, subject }) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (beforeSeq !== undefined) {
        where.push('seq < ?');
        params.push(beforeSeq);
      }
      if (subject !== undefined) {
        where.push('subject = ?');
        params.push(subject);
      }
      const rows = db
        .prepare(`SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
        .all(...params, limit) as AuditRow[];
      return rows.map(
        (row): StoredAuditRecord => ({
          seq: row.seq,
          atMs: row.at_ms,
          actorId: row.actor_id,
          action: row.action,
          subject: row.subject,
          ip: row.ip,
          detail: JSON.parse(row.detail) as Record<string, unknown>,
        }),
      );
    },
  };
}
