/**
 * The analysts' reports on SQLite: aggregate queries over the progress projection (`registration_progress`,
 * registrations, users) and the answers projection (`report_answers`), which this file keeps in the transaction of
 * every statement write through `afterInsert`, like the progress projection (DESIGN.md "The one rule").
 *
 * Why a projection for item analysis rather than a query over the statements: an answer's course is its
 * registration's, and its success, response and latency are inside the body; at 20 M statements a course's
 * answers would mean reading and parsing every answer statement's body (about 2 KB each) on every report. The
 * projection keeps about 80 bytes per answer, indexed by (course, question, time), so a report reads only the
 * rows of the courses and dates asked for, and the write path pays one small insert per answer statement.
 *
 * Every query takes the same filter (`ReportFilter`); the learner's country and agency come from `users`.
 */
import type { Statement as PreparedStatement } from 'better-sqlite3';
import { answerOf, ANSWER_VERBS, isAnswerVerb } from '../../records/reports/answer-projection.js';
import type {
  CompletionCountRecord,
  FunnelRecord,
  QuestionStatsRecord,
  ReportFilter,
  ReportsStore,
  ScoreBinRecord,
  StatementRecord,
  TimeSpentRecord,
} from '../ports.js';
import { mergeActivityDefinition } from '../activity-definitions.js';
import type { Sqlite, WriteQueue } from './database.js';
import { createRegistrationFacts } from './registration-facts.js';

export type SqliteReportsStore = ReportsStore & {
  /** Keeps the answers projection in step with freshly inserted statements, inside the caller's transaction. */
  readonly afterInsert: (records: readonly StatementRecord[]) => void;
  /** Stops the minute-by-minute catching up that `warm` starts (the store is closing). */
  readonly stop: () => void;
};

const REGISTRATION_CACHE_LIMIT = 10_000;
/** How often a warmed store applies (and prunes) the reports' change log without being asked for a report. */
const KEEP_UP_MS = 60_000;
/** Statements read per step of a rebuild (better-sqlite3 cannot write while iterating a read). */
const REBUILD_PAGE = 2000;

/**
 * The WHERE clauses of a filter. `time` names the column the date range applies to; `learner` the alias whose
 * `country` and `agency` are the learner's (users).
 */
function where(filter: ReportFilter, columns: { course: string; time: string }): { clauses: string[]; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.courseId !== undefined) {
    clauses.push(`${columns.course} = ?`);
    params.push(filter.courseId);
  }
  if (filter.countries !== undefined) {
    clauses.push(filter.countries.length === 0 ? '0' : `u.country IN (${filter.countries.map(() => '?').join(', ')})`);
    params.push(...filter.countries);
  }
  if (filter.agency !== undefined) {
    clauses.push('u.agency = ?');
    params.push(filter.agency);
  }
  if (filter.fromMs !== undefined) {
    clauses.push(`${columns.time} >= ?`);
    params.push(filter.fromMs);
  }
  if (filter.toMs !== undefined) {
    clauses.push(`${columns.time} < ?`);
    params.push(filter.toMs);
  }
  return { clauses, params };
}

const and = (clauses: readonly string[]) => (clauses.length === 0 ? '' : ` AND ${clauses.join(' AND ')}`);

