/**
 * Records at an academy's scale: the transcript of a learner with 100 registrations, and the analysts' course
 * completion report (completions and the enrolment funnel) over 17,000 learners × 80 courses ≈ 1.4 M registrations.
 *
 * How the data is made, in two parts, and why:
 * 1. Through the real product: 100 courses imported by the catalog service (the demo SCORM 1.2 course under 100
 *    slugs), one learner created by an admin through the API, who launches each course and commits a SCORM
 *    result through the runtime: 100 registrations. Those commits write statements, and the statements the
 *    projections.
 * 2. Written straight into the projection tables, copied from the rows part 1 produced (same columns, same state
 *    JSON): the other learners' registrations and progress, with varied status, success, scores and dates. The
 *    reports read only the projections (DESIGN.md: reports are projections of the statements), so their cost
 *    depends on these rows; generating the ≈ 20 M statements behind them through the LRS would take hours at
 *    the ingest rate this bench measures, which is why the full scale is reached this way and the table says so.
 *
 * Measured over HTTP against the real server (one request in flight), and the reports also in-process on the
 * store (the ceiling: the store's answer without HTTP, session, course titles and JSON). The first report after the
 * server starts is timed apart: it waits for the reports' in-memory facts (store/sqlite/registration-facts.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { countryCodes } from '../src/access/index.js';
import { createCatalogService } from '../src/packages/index.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import { createHttpClient, type HttpClient, type HttpResponse } from './http-client.js';
import { elapsedMs, formatMb, formatMs, progress, summarize, type LatencySummary } from './measure.js';
import { createRandom } from './statement-generator.js';
import { databaseFile, startServer } from './server-process.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const demoCourse = path.join(repoRoot, 'content-packages', 'scorm12-evidence-handling');

export interface RecordsOptions {
  readonly courses: number;
  /** Learners besides the transcript learner; each is enrolled in every course. */
  readonly learners: number;
  /** Registrations of the transcript learner, one per course (courses beyond `courses` exist for it alone). */
  readonly transcriptRegistrations: number;
  readonly requests: { readonly transcript: number; readonly report: number };
  readonly timeCapMs: number;
}

export interface RecordsResult {
  readonly courses: number;
  readonly learners: number;
  readonly registrations: number;
  readonly progressRows: number;
  readonly unitRows: number;
  /** Statements the transcript learner's real commits wrote. */
  readonly realStatements: number;
  readonly realSeconds: number;
  readonly seedSeconds: number;
  readonly databaseBytes: number;
  readonly transcriptRegistrations: number;
  readonly transcript: LatencySummary;
  readonly transcriptCsv: LatencySummary;
  readonly completions: { readonly http: LatencySummary; readonly inProcess: LatencySummary; readonly completed: number };
  readonly funnel: { readonly http: LatencySummary; readonly inProcess: LatencySummary; readonly enrolled: number };
  readonly serverPeakRssBytes: number | null;
  /** The first report's answer time, right after the server started (includes loading the reports' facts). */
  readonly firstReportMs: number;
}

const json = { 'Content-Type': 'application/json' };

function sessionCookieOf(response: HttpResponse): string {
  const found = (response.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('cadet_session=') && c.length > 'cadet_session='.length);
  if (!found) throw new Error(`sign-in set no session cookie: ${response.status} ${response.body.slice(0, 200)}`);
  return found;
}

async function signIn(client: HttpClient, email: string, password: string): Promise<string> {
  const response = await client.request('POST', '/api/session', JSON.stringify({ email, password }), json);
  if (response.status !== 200) throw new Error(`sign-in of ${email} answered ${response.status}: ${response.body.slice(0, 300)}`);
  return sessionCookieOf(response);
}

async function expectOk(response: Promise<HttpResponse>, what: string, status = 200): Promise<HttpResponse> {
  const answered = await response;
  if (answered.status !== status) throw new Error(`${what} answered ${answered.status}: ${answered.body.slice(0, 400)}`);
  return answered;
}

/** One SCORM 1.2 terminate commit: completed (passed or failed by score), with a score and a session time. */
function finalCommit(raw: number, minutes: number): string {
  const time = `00${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00.00`;
  const cmi = {
    core: { lesson_status: raw >= 80 ? 'passed' : 'failed', score: { raw: String(raw), min: '0', max: '100' }, session_time: time, exit: '', lesson_location: 'pages/05-page.html' },
    suspend_data: '',
    interactions: { '0': { id: 'q1-evidence', type: 'choice', student_response: raw >= 80 ? 'b' : 'c', result: raw >= 80 ? 'correct' : 'wrong', correct_responses: { '0': { pattern: 'b' } } } },
  };
  return JSON.stringify({ runtimeData: { cmi }, commitSequence: 1 });
}

