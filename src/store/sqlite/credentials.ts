import { conflict } from '../../errors.js';
import type { CredentialRecord, CredentialStore, Scope } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface CredentialRow {
  key: string;
  name: string;
  secret_hash: string;
  scopes: string;
  created_ms: number;
  revoked_ms: number | null;
}

const toRecord = (row: CredentialRow): CredentialRecord => ({
  key: row.key,
  name: row.name,
  secretHash: row.secret_hash,
  scopes: JSON.parse(row.scopes) as Scope[],
  createdMs: row.created_ms,
  revokedMs: row.revoked_ms,
});

export function createSqliteCredentialStore(db: Sqlite, writes: WriteQueue): CredentialStore {
  const sql = {
    insert: db.prepare(
      'INSERT INTO credentials (key, name, secret_hash, scopes, created_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, NULL)',
    ),
    byKey: db.prepare('SELECT * FROM credentials WHERE key = ?'),
    all: db.prepare('SELECT * FROM credentials ORDER BY created_ms, key'),
    revoke: db.prepare('UPDATE credentials SET revoked_ms = ? WHERE key = ? AND revoked_ms IS NULL'),
  };
  return {
    add(record) {
      return writes.run(() => {
        if (sql.byKey.get(record.key)) throw conflict('credential-exists', `a credential with key ${record.key} exists`);
        sql.insert.run(record.key, record.name, record.secretHash, JSON.stringify(record.scopes), record.createdMs);
      });
    },
    async findByKey(key) {
      const row = sql.byKey.get(key) as CredentialRow | undefined;
      return row ? toRecord(row) : null;
    },
    async list() {
      return (sql.all.all() as CredentialRow[]).map(toRecord);
    },
    revoke(key, atMs) {
      return writes.run(() => sql.revoke.run(atMs, key).changes > 0);
    },
  };
}