export function createSqliteReportsStore(db: Sqlite, writes: WriteQueue, options: { readonly catchUpMs?: number | undefined } = {}): SqliteReportsStore {
  const sql = {
    registration: db.prepare('SELECT course_id, user_id FROM registrations WHERE id = ?'),
    statement: db.prepare('SELECT seq, voided FROM statements WHERE id = ?'),
    insertAnswer: db.prepare(`
      INSERT OR REPLACE INTO report_answers (seq, course_id, question_id, registration_id, user_id, at_ms, success, response, latency_ms)
      VALUES (@seq, @courseId, @questionId, @registrationId, @userId, @atMs, @success, @response, @latencyMs)`),
    deleteAnswer: db.prepare('DELETE FROM report_answers WHERE seq = ?'),
    question: db.prepare('SELECT definition FROM report_questions WHERE course_id = ? AND question_id = ?'),
    saveQuestion: db.prepare(`
      INSERT INTO report_questions (course_id, question_id, definition) VALUES (?, ?, ?)
      ON CONFLICT (course_id, question_id) DO UPDATE SET definition = excluded.definition`),
    // One verb's statements after a sequence, in stored order, through the verb key's index. Rows a page must
    // skip (another verb: a voiding that inherited the key; a registration the runtime does not know) are skipped
    // by the caller, so a short page always means the end.
    answerStatements: db.prepare(`
      SELECT s.seq, s.body, s.voided, s.verb_id, s.registration, r.course_id, r.user_id
      FROM statement_keys k CROSS JOIN statements s LEFT JOIN registrations r ON r.id = s.registration
      WHERE k.key = @key AND k.seq > @after AND s.seq = k.seq
      ORDER BY k.seq LIMIT ${REBUILD_PAGE}`),
    clearAnswers: db.prepare('DELETE FROM report_answers'),
    clearQuestions: db.prepare('DELETE FROM report_questions'),
    meta: db.prepare('SELECT value FROM reports_meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO reports_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
  const registrations = new Map<string, { course_id: string; user_id: string } | null>();

  function registrationOf(id: string): { course_id: string; user_id: string } | null {
    if (registrations.has(id)) return registrations.get(id) ?? null;
    const row = (sql.registration.get(id) as { course_id: string; user_id: string } | undefined) ?? null;
    // An unknown registration may become known later (a registration the runtime makes after its statements): not cached.
    if (row) {
      if (registrations.size >= REGISTRATION_CACHE_LIMIT) registrations.clear();
      registrations.set(id, row);
    }
    return row;
  }

  /** Projects one answer statement: its question's definition always, its row only when it is not voided. */
  function project(seq: number, body: string, voided: boolean, registrationId: string, owner: { course_id: string; user_id: string }): boolean {
    const answer = answerOf(body);
    if (!answer) return false;
    if (answer.definition) {
      // Merged as the LRS merges canonical definitions: a later answer that omits the description (a SCORM
      // interaction has none) keeps the one an earlier answer gave.
      const current = sql.question.get(owner.course_id, answer.questionId) as { definition: string } | undefined;
      const merged = mergeActivityDefinition(current ? (JSON.parse(current.definition) as Record<string, unknown>) : null, answer.definition);
      sql.saveQuestion.run(owner.course_id, answer.questionId, JSON.stringify(merged));
    }
    if (voided) return false;
    sql.insertAnswer.run({
      seq,
      courseId: owner.course_id,
      questionId: answer.questionId,
      registrationId,
      userId: owner.user_id,
      atMs: answer.atMs,
      success: answer.success === null ? null : answer.success ? 1 : 0,
      response: answer.response,
      latencyMs: answer.latencyMs,
    });
    return true;
  }

  function afterInsert(records: readonly StatementRecord[]): void {
    for (const record of records) {
      // xAPI 1.0.3 §2.2.3: a voided answer no longer counts.
      if (record.isVoiding && record.refTarget) {
        const target = sql.statement.get(record.refTarget) as { seq: number } | undefined;
        if (target) sql.deleteAnswer.run(target.seq);
      }
      if (record.registration === null || !isAnswerVerb(record.verbId)) continue;
      const owner = registrationOf(record.registration);
      if (!owner) continue;
      const stored = sql.statement.get(record.id) as { seq: number; voided: number } | undefined;
      if (stored) project(stored.seq, record.body, stored.voided === 1, record.registration, owner);
    }
  }

  function rebuildNow(): { answers: number } {
    sql.clearAnswers.run();
    sql.clearQuestions.run();
    registrations.clear();
    let answers = 0;
    type Row = { seq: number; body: string; voided: number; verb_id: string; registration: string | null; course_id: string | null; user_id: string | null };
    // Each verb's statements come in pages from its own index, merged by sequence: definitions merge in stored order.
    const streams = ANSWER_VERBS.map((verb) => ({ verb, key: `verb|${verb}`, after: 0, rows: [] as Row[], at: 0, done: false }));
    const head = (stream: (typeof streams)[number]): Row | undefined => {
      if (stream.at === stream.rows.length && !stream.done) {
        stream.rows = sql.answerStatements.all({ key: stream.key, after: stream.after }) as Row[];
        stream.at = 0;
        stream.done = stream.rows.length < REBUILD_PAGE;
        if (stream.rows.length > 0) stream.after = (stream.rows.at(-1) as Row).seq;
      }
      return stream.rows[stream.at];
    };
    for (;;) {
      let next: (typeof streams)[number] | undefined;
      let nextRow: Row | undefined;
      for (const stream of streams) {
        const row = head(stream);
        if (row && (!nextRow || row.seq < nextRow.seq)) [next, nextRow] = [stream, row];
      }
      if (!next || !nextRow) break;
      next.at += 1;
      const row = nextRow;
      if (row.verb_id !== next.verb || row.registration === null || row.course_id === null || row.user_id === null) continue;
      if (project(row.seq, row.body, row.voided === 1, row.registration, { course_id: row.course_id, user_id: row.user_id })) answers += 1;
    }
    sql.setMeta.run('built', String(Date.now()));
    return { answers };
  }

  // A store opened for the first time with these tables builds the projection once (statements may exist already).
  db.transaction(() => {
    if (!sql.meta.get('built')) rebuildNow();
  }).immediate();

  // Registration-level reports: from the in-memory facts, which prune the change log as they catch up.
  // In steps, each its own write, so a log a rebuild made long (millions of rows) never holds the writer for long.
  const pruneStep = db.prepare('DELETE FROM report_changes WHERE seq IN (SELECT seq FROM report_changes WHERE seq <= ? ORDER BY seq LIMIT 50000)');
  const prune = async (upTo: number) => {
    while ((await writes.run(() => pruneStep.run(upTo).changes)) === 50_000);
  };
  const facts = createRegistrationFacts(db, (upTo) => {
    prune(upTo).catch(() => {
      // Pruning is housekeeping: a failure leaves entries that the next report re-reads (idempotent).
    });
  });

  let keepUp: NodeJS.Timeout | undefined;

  /** Prepared once per query text (the filter's shape). */
  const prepared = new Map<string, PreparedStatement>();
  const all = <T>(text: string, params: unknown[]): T[] => {
    let statement = prepared.get(text);
    if (!statement) prepared.set(text, (statement = db.prepare(text)));
    return statement.all(...params) as T[];
  };

  return {
    afterInsert,

    async warm() {
      await facts.sync();
      // A server that nobody asks for reports still writes the change log: catching up once a minute keeps it short.
      keepUp ??= setInterval(() => {
        facts.sync().catch(() => {
          // The next report (or the next minute) tries again; the log keeps every change until then.
        });
      }, options.catchUpMs ?? KEEP_UP_MS);
      keepUp.unref();
    },

    stop() {
      if (keepUp) clearInterval(keepUp);
      keepUp = undefined;
    },

    async completions(filter) {
      await facts.sync();
      return facts.completions(filter);
    },

    async scoreBins(filter) {
      await facts.sync();
      return facts.scoreBins(filter);
    },

    async timeSpent(filter) {
      await facts.sync();
      return facts.timeSpent(filter);
    },

    async funnel(filter) {
      await facts.sync();
      return facts.funnel(filter);
    },

    async questions(filter) {
      const { clauses, params } = where(filter, { course: 'a.course_id', time: 'a.at_ms' });
      const stats = all<Omit<QuestionStatsRecord, 'definition' | 'wrongResponses'> & { definition: string | null }>(
        `SELECT a.course_id AS courseId, a.question_id AS questionId, q.definition AS definition, COUNT(*) AS answers,
           COUNT(DISTINCT a.user_id) AS learners, COUNT(a.success) AS judged, COUNT(CASE WHEN a.success = 1 THEN 1 END) AS correct,
           COUNT(a.latency_ms) AS timed, COALESCE(SUM(a.latency_ms), 0) AS latencyTotalMs
         FROM report_answers a JOIN users u ON u.id = a.user_id
           LEFT JOIN report_questions q ON q.course_id = a.course_id AND q.question_id = a.question_id
         WHERE 1${and(clauses)}
         GROUP BY a.course_id, a.question_id ORDER BY a.course_id, a.question_id`,
        params,
      );
      const wrong = all<{ courseId: string; questionId: string; response: string; count: number }>(
        `SELECT courseId, questionId, response, count FROM (
           SELECT a.course_id AS courseId, a.question_id AS questionId, a.response AS response, COUNT(*) AS count,
             ROW_NUMBER() OVER (PARTITION BY a.course_id, a.question_id ORDER BY COUNT(*) DESC, a.response) AS rank
           FROM report_answers a JOIN users u ON u.id = a.user_id
           WHERE a.success = 0 AND a.response IS NOT NULL${and(clauses)}
           GROUP BY a.course_id, a.question_id, a.response)
         WHERE rank <= 3 ORDER BY courseId, questionId, rank`,
        params,
      );
      const byQuestion = new Map<string, Array<{ response: string; count: number }>>();
      for (const row of wrong) {
        const key = `${row.courseId}\n${row.questionId}`;
        const list = byQuestion.get(key) ?? [];
        list.push({ response: row.response, count: row.count });
        byQuestion.set(key, list);
      }
      return stats.map((row) => ({
        ...row,
        definition: row.definition === null ? null : (JSON.parse(row.definition) as Record<string, unknown>),
        wrongResponses: byQuestion.get(`${row.courseId}\n${row.questionId}`) ?? [],
      }));
    },

    rebuild() {
      return writes.run(rebuildNow);
    },
  };
}