/** Part 1: courses, an admin, and the transcript learner's registrations through the product. */
async function realPart(dataDir: string, options: RecordsOptions) {
  const started = process.hrtime.bigint();
  const line = progress('records: real data');
  const store = createSqliteStore(dataDir);
  const slugs: string[] = [];
  try {
    const catalog = createCatalogService({ catalog: store.catalog, files: store.packageFiles, publicUrl: 'http://127.0.0.1' });
    const courses = Math.max(options.courses, options.transcriptRegistrations);
    for (let c = 0; c < courses; c++) {
      const slug = `bench-course-${String(c + 1).padStart(2, '0')}`;
      const outcome = await catalog.importPackage({ directory: demoCourse }, { slug });
      if (!outcome.ok) throw new Error(`import of ${slug} failed: ${JSON.stringify(outcome.errors)}`);
      slugs.push(slug);
      line.update(`${c + 1}/${courses} courses imported`);
    }
  } finally {
    await store.close();
  }

  const admin = { email: 'bench-admin@bench.example', password: 'bench administrator password' };
  const server = await startServer(dataDir, { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, LOGIN_RATE_LIMIT: '100000' });
  const client = createHttpClient(server.baseUrl, {}, 2);
  try {
    const adminCookie = await signIn(client, admin.email, admin.password);
    const learner = { email: 'transcript-learner@bench.example', password: 'bench learner password', name: 'Transcript Learner' };
    const created = await expectOk(client.request('POST', '/api/users', JSON.stringify({ email: learner.email, name: learner.name, country: 'FR', agency: 'Gendarmerie', roles: [{ role: 'learner' }], password: learner.password }), { cookie: adminCookie, ...json }), 'creating the learner', 201);
    const userId = (JSON.parse(created.body) as { user: { id: string } }).user.id;
    const cookie = await signIn(client, learner.email, learner.password);
    const random = createRandom(11);
    for (let r = 0; r < options.transcriptRegistrations; r++) {
      const slug = slugs[r % slugs.length];
      const launched = await expectOk(client.request('POST', `/api/courses/${slug}/launch`, '{}', { cookie, ...json }), `launch ${r + 1} of ${slug}`);
      const token = /\/player\/([^/?#]+)/.exec((JSON.parse(launched.body) as { url: string }).url)?.[1];
      if (!token) throw new Error(`launch answered no player URL: ${launched.body}`);
      // Scores vary around the mastery score (80): some passed, some failed.
      const raw = 60 + Math.floor(random() * 41);
      await expectOk(client.request('POST', `/api/runtime/commit?token=${token}&terminate=true`, finalCommit(raw, 5 + Math.floor(random() * 55)), json), `commit of ${slug}`);
      line.update(`${r + 1}/${options.transcriptRegistrations} registrations of the transcript learner`);
    }
    line.done(`${slugs.length} courses imported, ${options.transcriptRegistrations} registrations launched and completed through the runtime in ${(elapsedMs(started) / 1000).toFixed(1)} s`);
    return { userId, learner, admin, seconds: elapsedMs(started) / 1000 };
  } catch (error) {
    throw server.explain(error);
  } finally {
    client.close();
    await server.stop();
  }
}

interface TemplateRow {
  course_id: string;
  version_id: string;
  format: string;
  state: string;
  units: Array<{ unit_id: string; position: number; activity_id: string }>;
}

/** Part 2: the other learners, enrolled in every course, their projections copied from part 1's rows. */
function seedPart(dataDir: string, options: RecordsOptions, transcriptUserId: string) {
  const started = process.hrtime.bigint();
  const line = progress('records: bulk projections');
  const db = new Database(databaseFile(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  try {
    const templates = new Map<string, TemplateRow>();
    // The first `courses` courses by slug (the others exist only for the transcript learner).
    const progressRows = db
      .prepare('SELECT p.course_id, p.version_id, p.format, p.state, p.registration_id FROM registration_progress p JOIN courses c ON c.id = p.course_id WHERE p.user_id = ? ORDER BY c.slug LIMIT ?')
      .all(transcriptUserId, options.courses) as Array<TemplateRow & { registration_id: string }>;
    const unitsOf = db.prepare('SELECT unit_id, position, activity_id FROM unit_progress WHERE registration_id = ? ORDER BY position');
    for (const row of progressRows) if (!templates.has(row.course_id)) templates.set(row.course_id, { ...row, units: unitsOf.all(row.registration_id) as TemplateRow['units'] });
    const courses = [...templates.values()];
    if (courses.length < options.courses) throw new Error(`only ${courses.length} of ${options.courses} courses have a projection row to copy`);

    const insertUser = db.prepare(`INSERT INTO users (id, email, email_key, name, country, agency, language, roles, status, password_hash, created_ms)
      VALUES (?, ?, ?, ?, ?, ?, 'en', '[{"role":"learner"}]', 'active', NULL, ?)`);
    const insertRegistration = db.prepare('INSERT INTO registrations (id, user_id, course_id, version_id, created_ms, completed_ms) VALUES (?, ?, ?, ?, ?, ?)');
    const insertProgress = db.prepare(`INSERT INTO registration_progress (registration_id, user_id, course_id, version_id, format, status, success, score,
      time_spent_ms, first_access_ms, last_access_ms, completed_ms, statements, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertUnit = db.prepare(`INSERT INTO unit_progress (registration_id, unit_id, position, activity_id, status, success, best_score, last_score,
      attempts, time_spent_ms, first_access_ms, last_access_ms, completed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

    const random = createRandom(17);
    // Two years of activity, ending now; countries weighted toward the first ones (academies have big and small members).
    const endMs = Date.now();
    const spanMs = 730 * 86_400_000;
    const countries = countryCodes.slice(0, 190);
    let registrations = 0;
    let progressCount = 0;
    let unitCount = 0;
    const learnersPerTransaction = 200;
    const seedLearners = db.transaction((from: number, to: number) => {
      for (let l = from; l < to; l++) {
        const userId = randomUUID();
        const country = countries[Math.floor(random() ** 2 * countries.length)];
        const agency = `${country} agency ${1 + Math.floor(random() * 4)}`;
        const joinedMs = endMs - Math.floor(random() * spanMs);
        insertUser.run(userId, `learner${l}@bench.example`, `learner${l}@bench.example`, `Learner ${l}`, country, agency, joinedMs);
        for (const course of courses) {
          const registrationId = randomUUID();
          const createdMs = joinedMs + Math.floor(random() * (endMs - joinedMs));
          const roll = random();
          // 10% enrolled only; 25% started; 65% completed, of whom 75% passed.
          const started = roll >= 0.1;
          const completed = roll >= 0.35;
          const passed = completed && random() < 0.75;
          const score = started ? Math.round((passed ? 0.8 + random() * 0.2 : 0.3 + random() * 0.5) * 100) / 100 : null;
          const firstMs = started ? createdMs + Math.floor(random() * 3_600_000) : null;
          const completedMs = completed && firstMs !== null ? Math.min(endMs, firstMs + Math.floor(random() * 14 * 86_400_000)) : null;
          const lastMs = completedMs ?? (firstMs !== null ? firstMs + Math.floor(random() * 86_400_000) : null);
          const timeMs = started ? 60_000 * (5 + Math.floor(random() * 90)) : 0;
          insertRegistration.run(registrationId, userId, course.course_id, course.version_id, createdMs, completedMs);
          registrations++;
          if (!started) continue;
          const status = completed ? 'completed' : 'in-progress';
          const success = passed ? 'passed' : completed ? 'failed' : 'unknown';
          insertProgress.run(registrationId, userId, course.course_id, course.version_id, course.format, status, success, score, timeMs, firstMs, lastMs, completedMs, completed ? 6 : 2, course.state);
          progressCount++;
          for (const unit of course.units) {
            insertUnit.run(registrationId, unit.unit_id, unit.position, unit.activity_id, status, success, score, score, 1, timeMs, firstMs, lastMs, completedMs);
            unitCount++;
          }
        }
      }
    });
    for (let from = 0; from < options.learners; from += learnersPerTransaction) {
      seedLearners(from, Math.min(options.learners, from + learnersPerTransaction));
      line.update(`${Math.min(options.learners, from + learnersPerTransaction).toLocaleString('en-US')} / ${options.learners.toLocaleString('en-US')} learners, ${registrations.toLocaleString('en-US')} registrations`);
    }
    // What a long-running store has: statistics for the query planner (the store runs PRAGMA optimize as it closes).
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const seconds = elapsedMs(started) / 1000;
    line.done(`${options.learners.toLocaleString('en-US')} learners, ${registrations.toLocaleString('en-US')} registrations, ${progressCount.toLocaleString('en-US')} progress rows written in ${seconds.toFixed(0)} s`);
    return { registrations, progressCount, unitCount, seconds };
  } finally {
    db.close();
  }
}

function countStatements(dataDir: string): number {
  const db = new Database(databaseFile(dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM statements').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function timed(count: number, deadlineMs: number, run: () => Promise<void>): Promise<LatencySummary> {
  const samples: number[] = [];
  const deadline = Date.now() + deadlineMs;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(elapsedMs(start));
  }
  return summarize(samples);
}

export async function measureRecords(workDir: string, options: RecordsOptions): Promise<RecordsResult> {
  const dataDir = path.join(workDir, 'records');
  const real = await realPart(dataDir, options);
  const seeded = seedPart(dataDir, options, real.userId);
  const realStatements = countStatements(dataDir);

  // The ceiling for the reports: the store's own queries, in-process, on the same file.
  const ceilingLine = progress('records: reports in-process');
  const store = createSqliteStore(dataDir);
  let completionsInProcess: LatencySummary;
  let funnelInProcess: LatencySummary;
  try {
    const reports = store.reports;
    if (!reports) throw new Error('the SQLite store has no reports');
    await reports.completions({}); // loads the facts
    completionsInProcess = await timed(options.requests.report, options.timeCapMs, async () => void (await reports.completions({})));
    funnelInProcess = await timed(options.requests.report, options.timeCapMs, async () => void (await reports.funnel({})));
  } finally {
    await store.close();
  }
  ceilingLine.done(`completions p50 ${formatMs(completionsInProcess.p50Ms)}, funnel p50 ${formatMs(funnelInProcess.p50Ms)}`);

  const server = await startServer(dataDir);
  const client = createHttpClient(server.baseUrl, {}, 1);
  const line = progress('records: via HTTP');
  try {
    server.resetPeak();
    const learnerCookie = await signIn(client, real.learner.email, real.learner.password);
    const adminCookie = await signIn(client, real.admin.email, real.admin.password);
    // The first report after the server starts waits for the reports' in-memory facts, which start loading as it listens.
    const firstStart = process.hrtime.bigint();
    await expectOk(client.request('GET', '/api/reports/completions', undefined, { cookie: adminCookie }), 'first completions report');
    const firstReportMs = elapsedMs(firstStart);
    const transcriptPath = `/api/users/${real.userId}/transcript`;
    const first = JSON.parse((await expectOk(client.request('GET', transcriptPath, undefined, { cookie: learnerCookie }), 'transcript')).body) as { registrations?: unknown[]; courses?: unknown[] };
    const listed = (first.registrations ?? first.courses ?? []).length;
    if (listed !== options.transcriptRegistrations) throw new Error(`the transcript lists ${listed} registrations, expected ${options.transcriptRegistrations}`);
    const transcript = await timed(options.requests.transcript, options.timeCapMs, async () => void (await expectOk(client.request('GET', transcriptPath, undefined, { cookie: learnerCookie }), 'transcript')));
    line.update(`transcript p50 ${formatMs(transcript.p50Ms)}`);
    const transcriptCsv = await timed(options.requests.transcript, options.timeCapMs, async () => void (await expectOk(client.request('GET', `${transcriptPath}?format=csv`, undefined, { cookie: learnerCookie }), 'transcript CSV')));
    let completed = 0;
    const completions = await timed(options.requests.report, options.timeCapMs, async () => {
      const body = JSON.parse((await expectOk(client.request('GET', '/api/reports/completions', undefined, { cookie: adminCookie }), 'completions report')).body) as { total: { completed: number } };
      completed = body.total.completed;
    });
    let enrolled = 0;
    const funnel = await timed(options.requests.report, options.timeCapMs, async () => {
      const body = JSON.parse((await expectOk(client.request('GET', '/api/reports/funnel', undefined, { cookie: adminCookie }), 'funnel report')).body) as { courses: Array<{ enrolled: number }> };
      enrolled = body.courses.reduce((sum, row) => sum + row.enrolled, 0);
    });
    const peak = server.memory()?.peakBytes ?? null;
    line.done(`transcript p50 ${formatMs(transcript.p50Ms)} p99 ${formatMs(transcript.p99Ms)}; completions p50 ${formatMs(completions.p50Ms)}; funnel p50 ${formatMs(funnel.p50Ms)}${peak ? `; server peak RSS ${formatMb(peak)}` : ''}`);
    return {
      courses: options.courses,
      learners: options.learners + 1,
      registrations: seeded.registrations + options.transcriptRegistrations,
      progressRows: seeded.progressCount + options.transcriptRegistrations,
      unitRows: seeded.unitCount,
      realStatements,
      realSeconds: real.seconds,
      seedSeconds: seeded.seconds,
      databaseBytes: fs.statSync(databaseFile(dataDir)).size,
      transcriptRegistrations: options.transcriptRegistrations,
      transcript,
      transcriptCsv,
      completions: { http: completions, inProcess: completionsInProcess, completed },
      funnel: { http: funnel, inProcess: funnelInProcess, enrolled },
      serverPeakRssBytes: peak,
      firstReportMs,
    };
  } catch (error) {
    throw server.explain(error);
  } finally {
    client.close();
    await server.stop();
  }
}
