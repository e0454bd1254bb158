import type { Migration } from './index.js';

/**
 * The records context's projections of the statements (DESIGN.md "The one rule"): rebuildable at any time from
 * the statements (`cadet rebuild-projections`), so they hold nothing the statements do not.
 */
export const recordsMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- One row per registration with at least one stored statement. state: the fold's accumulator (JSON),
      -- what the next statements are folded into; the other columns are derived from it.
      CREATE TABLE registration_progress (
        registration_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        course_id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        format TEXT NOT NULL,
        status TEXT NOT NULL,
        success TEXT NOT NULL,
        score REAL,
        time_spent_ms INTEGER NOT NULL,
        first_access_ms INTEGER,
        last_access_ms INTEGER,
        completed_ms INTEGER,
        statements INTEGER NOT NULL,
        state TEXT NOT NULL
      );
      CREATE INDEX registration_progress_user ON registration_progress (user_id);
      CREATE INDEX registration_progress_course ON registration_progress (course_id, status);
      -- One row per unit of the registration's course version, attempted or not.
      CREATE TABLE unit_progress (
        registration_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        activity_id TEXT NOT NULL,
        status TEXT NOT NULL,
        success TEXT NOT NULL,
        best_score REAL,
        last_score REAL,
        attempts INTEGER NOT NULL,
        time_spent_ms INTEGER NOT NULL,
        first_access_ms INTEGER,
        last_access_ms INTEGER,
        completed_ms INTEGER,
        PRIMARY KEY (registration_id, unit_id)
      ) WITHOUT ROWID;
      CREATE INDEX unit_progress_activity ON unit_progress (activity_id, status);
      -- Markers of the projections' life (e.g. built: the projections were built once from the statements).
      CREATE TABLE records_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
