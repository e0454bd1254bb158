/**
 * The in-memory registration facts (src/store/sqlite/registration-facts.ts) answer the registration-level reports
 * exactly as SQL over the tables does. The SQL below is the oracle (the store's former queries); the data is
 * written by a second connection, as another process (`cadet rebuild-projections`, an import) would, so the facts
 * can only learn of it through the change log the triggers fill.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { seededRandom } from '../../src/shared/seeded-random.js';
import { monthIndexOf } from '../../src/store/sqlite/registration-facts.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { completionCountsOf } from '../../src/store/completion-counts.js';
import type { CompletionCountRecord, ReportFilter } from '../../src/store/ports.js';

const random = seededRandom;

function where(filter: ReportFilter, columns: { course: string; time: string }) {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.courseId !== undefined) clauses.push(`${columns.course} = ?`), params.push(filter.courseId);
  if (filter.countries !== undefined) {
    clauses.push(filter.countries.length === 0 ? '0' : `u.country IN (${filter.countries.map(() => '?').join(', ')})`);
    params.push(...filter.countries);
  }
  if (filter.agency !== undefined) clauses.push('u.agency = ?'), params.push(filter.agency);
  if (filter.fromMs !== undefined) clauses.push(`${columns.time} >= ?`), params.push(filter.fromMs);
  if (filter.toMs !== undefined) clauses.push(`${columns.time} < ?`), params.push(filter.toMs);
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params };
}

/** The reports in SQL, over the same tables. */
function oracle(db: Database.Database, filter: ReportFilter) {
  const completion = where(filter, { course: 'p.course_id', time: 'p.completed_ms' });
  const enrolment = where(filter, { course: 'p.course_id', time: 'r.created_ms' });
  const funnel = where(filter, { course: 'r.course_id', time: 'r.created_ms' });
  const rows = db
    .prepare(
      `SELECT p.course_id AS courseId, strftime('%Y-%m', p.completed_ms / 1000, 'unixepoch') AS month, u.country AS country, u.agency AS agency,
         COUNT(*) AS completed, COUNT(CASE WHEN p.success = 'passed' THEN 1 END) AS passed
       FROM registration_progress p JOIN users u ON u.id = p.user_id
       WHERE p.completed_ms IS NOT NULL${completion.sql} GROUP BY 1, 2, 3, 4`,
    )
    .all(...completion.params) as CompletionCountRecord[];
  return {
    completions: completionCountsOf(rows),
    scoreBins: db
      .prepare(
        `SELECT courseId, CASE WHEN best < 0 THEN -1 WHEN best >= 1 THEN 9 ELSE CAST(best * 10 AS INTEGER) END AS bin, COUNT(*) AS learners
         FROM (SELECT p.course_id AS courseId, p.user_id, MAX(p.score) AS best
               FROM registration_progress p JOIN registrations r ON r.id = p.registration_id JOIN users u ON u.id = p.user_id
               WHERE p.score IS NOT NULL${enrolment.sql} GROUP BY p.course_id, p.user_id)
         GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all(...enrolment.params),
    timeSpent: db
      .prepare(
        `WITH ranked AS (
           SELECT p.course_id AS courseId, p.time_spent_ms AS ms,
             ROW_NUMBER() OVER (PARTITION BY p.course_id ORDER BY p.time_spent_ms) AS rank, COUNT(*) OVER (PARTITION BY p.course_id) AS n
           FROM registration_progress p JOIN registrations r ON r.id = p.registration_id JOIN users u ON u.id = p.user_id
           WHERE p.time_spent_ms > 0${enrolment.sql})
         SELECT courseId, n AS registrations, SUM(ms) AS totalMs, MAX(CASE WHEN rank = (n + 1) / 2 THEN ms END) AS medianMs,
           MAX(CASE WHEN rank = (9 * n + 9) / 10 THEN ms END) AS p90Ms
         FROM ranked GROUP BY courseId, n ORDER BY courseId`,
      )
      .all(...enrolment.params),
    funnel: db
      .prepare(
        `SELECT r.course_id AS courseId, COUNT(*) AS enrolled, COUNT(p.first_access_ms) AS started, COUNT(p.completed_ms) AS completed,
           COUNT(CASE WHEN p.success = 'passed' THEN 1 END) AS passed
         FROM registrations r JOIN users u ON u.id = r.user_id LEFT JOIN registration_progress p ON p.registration_id = r.id
         WHERE 1${funnel.sql} GROUP BY r.course_id ORDER BY r.course_id`,
      )
      .all(...funnel.params),
  };
}

const COURSES = ['course-a', 'course-b', 'course-c', 'course-d'];
const COUNTRIES = ['FR', 'DE', 'BR', 'NG', 'JP'];
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);

t.test('monthIndexOf is the UTC calendar month, at month edges and far from 1970', async (t) => {
  for (const [iso, year, month] of [
    ['1970-01-01T00:00:00.000Z', 1970, 1],
    ['2024-02-29T23:59:59.999Z', 2024, 2],
    ['2024-03-01T00:00:00.000Z', 2024, 3],
    ['2025-12-31T23:59:59.999Z', 2025, 12],
    ['2100-03-01T00:00:00.000Z', 2100, 3],
    ['1969-12-31T23:59:59.999Z', 1969, 12],
  ] as const) {
    t.equal(monthIndexOf(Date.parse(iso)), (year - 1970) * 12 + month - 1, iso);
  }
  const rnd = random(5);
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor(rnd() * 200 * 365 * DAY) - 50 * 365 * DAY;
    const date = new Date(ms);
    if (monthIndexOf(ms) !== (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth()) t.fail(`month of ${date.toISOString()}`);
  }
  t.pass('2000 random instants agree with Date');
});

t.test('the facts answer every filter as SQL does, and follow writes made by another connection', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-facts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = createSqliteStore(dir);
  t.teardown(() => store.close());
  const reports = store.reports!;
  const other = new Database(path.join(dir, 'cadet.sqlite'));
  t.teardown(() => other.close());
  const rnd = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];

  const users: string[] = [];
  const addUser = other.prepare(
    "INSERT INTO users (id, email, email_key, name, country, agency, language, roles, status, created_ms) VALUES (?, ?, ?, ?, ?, ?, 'en', '[]', 'active', 0)",
  );
  const addRegistration = other.prepare('INSERT INTO registrations (id, user_id, course_id, version_id, created_ms, completed_ms) VALUES (?, ?, ?, ?, ?, NULL)');
  const putProgress = other.prepare(`INSERT INTO registration_progress (registration_id, user_id, course_id, version_id, format, status, success, score,
      time_spent_ms, first_access_ms, last_access_ms, completed_ms, statements, state) VALUES (?, ?, ?, 'v', 'scorm12', ?, ?, ?, ?, ?, ?, ?, 1, '{}')
      ON CONFLICT (registration_id) DO UPDATE SET status = excluded.status, success = excluded.success, score = excluded.score,
      time_spent_ms = excluded.time_spent_ms, first_access_ms = excluded.first_access_ms, completed_ms = excluded.completed_ms`);
  const registrations: Array<{ id: string; user: string; course: string }> = [];
  let serial = 0;
  const seedUsers = (count: number) => {
    for (let i = 0; i < count; i++) {
      const id = `user-${users.length}`;
      const country = pick(COUNTRIES);
      addUser.run(id, `${id}@x.example`, `${id}@x.example`, id, country, `${country} agency ${1 + Math.floor(rnd() * 3)}`);
      users.push(id);
    }
  };
  const progressOf = (registration: { id: string; user: string; course: string }) => {
    const roll = rnd();
    if (roll < 0.2) return; // enrolled only
    const first = START + Math.floor(rnd() * 500 * DAY);
    const completed = roll > 0.45 ? first + Math.floor(rnd() * 60 * DAY) : null;
    const success = completed === null ? (rnd() < 0.3 ? 'failed' : 'unknown') : rnd() < 0.7 ? 'passed' : rnd() < 0.5 ? 'failed' : 'unknown';
    // Scores include the edges: below 0, exactly 0 and 1, and none.
    const score = rnd() < 0.1 ? null : pick([-0.25, 0, 0.05, 0.5, 0.79, 0.8, 0.99, 1, Math.round(rnd() * 100) / 100]);
    const time = rnd() < 0.1 ? 0 : Math.floor(rnd() * 3_600_000);
    putProgress.run(registration.id, registration.user, registration.course, completed === null ? 'in-progress' : 'completed', success, score, time, first, first, completed);
  };
  const seedRegistrations = (count: number) => {
    for (let i = 0; i < count; i++) {
      const registration = { id: `reg-${serial++}`, user: pick(users), course: pick(COURSES) };
      addRegistration.run(registration.id, registration.user, registration.course, 'v', START + Math.floor(rnd() * 500 * DAY));
      registrations.push(registration);
      progressOf(registration);
    }
  };
  // A registration of a learner who is not in users: no report counts it (the SQL joins users).
  other.prepare("INSERT INTO registrations (id, user_id, course_id, version_id, created_ms) VALUES ('orphan', 'nobody', 'course-a', 'v', ?)").run(START);
  other.transaction(() => {
    seedUsers(120);
    seedRegistrations(1500);
  })();

  const filters: Array<[string, ReportFilter]> = [
    ['everything', {}],
    ['one course', { courseId: 'course-b' }],
    ['an unknown course', { courseId: 'course-z' }],
    ['two countries', { countries: ['FR', 'NG'] }],
    ['no country at all', { countries: [] }],
    ['an unknown country', { countries: ['ZZ'] }],
    ['an agency', { agency: 'DE agency 2' }],
    ['a date range', { fromMs: START + 100 * DAY, toMs: START + 300 * DAY }],
    ['everything at once', { courseId: 'course-c', countries: ['BR', 'JP', 'FR'], fromMs: START + 30 * DAY, toMs: START + 400 * DAY }],
  ];
  const compare = async (label: string) => {
    for (const [name, filter] of filters) {
      const expected = oracle(other, filter);
      t.same(await reports.completions(filter), expected.completions, `${label}, ${name}: completions`);
      t.same(await reports.scoreBins(filter), expected.scoreBins, `${label}, ${name}: score bins`);
      t.same(await reports.timeSpent(filter), expected.timeSpent, `${label}, ${name}: time spent`);
      t.same(await reports.funnel(filter), expected.funnel, `${label}, ${name}: funnel`);
    }
  };
  await compare('first load');
  const everything = oracle(other, {});
  t.ok(everything.completions.byAgency.length > 10 && everything.funnel.length === COURSES.length, 'the data set has groups to compare');

  // Writes after the load, by the other connection: new learners and registrations, progress moving on (a
  // completion, a score), progress rows removed (as a rebuild does), learners moving to another country or agency.
  other.transaction(() => {
    seedUsers(10);
    seedRegistrations(200);
    for (let i = 0; i < 300; i++) progressOf(pick(registrations));
    other.prepare("DELETE FROM registration_progress WHERE registration_id IN ('reg-1', 'reg-2', 'reg-3', 'reg-4')").run();
    other.prepare("UPDATE users SET country = 'JP', agency = 'JP agency 9' WHERE id IN ('user-1', 'user-2', 'user-3')").run();
    other.prepare("UPDATE users SET agency = 'moved' WHERE id = 'user-4'").run();
  })();
  await compare('after writes');
  t.equal((other.prepare('SELECT COUNT(*) AS n FROM report_changes').get() as { n: number }).n > 0, true, 'the writes were logged');

  // The change log is pruned once applied (through the store's writer).
  await new Promise((resolve) => setTimeout(resolve, 50));
  await reports.funnel({});
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal((other.prepare('SELECT COUNT(*) AS n FROM report_changes').get() as { n: number }).n, 0, 'applied changes are pruned');

  // A rebuild in another process: every progress row deleted and written again.
  other.transaction(() => {
    const rows = other.prepare('SELECT * FROM registration_progress').all() as Array<Record<string, unknown>>;
    other.prepare('DELETE FROM registration_progress').run();
    const insert = other.prepare(`INSERT INTO registration_progress (registration_id, user_id, course_id, version_id, format, status, success, score, time_spent_ms,
      first_access_ms, last_access_ms, completed_ms, statements, state) VALUES (@registration_id, @user_id, @course_id, @version_id, @format, @status, @success,
      @score, @time_spent_ms, @first_access_ms, @last_access_ms, @completed_ms, @statements, @state)`);
    for (const row of rows) insert.run(row);
  })();
  await compare('after a rebuild');
});

t.test('a warmed store catches up with the change log unasked, and prunes it; closing stops it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-facts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = createSqliteStore(dir, { reportsCatchUpMs: 30 });
  await store.reports!.warm!();
  const other = new Database(path.join(dir, 'cadet.sqlite'));
  t.teardown(() => other.close());
  const pending = () => (other.prepare('SELECT COUNT(*) AS n FROM report_changes').get() as { n: number }).n;
  other.prepare("INSERT INTO users (id, email, email_key, name, country, agency, language, roles, status, created_ms) VALUES ('u', 'u@x.example', 'u@x.example', 'U', 'FR', 'A', 'en', '[]', 'active', 0)").run();
  other.prepare("INSERT INTO registrations (id, user_id, course_id, version_id, created_ms) VALUES ('r1', 'u', 'c', 'v', 1), ('r2', 'u', 'c', 'v', 2)").run();
  t.equal(pending(), 2, 'two registrations logged');
  const until = Date.now() + 5000;
  while (pending() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(pending(), 0, 'applied and pruned without a report being asked for');
  t.same(await store.reports!.funnel({}), [{ courseId: 'c', enrolled: 2, started: 0, completed: 0, passed: 0 }], 'and the facts know them');
  await store.close();
  other.prepare("INSERT INTO registrations (id, user_id, course_id, version_id, created_ms) VALUES ('r3', 'u', 'c', 'v', 3)").run();
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.equal(pending(), 1, 'a closed store no longer touches the log');
});
