import type { Migration } from './index.js';

/**
 * The analysts' reports (records/reports): the answers projection, rebuildable from the statements like the
 * progress projection, and the indexes that let the report queries start from a course or a date.
 */
export const reportsMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      -- One row per answer statement (verb responded or answered) of a runtime registration that is not voided.
      -- seq: the statement's; at_ms: its timestamp (else stored); success: 1, 0 or NULL; response: result.response
      -- (first 500 characters); latency_ms: result.duration. Country and agency are read from users at query time.
      CREATE TABLE report_answers (
        seq INTEGER PRIMARY KEY,
        course_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        registration_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        success INTEGER,
        response TEXT,
        latency_ms INTEGER
      );
      CREATE INDEX report_answers_question ON report_answers (course_id, question_id, at_ms);
      CREATE INDEX report_answers_time ON report_answers (at_ms);
      -- The definition (JSON) the latest stored answer declared for each question of each course.
      CREATE TABLE report_questions (
        course_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        definition TEXT NOT NULL,
        PRIMARY KEY (course_id, question_id)
      ) WITHOUT ROWID;
      CREATE TABLE reports_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      -- Reports start from a course (or a date) rather than a learner.
      CREATE INDEX registrations_course ON registrations (course_id, created_ms);
      CREATE INDEX registration_progress_completed ON registration_progress (course_id, completed_ms) WHERE completed_ms IS NOT NULL;
    `,
  },
  {
    version: 2,
    sql: `
      -- The change log of the registration-level reports' in-memory facts (store/sqlite/registration-facts.ts):
      -- filled by triggers in the transaction of every write that changes what those reports read, whatever
      -- process writes (the server, cadet rebuild-projections); read and pruned by the server as it reports.
      CREATE TABLE report_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        registration_rowid INTEGER,
        user_id TEXT
      );
      CREATE TRIGGER report_changes_registration_added AFTER INSERT ON registrations
      BEGIN
        INSERT INTO report_changes (registration_rowid) VALUES (NEW.rowid);
      END;
      CREATE TRIGGER report_changes_progress_added AFTER INSERT ON registration_progress
      BEGIN
        INSERT INTO report_changes (registration_rowid) SELECT rowid FROM registrations WHERE id = NEW.registration_id;
      END;
      CREATE TRIGGER report_changes_progress_changed AFTER UPDATE OF first_access_ms, completed_ms, success, score, time_spent_ms ON registration_progress
      BEGIN
        INSERT INTO report_changes (registration_rowid) SELECT rowid FROM registrations WHERE id = NEW.registration_id;
      END;
      CREATE TRIGGER report_changes_progress_removed AFTER DELETE ON registration_progress
      BEGIN
        INSERT INTO report_changes (registration_rowid) SELECT rowid FROM registrations WHERE id = OLD.registration_id;
      END;
      CREATE TRIGGER report_changes_learner_moved AFTER UPDATE OF country, agency ON users
      BEGIN
        INSERT INTO report_changes (user_id) VALUES (NEW.id);
      END;
    `,
  },
];
