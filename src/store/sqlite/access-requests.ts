import { conflict, notFound } from '../../errors.js';
import type { AccessRequestRecord, AccessRequestStatus, AccessRequestStore } from '../ports.js';
import { prepareAuditInsert } from './audit.js';
import type { Sqlite, WriteQueue } from './database.js';
import { prepareMailInsert } from './mail.js';
import { emailKey, prepareUserWrites } from './users.js';

interface RequestRow {
  id: string;
  name: string;
  email: string;
  agency: string;
  country: string;
  position: string;
  reason: string;
  language: string;
  status: string;
  created_ms: number;
  decided_ms: number | null;
  decided_by: string | null;
  rejection_reason: string | null;
  user_id: string | null;
}

const toRecord = (row: RequestRow): AccessRequestRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  agency: row.agency,
  country: row.country,
  position: row.position,
  reason: row.reason,
  language: row.language,
  status: row.status as AccessRequestStatus,
  createdMs: row.created_ms,
  decidedMs: row.decided_ms,
  decidedBy: row.decided_by,
  rejectionReason: row.rejection_reason,
  userId: row.user_id,
});

/** Approval writes into users, password_tokens, mail_outbox and audit_events too: one transaction, so all or nothing. */
export function createSqliteAccessRequestStore(db: Sqlite, writes: WriteQueue): AccessRequestStore {
  const users = prepareUserWrites(db);
  const audit = prepareAuditInsert(db);
  const mail = prepareMailInsert(db);
  const sql = {
    insert: db.prepare(
      `INSERT INTO access_requests (id, name, email, email_key, agency, country, position, reason, language, status, created_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ),
    byId: db.prepare('SELECT * FROM access_requests WHERE id = ?'),
    pending: db.prepare("SELECT * FROM access_requests WHERE email_key = ? AND status = 'pending'"),
    decide: db.prepare(
      `UPDATE access_requests SET status = ?, decided_ms = ?, decided_by = ?, rejection_reason = ?, user_id = ?
       WHERE id = ? AND status = 'pending'`,
    ),
  };
  const read = (id: string) => {
    const row = sql.byId.get(id) as RequestRow | undefined;
    return row ? toRecord(row) : null;
  };
  const pendingOrThrow = (id: string) => {
    const current = read(id);
    if (!current) throw notFound('access-request-not-found', `no access request ${id}`);
    if (current.status !== 'pending') {
      throw conflict('access-request-decided', `access request ${id} was already ${current.status}`, { status: current.status });
    }
    return current;
  };
  return {
    add(record) {
      return writes.run(() => {
        if (sql.pending.get(emailKey(record.email))) {
          throw conflict('access-request-pending', `a request for ${record.email} is already waiting for a decision`, { parameter: 'email' });
        }
        sql.insert.run(
          record.id, record.name, record.email.trim(), emailKey(record.email), record.agency, record.country,
          record.position, record.reason, record.language, record.createdMs,
        );
      });
    },
    async get(id) {
      return read(id);
    },
    async findPending(email) {
      const row = sql.pending.get(emailKey(email)) as RequestRow | undefined;
      return row ? toRecord(row) : null;
    },
    async list({ status, countries }) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (status) {
        where.push('status = ?');
        params.push(status);
      }
      if (countries) {
        where.push(`country IN (${countries.map(() => '?').join(', ') || "''"})`);
        params.push(...countries);
      }
      const rows = db
        .prepare(`SELECT * FROM access_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_ms, id`)
        .all(...params) as RequestRow[];
      return rows.map(toRecord);
    },
    approve(approval) {
      return writes.run(() => {
        pendingOrThrow(approval.requestId);
        users.insertUser(approval.user);
        users.insertToken(approval.token);
        mail(approval.mail);
        audit(approval.audit);
        sql.decide.run('approved', approval.decidedMs, approval.decidedBy, null, approval.user.id, approval.requestId);
        return read(approval.requestId) as AccessRequestRecord;
      });
    },
    reject(rejection) {
      return writes.run(() => {
        pendingOrThrow(rejection.requestId);
        if (rejection.mail) mail(rejection.mail);
        audit(rejection.audit);
        sql.decide.run('rejected', rejection.decidedMs, rejection.decidedBy, rejection.reason, null, rejection.requestId);
        return read(rejection.requestId) as AccessRequestRecord;
      });
    },
  };
}
