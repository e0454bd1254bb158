/**
 * The analysts' reports, checked number by number against counts made here, directly over the raw statements
 * (GET /xapi/statements), with the course rules written out again independently of the projection.
 */
import t, { type Test } from 'tap';
import { parseCsv } from '../../src/records/csv.js';
import type { UserRecord } from '../../src/store/ports.js';
import { createTestApp, type SignedIn, type TestApp } from '../fixtures/test-app.js';
import { seedReports, type SeededRegistration } from './reports-fixtures.js';

const V = (name: string) => `http://adlnet.gov/expapi/verbs/${name}`;
const SATISFIED = 'https://w3id.org/xapi/adl/verbs/satisfied';
const ANSWER_VERBS = [V('responded'), V('answered')];
const DAY = 86_400_000;

interface Raw {
  id: string;
  verb: { id: string };
  object: { objectType?: string; id: string; definition?: { type?: string; description?: Record<string, string> } };
  result?: { success?: boolean; completion?: boolean; response?: string; duration?: string; score?: { scaled?: number; raw?: number; min?: number; max?: number } };
  context?: { registration?: string };
  timestamp: string;
  stored: string;
}

async function allStatements(lrs: TestApp): Promise<Raw[]> {
  const out: Raw[] = [];
  let url = '/xapi/statements?ascending=true&limit=500';
  while (url) {
    const res = await lrs.xapi({ method: 'GET', url });
    const body = res.json() as { statements: Raw[]; more: string };
    out.push(...body.statements);
    url = body.more;
  }
  return out;
}

