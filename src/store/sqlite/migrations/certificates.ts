import type { Migration } from './index.js';

/**
 * Certificates (records/certificates). Unlike the progress projection, these rows are not rebuilt: each certificate
 * is a document that was signed and handed out, and its issue and revocation are recorded as statements
 * (`earned`, `retract`), so the register can be checked against the LRS at any time, but never silently redrawn.
 */
export const certificatesMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE certificates (
        number TEXT PRIMARY KEY,
        -- At most one certificate per registration: the guard against issuing twice.
        registration_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        course_id TEXT NOT NULL,
        learner_name TEXT NOT NULL,
        course_title TEXT NOT NULL,
        score REAL,
        completed_ms INTEGER NOT NULL,
        issued_ms INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        signature TEXT NOT NULL,
        statement_id TEXT NOT NULL,
        revoked_ms INTEGER,
        revoked_by TEXT,
        revocation_reason TEXT,
        revocation_payload TEXT,
        revocation_signature TEXT,
        revocation_statement_id TEXT
      );
      CREATE INDEX certificates_user ON certificates (user_id, issued_ms);
      -- The per-course rule; no row: the default of the course's format.
      CREATE TABLE certificate_rules (
        course_id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        updated_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
