import type { Migration } from './index.js';

/** The access context's tables: users, one-time password tokens, sessions, access requests, audit trail, mail outbox. */
export const accessMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- email_key: the address lower-cased, so uniqueness is case-insensitive. roles: JSON array of {role, countries?}.
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        country TEXT NOT NULL,
        agency TEXT NOT NULL,
        language TEXT NOT NULL,
        roles TEXT NOT NULL,
        status TEXT NOT NULL,
        password_hash TEXT,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until_ms INTEGER,
        created_ms INTEGER NOT NULL
      );

      -- Invitation and password-reset links: only the SHA-256 of the token is kept; used_ms makes them single-use.
      CREATE TABLE password_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        purpose TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        used_ms INTEGER
      );
      CREATE INDEX password_tokens_user ON password_tokens (user_id);

      -- Sessions are keyed by the SHA-256 of the cookie's id; user_id is NULL for an anonymous visitor holding a CSRF token.
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT REFERENCES users (id),
        csrf_token TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX sessions_expires ON sessions (expires_ms);

      CREATE TABLE access_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE access_requests (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL,
        agency TEXT NOT NULL,
        country TEXT NOT NULL,
        position TEXT NOT NULL,
        reason TEXT NOT NULL,
        language TEXT NOT NULL,
        status TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        decided_ms INTEGER,
        decided_by TEXT,
        rejection_reason TEXT,
        user_id TEXT
      );
      -- At most one pending request per address: a repeated submission is refused, not queued twice.
      CREATE UNIQUE INDEX access_requests_pending_email ON access_requests (email_key) WHERE status = 'pending';
      CREATE INDEX access_requests_queue ON access_requests (status, country, created_ms);

      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        actor_id TEXT,
        action TEXT NOT NULL,
        subject TEXT,
        ip TEXT,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_events_subject ON audit_events (subject, seq) WHERE subject IS NOT NULL;

      CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX mail_outbox_created ON mail_outbox (created_ms);
    `,
  },
  {
    version: 2,
    sql: `
      -- SMTP delivery, recorded on the outbox (MailDeliveryLog). next_attempt_ms is set exactly while the message
      -- is due (or claimed, as a lease); NULL once sent or given up. Messages written before: due from their creation
      -- (the sender does not send those older than its maximum age).
      ALTER TABLE mail_outbox ADD COLUMN delivery_status TEXT NOT NULL DEFAULT 'pending';
      ALTER TABLE mail_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE mail_outbox ADD COLUMN last_error TEXT;
      ALTER TABLE mail_outbox ADD COLUMN last_attempt_ms INTEGER;
      ALTER TABLE mail_outbox ADD COLUMN next_attempt_ms INTEGER;
      ALTER TABLE mail_outbox ADD COLUMN sent_ms INTEGER;
      UPDATE mail_outbox SET next_attempt_ms = created_ms;
      CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_ms) WHERE next_attempt_ms IS NOT NULL;
    `,
  },
];
