import type { Migration } from './index.js';

/** Registrations and attempts of the course runtime. */
export const runtimeMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE registrations (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        course_id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        completed_ms INTEGER
      );
      CREATE INDEX registrations_user_course ON registrations (user_id, course_id, created_ms);
      CREATE TABLE attempts (
        id TEXT PRIMARY KEY,
        registration_id TEXT NOT NULL REFERENCES registrations (id),
        unit_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        state TEXT,
        commit_sequence INTEGER NOT NULL DEFAULT 0,
        ended_ms INTEGER,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        UNIQUE (registration_id, unit_id, number)
      );
    `,
  },
  {
    version: 2,
    sql: `
      -- State of the whole registration (cmi5: the blocks and course already satisfied).
      ALTER TABLE registrations ADD COLUMN state TEXT;
    `,
  },
];
