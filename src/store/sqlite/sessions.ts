import type { SessionStore } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface SessionRow {
  id_hash: string;
  user_id: string | null;
  csrf_token: string;
  created_ms: number;
  expires_ms: number;
}

export function createSqliteSessionStore(db: Sqlite, writes: WriteQueue): SessionStore {
  const sql = {
    insert: db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)'),
    purge: db.prepare('DELETE FROM sessions WHERE expires_ms <= ?'),
    get: db.prepare('SELECT * FROM sessions WHERE id_hash = ? AND expires_ms > ?'),
    delete: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    deleteForUser: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    secret: db.prepare('SELECT value FROM access_secrets WHERE name = ?'),
    keepSecret: db.prepare('INSERT OR IGNORE INTO access_secrets (name, value) VALUES (?, ?)'),
  };
  return {
    add(record) {
      return writes.run(() => {
        sql.purge.run(record.createdMs);
        sql.insert.run(record.idHash, record.userId, record.csrfToken, record.createdMs, record.expiresMs);
      });
    },
    async get(idHash, nowMs) {
      const row = sql.get.get(idHash, nowMs) as SessionRow | undefined;
      return row
        ? { idHash: row.id_hash, userId: row.user_id, csrfToken: row.csrf_token, createdMs: row.created_ms, expiresMs: row.expires_ms }
        : null;
    },
    delete(idHash) {
      return writes.run(() => {
        sql.delete.run(idHash);
      });
    },
    deleteForUser(userId) {
      return writes.run(() => {
        sql.deleteForUser.run(userId);
      });
    },
    signingSecret(generate) {
      // INSERT OR IGNORE, then read: two processes starting together end up with the same secret.
      return writes.run(() => {
        sql.keepSecret.run('cookie', generate());
        return (sql.secret.get('cookie') as { value: string }).value;
      });
    },
  };
}