/** ISO 8601 durations of the kinds the seed writes (PT#H#M#S). */
function durationMs(value: string | undefined): number | null {
  const match = value === undefined ? null : /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(value);
  if (!match) return null;
  return Math.round(((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000);
}

const scaledOf = (score: NonNullable<Raw['result']>['score']) =>
  score === undefined ? null : typeof score.scaled === 'number' ? score.scaled : typeof score.raw === 'number' && score.max! > score.min! ? (score.raw - score.min!) / (score.max! - score.min!) : null;

interface Fact {
  registration: SeededRegistration;
  user: UserRecord;
  started: boolean;
  completedMs: number | null;
  success: 'passed' | 'failed' | 'unknown';
  score: number | null;
  timeMs: number;
}

/** Each registration's outcome, by the rules of DESIGN.md and the formats, from its statements alone. */
function factsOf(statements: readonly Raw[], registrations: readonly SeededRegistration[], users: ReadonlyMap<string, UserRecord>): Fact[] {
  const byRegistration = new Map<string, Raw[]>();
  for (const s of statements) {
    if (s.verb.id === V('voided') || !s.context?.registration) continue;
    const list = byRegistration.get(s.context.registration) ?? [];
    list.push(s);
    byRegistration.set(s.context.registration, list);
  }
  return registrations.map((registration) => {
    const own = byRegistration.get(registration.id) ?? [];
    const at = (s: Raw) => Date.parse(s.timestamp);
    const units = registration.unitIris.map((iri) => {
      const itself = own.filter((s) => s.object.id === iri);
      const earliest = (test: (s: Raw) => boolean) => itself.filter(test).reduce<number | null>((m, s) => (m === null || at(s) < m ? at(s) : m), null);
      const completed = earliest((s) => s.verb.id === V('completed') || s.result?.completion === true);
      const passed = earliest((s) => s.verb.id === V('passed') || s.result?.success === true);
      const failed = earliest((s) => s.verb.id === V('failed') || s.result?.success === false);
      const scores = itself.filter((s) => s.verb.id !== V('progressed')).map((s) => scaledOf(s.result?.score)).filter((x): x is number => x !== null);
      const endVerbs = registration.format === 'cmi5' ? ['terminated', 'abandoned'] : registration.format === 'xapi' ? ['terminated', 'suspended', 'exited'] : ['terminated', 'suspended'];
      const ends = itself.filter((s) => endVerbs.some((verb) => s.verb.id === V(verb) || s.verb.id.endsWith(`/${verb}`)));
      const time = ends.reduce((sum, s) => sum + (durationMs(s.result?.duration) ?? 0), 0);
      return { met: completed === null ? passed : passed === null ? completed : Math.min(completed, passed), passed, failed, best: scores.length ? Math.max(...scores) : null, time };
    });
    let completedMs: number | null;
    if (registration.format === 'cmi5') {
      const satisfied = own.filter((s) => s.verb.id === SATISFIED && s.object.definition?.type === 'https://w3id.org/xapi/cmi5/activitytype/course');
      completedMs = satisfied.length ? Math.min(...satisfied.map(at)) : null;
    } else completedMs = units.every((u) => u.met !== null) ? Math.max(...units.map((u) => u.met as number)) : null;
    const anyFailed = units.some((u) => u.passed === null && u.failed !== null);
    const anyPassed = units.some((u) => u.passed !== null);
    const scores = units.map((u) => u.best).filter((x): x is number => x !== null);
    return {
      registration,
      user: users.get(registration.userId)!,
      started: own.length > 0,
      completedMs,
      success: anyFailed ? 'failed' : completedMs !== null && anyPassed ? 'passed' : 'unknown',
      score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
      timeMs: units.reduce((sum, u) => sum + u.time, 0),
    };
  });
}

interface Scope {
  countries?: readonly string[];
  agency?: string;
  courseId?: string;
  fromMs?: number;
  toMs?: number;
}

const inScope = (scope: Scope, user: UserRecord, courseId: string, ms: number | null) =>
  (scope.countries === undefined || scope.countries.includes(user.country)) &&
  (scope.agency === undefined || scope.agency === user.agency) &&
  (scope.courseId === undefined || scope.courseId === courseId) &&
  (scope.fromMs === undefined || (ms !== null && ms >= scope.fromMs)) &&
  (scope.toMs === undefined || (ms !== null && ms < scope.toMs));

function count<K>(items: Iterable<K>): Map<K, number> {
  const map = new Map<K, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
}

/** Every report, computed here. */
function expected(statements: readonly Raw[], facts: readonly Fact[], registrations: readonly SeededRegistration[], users: ReadonlyMap<string, UserRecord>, scope: Scope) {
  const completions = facts.filter((f) => f.completedMs !== null && inScope(scope, f.user, f.registration.courseId, f.completedMs));
  const enrolled = facts.filter((f) => inScope(scope, f.user, f.registration.courseId, f.registration.createdMs));
  const byMonth = count(completions.map((f) => `${f.registration.courseId}|${new Date(f.completedMs!).toISOString().slice(0, 7)}|${f.success === 'passed'}`));
  const byCourse = count(completions.map((f) => `${f.registration.courseId}|${f.success === 'passed'}`));
  // By country and by agency: over the courses selected, not per course.
  const byCountry = count(completions.map((f) => `${f.user.country}|${f.success === 'passed'}`));
  const byAgency = count(completions.map((f) => `${f.user.country}|${f.user.agency}|${f.success === 'passed'}`));

  const best = new Map<string, number>();
  for (const f of enrolled) {
    if (f.score === null) continue;
    const key = `${f.registration.courseId}|${f.user.id}`;
    best.set(key, Math.max(best.get(key) ?? Number.NEGATIVE_INFINITY, f.score));
  }
  const bins = count([...best].map(([key, score]) => `${key.split('|')[0]}|${score < 0 ? -1 : score >= 1 ? 9 : Math.floor(score * 10)}`));

  const times = new Map<string, number[]>();
  for (const f of enrolled) if (f.timeMs > 0) times.set(f.registration.courseId, [...(times.get(f.registration.courseId) ?? []), f.timeMs]);
  const time = new Map(
    [...times].map(([course, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      const n = sorted.length;
      const total = sorted.reduce((a, b) => a + b, 0);
      return [course, { registrations: n, totalMs: total, meanMs: Math.round(total / n), medianMs: sorted[Math.ceil(n / 2) - 1], p90Ms: sorted[Math.ceil((9 * n) / 10) - 1] }];
    }),
  );

  const funnel = new Map<string, { enrolled: number; started: number; completed: number; passed: number }>();
  for (const f of enrolled) {
    const row = funnel.get(f.registration.courseId) ?? { enrolled: 0, started: 0, completed: 0, passed: 0 };
    row.enrolled += 1;
    if (f.started) row.started += 1;
    if (f.completedMs !== null) row.completed += 1;
    if (f.success === 'passed') row.passed += 1;
    funnel.set(f.registration.courseId, row);
  }

  const known = new Map(registrations.map((r) => [r.id, r]));
  const questions = new Map<string, { answers: number; learners: Set<string>; judged: number; correct: number; wrong: Map<string, number>; timed: number; latency: number; description: string }>();
  for (const s of statements) {
    const registration = s.context?.registration ? known.get(s.context.registration) : undefined;
    if (!registration || !ANSWER_VERBS.includes(s.verb.id)) continue;
    const user = users.get(registration.userId)!;
    if (!inScope(scope, user, registration.courseId, Date.parse(s.timestamp))) continue;
    const key = `${registration.courseId}|${s.object.id}`;
    const q = questions.get(key) ?? { answers: 0, learners: new Set(), judged: 0, correct: 0, wrong: new Map(), timed: 0, latency: 0, description: '' };
    q.answers += 1;
    q.learners.add(user.id);
    if (typeof s.result?.success === 'boolean') q.judged += 1;
    if (s.result?.success === true) q.correct += 1;
    if (s.result?.success === false && typeof s.result.response === 'string') q.wrong.set(s.result.response, (q.wrong.get(s.result.response) ?? 0) + 1);
    const latency = durationMs(s.result?.duration);
    if (latency !== null) {
      q.timed += 1;
      q.latency += latency;
    }
    q.description = s.object.definition?.description?.['en-US'] ?? q.description;
    questions.set(key, q);
  }
  return { completions, byCourse, byMonth, byCountry, byAgency, bins, time, funnel, questions };
}

t.test('reports: every number against the raw statements', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const { courses, users: seededUsers, registrations } = await seedReports(lrs, { learners: 240 });
  const analyst = await lrs.signIn(await lrs.addUser([{ role: 'analyst' }], { country: 'NL' }));
  const analystFr = await lrs.signIn(await lrs.addUser([{ role: 'analyst', countries: ['FR'] }], { country: 'FR' }));
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }], { country: 'BE' }));
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }], { country: 'FR' }));

  const users = new Map(seededUsers.map((user) => [user.id, user]));
  const statements = await allStatements(lrs);
  t.ok(statements.length > 2000, `${statements.length} statements stored, ${registrations.length} registrations, ${users.size} learners`);
  const facts = factsOf(statements, registrations, users);
  t.ok(facts.filter((f) => f.completedMs !== null).length > 100 && facts.some((f) => !f.started) && facts.some((f) => f.success === 'failed'), 'the data set has completions, failures and untouched registrations');

  const get = (who: SignedIn | null, report: string, query = '') => lrs.as(who, { method: 'GET', url: `/api/reports/${report}${query ? `?${query}` : ''}` });
  const slugOf = new Map(Object.values(courses).map((c) => [c.course.id, c.course.slug]));

  async function checkAll(t: Test, who: SignedIn, query: string, scope: Scope) {
    const want = expected(statements, facts, registrations, users, scope);

    const completions = (await get(who, 'completions', query)).json();
    const total = want.completions.length;
    t.equal(completions.total.completed, total, `completions: ${total}`);
    t.equal(completions.total.passed, want.completions.filter((f) => f.success === 'passed').length, 'passed');
    let rows = 0;
    for (const row of completions.byMonth) {
      const passed = want.byMonth.get(`${row.course.id}|${row.month}|true`) ?? 0;
      const failed = want.byMonth.get(`${row.course.id}|${row.month}|false`) ?? 0;
      t.same([row.completed, row.passed, row.passRate], [passed + failed, passed, passed / (passed + failed)], `${row.course.slug} ${row.month}`);
      rows += row.completed;
    }
    t.equal(rows, total, 'the months add up to every completion');
    t.equal(completions.byCourse.reduce((n: number, row: { completed: number }) => n + row.completed, 0), total);
    t.equal(completions.byCourse.length, new Set(want.completions.map((f) => f.registration.courseId)).size, 'one row per course with completions');
    for (const row of completions.byCourse) {
      const passed = want.byCourse.get(`${row.course.id}|true`) ?? 0;
      t.same([row.completed, row.passed], [passed + (want.byCourse.get(`${row.course.id}|false`) ?? 0), passed], `${row.course.slug}`);
    }
    t.equal(completions.byCountry.reduce((n: number, row: { completed: number }) => n + row.completed, 0), total);
    t.equal(completions.byCountry.length, new Set(want.completions.map((f) => f.user.country)).size, 'one row per country');
    for (const row of completions.byCountry) {
      const passed = want.byCountry.get(`${row.country}|true`) ?? 0;
      t.same([row.completed, row.passed], [passed + (want.byCountry.get(`${row.country}|false`) ?? 0), passed], `${row.country}`);
    }
    t.equal(completions.byAgency.reduce((n: number, row: { completed: number }) => n + row.completed, 0), total);
    for (const row of completions.byAgency) {
      const key = `${row.country}|${row.agency}`;
      t.same([row.completed, row.passed], [(want.byAgency.get(`${key}|true`) ?? 0) + (want.byAgency.get(`${key}|false`) ?? 0), want.byAgency.get(`${key}|true`) ?? 0], `${row.country} ${row.agency}`);
    }

    const scores = (await get(who, 'scores', query)).json();
    const binTotal = [...want.bins.values()].reduce((a, b) => a + b, 0);
    t.equal(scores.courses.reduce((n: number, c: { learners: number }) => n + c.learners, 0), binTotal, `scores: ${binTotal} learners`);
    for (const course of scores.courses) {
      for (const bin of course.bins) t.equal(bin.learners, want.bins.get(`${course.course.id}|${bin.bin}`) ?? 0, `${course.course.slug} bin ${bin.bin}`);
    }

    const time = (await get(who, 'time-spent', query)).json();
    t.same(time.courses.map((c: { course: { id: string } }) => c.course.id).sort(), [...want.time.keys()].sort(), 'time: the courses with time');
    for (const course of time.courses) {
      const { course: _, ...numbers } = course;
      t.same(numbers, want.time.get(course.course.id), `time in ${course.course.slug}`);
    }

    const funnel = (await get(who, 'funnel', query)).json();
    for (const course of funnel.courses) {
      const { course: ref, ...numbers } = course;
      t.same(numbers, want.funnel.get(ref.id) ?? { enrolled: 0, started: 0, completed: 0, passed: 0 }, `funnel of ${ref.slug}`);
    }
    t.equal(funnel.courses.length, scope.courseId ? 1 : 4, 'every course, the one nobody takes included');

    const items = (await get(who, 'items', query)).json();
    t.same(items.questions.map((q: { course: { id: string }; id: string }) => `${q.course.id}|${q.id}`).sort(), [...want.questions.keys()].sort(), 'items: the questions answered');
    for (const q of items.questions) {
      const w = want.questions.get(`${q.course.id}|${q.id}`)!;
      const wrong = [...w.wrong].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
      t.same(
        {
          answers: q.answers, learners: q.learners, judged: q.judged, correct: q.correct, correctRate: q.correctRate, timed: q.timed, meanLatencyMs: q.meanLatencyMs, description: q.description,
          wrong: q.wrongResponses.map((r: { response: string; count: number }) => [r.response, r.count]),
        },
        {
          answers: w.answers, learners: w.learners.size, judged: w.judged, correct: w.correct, correctRate: w.judged ? w.correct / w.judged : null, timed: w.timed,
          meanLatencyMs: w.timed ? Math.round(w.latency / w.timed) : null, description: w.description, wrong,
        },
        `${slugOf.get(q.course.id)} ${q.id.replace(/^.*\//, '')}`,
      );
    }
    return { completions, scores, time, funnel, items };
  }

  t.test('an analyst of every country', async (t) => {
    const all = await checkAll(t, analyst, '', {});
    t.equal(all.completions.filter.countries, null);
    const answered = all.items.questions.reduce((n: number, q: { answers: number }) => n + q.answers, 0);
    t.ok(answered > 500, `${answered} answers analysed`);
    t.ok(all.items.questions.some((q: { wrongResponses: unknown[] }) => q.wrongResponses.length === 3), 'some questions have three distractors');
    t.ok(all.items.questions.some((q: { id: string }) => /\/interaction\/q1$/.test(q.id)), 'SCORM interactions through the runtime are in');
  });

  t.test('filtered by course, country, agency and dates', async (t) => {
    const fromMs = Date.UTC(2026, 1, 1);
    const toMs = Date.UTC(2026, 2, 31);
    await checkAll(t, analyst, 'country=DE,ES&from=2026-02-01&to=2026-03-30', { countries: ['DE', 'ES'], fromMs, toMs });
    await checkAll(t, admin, `course=cybercrime&agency=${encodeURIComponent('Guardia Civil')}`, { courseId: courses.xapi.course.id, agency: 'Guardia Civil' });
  });

  t.test('an analyst limited to FR sees only FR', async (t) => {
    const fr = await checkAll(t, analystFr, '', { countries: ['FR'] });
    t.same(fr.completions.filter.countries, ['FR']);
    t.ok(fr.completions.byCountry.length > 0 && fr.completions.byCountry.every((row: { country: string }) => row.country === 'FR'));
    const everyone = (await get(analyst, 'funnel')).json();
    const enrolled = (body: { courses: Array<{ enrolled: number }> }) => body.courses.reduce((n, c) => n + c.enrolled, 0);
    t.ok(enrolled(fr.funnel) < enrolled(everyone), 'fewer than everyone');
    const refused = await get(analystFr, 'completions', 'country=DE');
    t.equal(refused.statusCode, 403);
    t.match(refused.json(), { error: 'records-forbidden', parameter: 'country' });
    t.equal((await get(analystFr, 'items', 'country=FR,DE')).statusCode, 403);
    t.equal((await get(analystFr, 'items', 'country=FR')).statusCode, 200);
  });

  t.test('who may read, and bad filters', async (t) => {
    t.match((await get(learner, 'funnel')).json(), { error: 'reports-forbidden' });
    t.equal((await get(learner, 'funnel')).statusCode, 403);
    t.equal((await get(null, 'funnel')).statusCode, 401);
    t.match((await get(admin, 'funnel', 'from=2026-02-30')).json(), { error: 'report-date', parameter: 'from' });
    t.match((await get(admin, 'funnel', 'country=XX')).json(), { error: 'report-country', parameter: 'country' });
    t.match((await get(admin, 'funnel', 'course=nope')).json(), { error: 'course-not-found', parameter: 'course' });
    t.equal((await get(admin, 'funnel', 'from=2026-03-01&to=2026-02-01')).statusCode, 400);
    t.equal((await get(admin, 'funnel', 'colour=red')).statusCode, 400);
  });

  t.test('CSV parses back to the same numbers', async (t) => {
    const csv = async (report: string, query = '') => {
      const res = await get(analyst, report, `${query}${query ? '&' : ''}format=csv`);
      t.equal(res.statusCode, 200);
      t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
      t.match(res.headers['content-disposition'], new RegExp(`attachment; filename="report-${report}\\.csv"`));
      const [header, ...rows] = parseCsv(res.body);
      return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
    };
    const json = async (report: string) => (await get(analyst, report)).json();

    const completions = await json('completions');
    const completionRows = await csv('completions');
    t.equal(completionRows.length, completions.byCourse.length + completions.byMonth.length + completions.byCountry.length + completions.byAgency.length);
    t.same(completionRows.slice(0, completions.byCourse.length).map((line) => [line.breakdown, line.course_slug, Number(line.completed)]), completions.byCourse.map((row: { course: { slug: string }; completed: number }) => ['course', row.course.slug, row.completed]));
    completions.byMonth.forEach((row: { course: { slug: string }; month: string; completed: number; passed: number; passRate: number }, i: number) => {
      const line = completionRows[completions.byCourse.length + i]!;
      t.same([line.breakdown, line.course_slug, line.month, Number(line.completed), Number(line.passed), Number(line.pass_rate_percent)], ['month', row.course.slug, row.month, row.completed, row.passed, row.passRate * 100]);
    });
    const agencyRows = completionRows.filter((line) => line.breakdown === 'agency');
    t.same(agencyRows.map((line) => [line.agency, Number(line.completed)]), completions.byAgency.map((row: { agency: string; completed: number }) => [row.agency, row.completed]), 'agencies, accents intact');

    const funnel = await json('funnel');
    t.same((await csv('funnel')).map((l) => [l.course_slug, +l.enrolled!, +l.started!, +l.completed!, +l.passed!]), funnel.courses.map((c: { course: { slug: string }; enrolled: number; started: number; completed: number; passed: number }) => [c.course.slug, c.enrolled, c.started, c.completed, c.passed]));

    const scores = await json('scores');
    t.same((await csv('scores')).map((l) => [l.course_slug, +l.score_from!, +l.learners!]), scores.courses.flatMap((c: { course: { slug: string }; bins: Array<{ from: number; learners: number }> }) => c.bins.map((b) => [c.course.slug, b.from, b.learners])));

    const time = await json('time-spent');
    t.same((await csv('time-spent')).map((l) => [l.course_slug, +l.registrations!, +l.median_seconds! * 1000, +l.p90_seconds! * 1000]), time.courses.map((c: { course: { slug: string }; registrations: number; medianMs: number; p90Ms: number }) => [c.course.slug, c.registrations, c.medianMs, c.p90Ms]));

    const items = await json('items');
    const itemRows = await csv('items');
    t.same(
      itemRows.map((l) => [l.question, +l.answers!, +l.correct!, +l.judged!, l.wrong_1 || null, l.wrong_1_count ? +l.wrong_1_count : null]),
      items.questions.map((q: { id: string; answers: number; correct: number; judged: number; wrongResponses: Array<{ response: string; count: number }> }) => [q.id, q.answers, q.correct, q.judged, q.wrongResponses[0]?.response ?? null, q.wrongResponses[0]?.count ?? null]),
    );
  });

  t.test('the pages show the numbers in their tables', async (t) => {
    const page = await lrs.as(analyst, { method: 'GET', url: '/reports' });
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-security-policy'], /default-src 'none'/);
    t.notMatch(page.headers['content-security-policy'], /script-src/, 'no script: the charts are SVG');
    t.match(page.body, /<svg[^>]*role="img"[^>]*aria-labelledby="chart-funnel-t chart-funnel-d"/);
    t.match(page.body, /href="\/reports"[^>]*>Reports<\/a>/, 'the navigation links the reports');
    const funnel = (await get(analyst, 'funnel')).json();
    for (const course of funnel.courses) {
      const row = new RegExp(`<tr data-course="${course.course.slug}"><th scope="row">[^<]*</th><td data-n="(\\d+)">[^<]*</td><td data-n="(\\d+)">[^<]*</td><td data-n="(\\d+)">[^<]*</td><td data-n="(\\d+)">`).exec(page.body);
      t.ok(row, `the funnel table has ${course.course.slug}`);
      t.same(row!.slice(1).map(Number), [course.enrolled, course.started, course.completed, course.passed]);
    }
    const time = (await get(analyst, 'time-spent')).json();
    for (const course of time.courses) t.match(page.body, `<td data-ms="${course.medianMs}">`, `median of ${course.course.slug}`);
    const completions = (await get(analyst, 'completions')).json();
    for (const row of completions.byCountry) {
      t.match(page.body, new RegExp(`<tr data-country="${row.country}"><th scope="row">[^<]*</th><td data-n="${row.completed}">[^<]*</td><td data-n="${row.passed}">`), `country ${row.country}`);
    }
    for (const row of completions.byCourse) {
      t.match(page.body, new RegExp(`<tr data-course="${row.course.slug}"><th scope="row">[^<]*</th><td data-n="${row.completed}">[^<]*</td><td data-n="${row.passed}">`), `course ${row.course.slug}`);
    }

    const itemsPage = await lrs.as(analystFr, { method: 'GET', url: '/reports/items?course=notices' });
    t.equal(itemsPage.statusCode, 200);
    const items = (await get(analystFr, 'items', 'course=notices')).json();
    t.ok(items.questions.length === 3);
    for (const q of items.questions) {
      t.match(itemsPage.body, new RegExp(`<tr data-question="${q.id.replace(/[.?*+^$()[\]{}|\\/]/g, '\\$&')}" data-course="notices">[\\s\\S]*?<td data-n="${q.answers}">[\\s\\S]*?data-correct="${q.correct}" data-judged="${q.judged}"`));
    }
    t.match(itemsPage.body, 'Learners of FR only.');

    const filtered = await lrs.as(analyst, { method: 'GET', url: '/reports?from=2026-13-01' });
    t.equal(filtered.statusCode, 400);
    t.match(filtered.body, /class="field-error" id="e-from"/);
    const refused = await lrs.as(learner, { method: 'GET', url: '/reports' });
    t.equal(refused.statusCode, 403);
    t.match(refused.body, 'data-error="reports-forbidden"');
    const learnerNav = await lrs.as(learner, { method: 'GET', url: '/courses' });
    t.notMatch(learnerNav.body, 'href="/reports"', 'learners are not shown the reports link');
  });

  t.test('the statement explorer: the LRS query in-process, paged with more', async (t) => {
    const cmi5Registration = registrations.find((r) => r.format === 'cmi5' && facts.find((f) => f.registration === r)!.completedMs !== null)!;
    const own = statements.filter((s) => s.context?.registration === cmi5Registration.id).reverse();
    const url = `/reports/explorer?registration=${cmi5Registration.id}&limit=5`;
    const seen: string[] = [];
    let next: string | null = url;
    while (next) {
      const res = await lrs.as(admin, { method: 'GET', url: next });
      t.equal(res.statusCode, 200);
      seen.push(...[...res.body.matchAll(/<tr data-id="([^"]+)">/g)].map((m) => m[1]!));
      next = /<a href="([^"]+)" rel="next">/.exec(res.body)?.[1]?.replace(/&amp;/g, '&') ?? null;
    }
    t.same(seen, own.map((s) => s.id), 'every statement of the registration, newest first, across pages');
    const answered = await lrs.as(analyst, { method: 'GET', url: `/reports/explorer?verb=${encodeURIComponent(V('answered'))}&agent=visitor%40elsewhere.example` });
    t.match(answered.body, /<td>visitor@elsewhere\.example<\/td>/);
    t.match(answered.body, /response: b/);
    const bad = await lrs.as(admin, { method: 'GET', url: '/reports/explorer?since=yesterday' });
    t.equal(bad.statusCode, 400);
    t.match(bad.body, /id="e-since"/);
    const limited = await lrs.as(analystFr, { method: 'GET', url: '/reports/explorer' });
    t.equal(limited.statusCode, 403);
    t.match(limited.body, 'data-error="explorer-forbidden"');
  });

  t.test('rebuilding the projections changes no number', async (t) => {
    const before = await Promise.all(['completions', 'scores', 'time-spent', 'funnel', 'items'].map(async (r) => ({ ...(await get(admin, r)).json(), generated: '' })));
    await lrs.store.records.rebuild();
    const after = await Promise.all(['completions', 'scores', 'time-spent', 'funnel', 'items'].map(async (r) => ({ ...(await get(admin, r)).json(), generated: '' })));
    t.same(after, before);
  });
});
