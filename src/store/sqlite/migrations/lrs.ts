import type { Migration } from './index.js';

/** The LRS's tables: statements, their filter keys, attachments, LRS credentials. */
export const lrsMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- seq: the time-ordered sequence that orders results and anchors 'more' cursors.
      CREATE TABLE statements (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        stored_ms INTEGER NOT NULL,
        verb_id TEXT NOT NULL,
        registration TEXT,
        ref_target TEXT,
        is_voiding INTEGER NOT NULL,
        voided INTEGER NOT NULL DEFAULT 0,
        credential_id TEXT,
        fingerprint TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX statements_stored ON statements (stored_ms, seq);
      CREATE INDEX statements_ref_target ON statements (ref_target) WHERE ref_target IS NOT NULL;
      CREATE INDEX statements_credential ON statements (credential_id, seq) WHERE credential_id IS NOT NULL;
      -- One row per filter key a statement matches (own or inherited through StatementRefs):
      -- agent, verb, activity, registration and their related_* forms. Serves every query parameter.
      CREATE TABLE statement_keys (
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (key, seq)
      ) WITHOUT ROWID;
      CREATE INDEX statement_keys_seq ON statement_keys (seq);

      CREATE TABLE credentials (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER
      );
    `,
  },
  {
    version: 2,
    sql: `
      -- Attachment content, addressed by its SHA-2 hash: statements that declare the same hash share it.
      CREATE TABLE attachments (
        sha2 TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        content BLOB NOT NULL
      );
    `,
  },
  {
    version: 3,
    sql: `
      -- State, activity profile and agent profile documents (xAPI 1.0.3 §2.2-2.7), stored byte-exact.
      -- Unused key parts are '' so the primary key stays unique (NULLs would not be).
      CREATE TABLE documents (
        kind TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        registration TEXT NOT NULL,
        document_id TEXT NOT NULL,
        content BLOB NOT NULL,
        content_type TEXT NOT NULL,
        etag TEXT NOT NULL,
        updated_ms INTEGER NOT NULL,
        PRIMARY KEY (kind, activity_id, agent, registration, document_id)
      ) WITHOUT ROWID;
      -- Canonical activity definitions, merged from statements whose credential may define them.
      CREATE TABLE activities (
        id TEXT PRIMARY KEY,
        definition TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    sql: `
      -- Agent+verb pairs (store/sqlite/statements.ts "pairKeys"): for every statement, each of its agent keys with each
      -- of its verb keys, own and inherited, so an agent+verb query reads one index range instead of intersecting two.
      INSERT OR IGNORE INTO statement_keys (key, seq)
      SELECT 'av|' || substr(a.key, 7) || '|' || substr(v.key, 6), a.seq
      FROM statement_keys a JOIN statement_keys v ON v.seq = a.seq
      WHERE a.key >= 'agent|' AND a.key < 'agent}' AND v.key >= 'verb|' AND v.key < 'verb}';
    `,
  },
];
