import path from 'node:path';
import type { Store } from '../ports.js';
import { createSqliteCredentialStore } from './credentials.js';
import { openDatabase, WriteQueue } from './database.js';
import { createSqliteActivityStore, createSqliteDocumentStore } from './documents.js';
import { createSqliteStatementStore } from './statements.js';

/** The embedded store: one SQLite file, `cadet.sqlite`, under the data directory (or `:memory:`). */
export function createSqliteStore(dataDir: string | ':memory:'): Store {
  const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, 'cadet.sqlite');
  const db = openDatabase(file);
  const writes = new WriteQueue(db);
  return {
    kind: 'sqlite',
    statements: createSqliteStatementStore(db, writes),
    documents: createSqliteDocumentStore(db, writes),
    activities: createSqliteActivityStore(db),
    credentials: createSqliteCredentialStore(db, writes),
    async close() {
      await writes.drained();
      if (db.open) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
    },
  };
}
