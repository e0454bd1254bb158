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
];
