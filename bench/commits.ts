/**
 * SCORM runtime commits under a classroom's load: N learners, each launched on the SCORM 1.2 demo course and
 * committing every `periodMs` (scorm-again's autocommit), spread evenly over the period, for `windowMs`.
 * Open loop on a fixed schedule, one commit in flight per learner: latency, commits/s achieved, the server's
 * CPU time per commit and its peak RSS.
 *
 * Ceiling, labelled as such: the same learners on the same schedule against a fresh server, each commit replaced
 * by one plain LRS write of the same data — POST /xapi/statements of the statements that commit produced, or,
 * when it produced none (a bookmark or suspend-data change), PUT /xapi/activities/state of its body. That is
 * what the commit costs without the runtime's own work (token, attempt, CMI reading and translation).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createHttpClient, type HttpClient, type HttpResponse } from './http-client.js';
import { elapsedMs, formatMb, progress, summarize, type LatencySummary } from './measure.js';
import { addCredential, startServer, type Credential, type ServerProcess } from './server-process.js';

const execFileAsync = promisify(execFile);
const cliPath = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const demoCourse = path.join(repoRoot, 'content-packages', 'scorm12-evidence-handling');
const courseSlug = 'bench-scorm12';

export interface CommitOptions {
  readonly learners: number;
  /** Each learner commits every this many ms (scorm-again's autocommit interval). */
  readonly periodMs: number;
  /** How long the schedule runs: every learner commits windowMs / periodMs times, the last one terminating. */
  readonly windowMs: number;
  /** Size of cmi.suspend_data (SCORM 1.2 allows 4,096 characters). */
  readonly suspendDataChars: number;
}

export interface WindowResult {
  /** Requests answered 2xx. */
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  /** Latest a request left after its scheduled time (the client or the previous commit of the learner held it). */
  readonly maxLateMs: number;
  readonly serverCpuMsPerRequest: number | null;
  readonly serverPeakRssBytes: number | null;
  readonly serverStartRssBytes: number | null;
  /** Whether the peak covers only this window (clear_refs worked) or the server's whole life. */
  readonly peakScope: 'window' | 'process';
}

export interface CommitResult {
  readonly learners: number;
  readonly periodMs: number;
  readonly windowMs: number;
  readonly offeredPerSecond: number;
  readonly setupSeconds: number;
  readonly meanBodyBytes: number;
  /** Statements the commits produced (initialized, responded, scored, passed/failed, terminated). */
  readonly statements: number;
  readonly commits: WindowResult;
  readonly ceiling: WindowResult & { readonly statementPosts: number; readonly statePuts: number; readonly unmatchedStatements: number };
}

/** The session cookie a sign-in sets, as a Cookie header value. */
function sessionCookieOf(response: HttpResponse): string {
  const cookies = response.headers['set-cookie'] ?? [];
  const found = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('cadet_session=') && c.length > 'cadet_session='.length);
  if (!found) throw new Error(`sign-in set no session cookie: ${response.status} ${response.body.slice(0, 200)}`);
  return found;
}

const json = { 'Content-Type': 'application/json' };

async function signIn(client: HttpClient, email: string, password: string): Promise<string> {
  const response = await client.request('POST', '/api/session', JSON.stringify({ email, password }));
  if (response.status !== 200) throw new Error(`sign-in of ${email} answered ${response.status}: ${response.body.slice(0, 300)}`);
  return sessionCookieOf(response);
}

/** Runs `task(i)` for i in 0..count-1, `concurrency` at a time. */
async function inParallel(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** SCORM 1.2 CMITimespan, HHHH:MM:SS.SS. */
const timespan = (seconds: number) => `${pad(Math.floor(seconds / 3600), 4)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}.00`;
/** SCORM 1.2 CMITime, HH:MM:SS. */
const timeOfDay = (seconds: number) => `${pad(Math.floor(seconds / 3600) % 24, 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;

interface Learner {
  readonly index: number;
  readonly userId: string;
  readonly name: string;
  token: string;
  registration: string;
}

interface PlannedCommit {
  readonly path: string;
  readonly body: string;
}

/**
 * Each commit as scorm-again sends it (`dataCommitFormat: json`, the whole CMI every time): the bookmark moves
 * a page, suspend data of a few KB changes, an interaction is answered every third commit or so, and the last
 * commit sets the score and status and terminates. `commitSequence` increases.
 */
function planCommits(learner: Learner, count: number, options: CommitOptions): PlannedCommit[] {
  const interactions: Record<string, unknown>[] = [];
  const plans: PlannedCommit[] = [];
  const startSecond = 9 * 3600 + learner.index * 7;
  for (let k = 0; k < count; k++) {
    const last = k === count - 1;
    const elapsed = (k + 1) * (options.periodMs / 1000);
    if ((learner.index + k) % 3 === 1 || last) {
      const n = interactions.length;
      const correct = (learner.index + n) % 4 !== 0;
      interactions.push({
        id: `q${n + 1}-evidence`,
        objectives: {},
        time: timeOfDay(startSecond + Math.round(elapsed)),
        type: 'choice',
        correct_responses: { '0': { pattern: 'b' } },
        weighting: '1',
        student_response: correct ? 'b' : 'c',
        result: correct ? 'correct' : 'wrong',
        latency: timespan(5 + ((learner.index + n) % 40)),
      });
    }
    const raw = 55 + ((learner.index * 7) % 46);
    const status = last ? (raw >= 80 ? 'passed' : 'failed') : 'incomplete';
    const visited = Array.from({ length: k + 2 }, (_, page) => page + 1).join(',');
    const suspend = `v=${visited};p=${k + 2};d=`;
    const cmi = {
      comments: '',
      comments_from_lms: '',
      core: {
        student_id: learner.userId,
        student_name: learner.name,
        lesson_location: `pages/0${(k % 5) + 1}-page.html#s${k + 2}`,
        credit: 'credit',
        lesson_status: status,
        entry: 'ab-initio',
        score: last ? { raw: String(raw), min: '0', max: '100' } : { raw: '', min: '', max: '' },
        total_time: '0000:00:00.00',
        lesson_mode: 'normal',
        exit: '',
        session_time: timespan(Math.round(elapsed)),
      },
      objectives: {},
      student_data: { mastery_score: '80', max_time_allowed: '', time_limit_action: '' },
      student_preference: { audio: '', language: '', speed: '', text: '' },
      interactions: Object.fromEntries(interactions.map((interaction, i) => [String(i), interaction])),
      launch_data: '',
      suspend_data: suspend + randomBytes(Math.ceil((options.suspendDataChars - suspend.length) * 0.75)).toString('base64').slice(0, options.suspendDataChars - suspend.length),
    };
    const token = encodeURIComponent(learner.token);
    plans.push({ path: `/api/runtime/commit?token=${token}${last ? '&terminate=true' : ''}`, body: JSON.stringify({ runtimeData: { cmi }, commitSequence: k + 1 }) });
  }
  return plans;
}

interface Sample {
  readonly learner: number;
  readonly k: number;
  readonly sentMs: number;
  readonly answeredMs: number;
  readonly latencyMs: number;
  readonly lateMs: number;
}

/**
 * The schedule: learner i sends request k at i·period/N + k·period (or as soon as its previous one is answered,
 * if later), until the window ends; nothing new starts after window + 30 s. Throws on the first failed request.
 */
async function runSchedule(learners: number, perLearner: number, options: CommitOptions, label: string, send: (learner: number, k: number) => Promise<HttpResponse>): Promise<{ samples: Sample[]; seconds: number }> {
  const line = progress(label);
  const total = learners * perLearner;
  const samples: Sample[] = [];
  let failure: Error | undefined;
  const start = Date.now() + 200;
  const hardStop = start + options.windowMs + 30_000;
  const sleepUntil = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));
  const learnerLoop = async (learner: number) => {
    const offset = (learner * options.periodMs) / learners;
    for (let k = 0; k < perLearner && failure === undefined; k++) {
      const due = start + offset + k * options.periodMs;
      await sleepUntil(due);
      if (Date.now() > hardStop || failure !== undefined) return;
      const sentMs = Date.now();
      const began = process.hrtime.bigint();
      let response: HttpResponse;
      try {
        response = await send(learner, k);
      } catch (error) {
        failure ??= error as Error;
        return;
      }
      const latencyMs = elapsedMs(began);
      if (response.status < 200 || response.status > 299) {
        failure ??= new Error(`${label}: learner ${learner} request ${k} answered ${response.status}: ${response.body.slice(0, 400)}`);
        return;
      }
      samples.push({ learner, k, sentMs, answeredMs: Date.now(), latencyMs, lateMs: sentMs - due });
      line.update(`${samples.length}/${total}`);
    }
  };
  await Promise.all(Array.from({ length: learners }, (_, i) => learnerLoop(i)));
  const seconds = (Math.max(...samples.map((s) => s.answeredMs), start) - start) / 1000;
  if (failure) throw failure;
  if (samples.length < total) throw new Error(`${label}: only ${samples.length} of ${total} requests were sent before the ${(hardStop - start) / 1000} s limit`);
  return { samples, seconds };
}

/** Runs a schedule and reads the server's CPU time and peak RSS around it. */
async function measureWindow(server: ServerProcess, learners: number, perLearner: number, options: CommitOptions, label: string, send: (learner: number, k: number) => Promise<HttpResponse>) {
  const startRss = server.memory()?.currentBytes ?? null;
  const peakScope = server.resetPeak() ? ('window' as const) : ('process' as const);
  const cpuBefore = server.cpuSeconds();
  const { samples, seconds } = await runSchedule(learners, perLearner, options, label, send);
  const cpuAfter = server.cpuSeconds();
  const latencies = samples.map((s) => s.latencyMs);
  const result: WindowResult = {
    count: samples.length,
    seconds,
    perSecond: samples.length / seconds,
    latency: summarize(latencies),
    maxLateMs: Math.round(Math.max(0, ...samples.map((s) => s.lateMs))),
    serverCpuMsPerRequest: cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) * 1000 * 1000) / samples.length) / 1000,
    serverPeakRssBytes: server.memory()?.peakBytes ?? null,
    serverStartRssBytes: startRss,
    peakScope,
  };
  progress(label).done(
    `${result.count} in ${seconds.toFixed(1)} s (${result.perSecond.toFixed(1)}/s): p50 ${result.latency.p50Ms} ms p99 ${result.latency.p99Ms} ms, ` +
      `server CPU ${result.serverCpuMsPerRequest ?? '?'} ms each, peak RSS ${result.serverPeakRssBytes === null ? '?' : formatMb(result.serverPeakRssBytes)}`,
  );
  return { result, samples };
}

interface StoredStatement {
  id: string;
  stored: string;
  timestamp: string;
  [property: string]: unknown;
}

export async function measureCommits(workDir: string, options: CommitOptions): Promise<CommitResult> {
  const perLearner = Math.max(1, Math.floor(options.windowMs / options.periodMs));
  const setupStarted = Date.now();
  const dataDir = path.join(workDir, 'commits');
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  // The demo SCORM 1.2 course under a slug of our own, with the real CLI (the server then skips the demo import).
  const { stdout } = await execFileAsync(process.execPath, [cliPath, 'import', demoCourse, '--course', courseSlug, '--json'], { env, timeout: 60_000 });
  if (!(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean }).ok) throw new Error(`cadet import of the demo course failed: ${stdout}`);
  const credential = await addCredential(dataDir);
  const admin = { email: 'bench-admin@bench.example', password: 'bench administrator password' };
  // Every learner signs in from 127.0.0.1: lift the per-address sign-in limit (30 a minute by default).
  const server = await startServer(dataDir, { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, LOGIN_RATE_LIMIT: '100000' });
  const client = createHttpClient(server.baseUrl, {}, options.learners);
  const explain = (error: unknown) => Promise.reject(server.explain(error));
  try {
    // One admin creates the learners through the API, then each signs in and launches the course.
    const line = progress('commits setup');
    const adminCookie = await signIn(client, admin.email, admin.password).catch(explain);
    const learners: Learner[] = new Array(options.learners);
    const password = 'bench learner password';
    await inParallel(options.learners, 2, async (index) => {
      const email = `learner${pad(index, 4)}@bench.example`;
      const name = `Learner ${index}`;
      const created = await client.request('POST', '/api/users', JSON.stringify({ email, name, country: 'FR', roles: [{ role: 'learner' }], password }), { cookie: adminCookie }).catch(explain);
      if (created.status !== 201) throw new Error(`creating ${email} answered ${created.status}: ${created.body.slice(0, 300)}`);
      const cookie = await signIn(client, email, password).catch(explain);
      const launched = await client.request('POST', `/api/courses/${courseSlug}/launch`, '{}', { cookie, ...json }).catch(explain);
      if (launched.status !== 200) throw new Error(`launch for ${email} answered ${launched.status}: ${launched.body.slice(0, 300)}`);
      const answer = JSON.parse(launched.body) as { url: string; registration: string };
      const token = /\/player\/([^/?#]+)/.exec(answer.url)?.[1];
      if (!token) throw new Error(`launch answered no player URL: ${answer.url}`);
      learners[index] = { index, userId: (JSON.parse(created.body) as { user: { id: string } }).user.id, name, token: decodeURIComponent(token), registration: answer.registration };
      line.update(`${index + 1}/${options.learners} learners created, signed in, launched`);
    });
    const plans = learners.map((learner) => planCommits(learner, perLearner, options));
    const meanBodyBytes = Math.round(plans.flat().reduce((sum, plan) => sum + plan.body.length, 0) / (options.learners * perLearner));
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    line.done(`${options.learners} learners created, signed in and launched in ${setupSeconds.toFixed(0)} s; commits of ${(meanBodyBytes / 1024).toFixed(1)} KB on average`);

    const commitHeaders = json;
    const commits = await measureWindow(server, options.learners, perLearner, options, `commits (${options.learners} learners every ${options.periodMs / 1000} s)`, (learner, k) =>
      client.request('POST', plans[learner][k].path, plans[learner][k].body, commitHeaders).catch(explain),
    );

    // What the commits wrote: each learner's statements, to replay them as the ceiling.
    const reader = createHttpClient(server.baseUrl, { Authorization: basic(credential), 'X-Experience-API-Version': '1.0.3' }, 4);
    const byLearner: StoredStatement[][] = new Array(options.learners);
    try {
      await inParallel(options.learners, 4, async (index) => {
        const statements: StoredStatement[] = [];
        let next: string | undefined = `/xapi/statements?registration=${learners[index].registration}&ascending=true&limit=100`;
        for (let page = 0; next && page < 100; page++) {
          const response = await reader.get(next).catch(explain);
          if (response.status !== 200) throw new Error(`GET ${next} answered ${response.status}: ${response.body.slice(0, 300)}`);
          const result = JSON.parse(response.body) as { statements: StoredStatement[]; more?: string };
          statements.push(...result.statements);
          next = result.more || undefined;
        }
        byLearner[index] = statements;
      });
    } finally {
      reader.close();
    }
    const statements = byLearner.reduce((sum, list) => sum + list.length, 0);
    await server.stop();

    const ceiling = await measureCeiling(workDir, learners, plans, commits.samples, byLearner, perLearner, options);
    return {
      learners: options.learners,
      periodMs: options.periodMs,
      windowMs: options.windowMs,
      offeredPerSecond: options.learners / (options.periodMs / 1000),
      setupSeconds,
      meanBodyBytes,
      statements,
      commits: commits.result,
      ceiling,
    };
  } finally {
    client.close();
    await server.stop();
  }
}

const basic = (credential: Credential) => `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`;

/**
 * The ceiling's requests: the statements each commit produced (matched by their timestamp, the server's clock
 * during the commit, which lies between the commit's send and answer on this machine's clock), as one POST;
 * a commit that produced none becomes a PUT of its body to the state API.
 */
async function measureCeiling(workDir: string, learners: readonly Learner[], plans: PlannedCommit[][], samples: readonly Sample[], byLearner: StoredStatement[][], perLearner: number, options: CommitOptions) {
  const windows = new Map(samples.map((s) => [`${s.learner}/${s.k}`, s]));
  let unmatched = 0;
  const requests = learners.map((learner) => {
    const groups: StoredStatement[][] = Array.from({ length: perLearner }, () => []);
    for (const statement of byLearner[learner.index]) {
      const at = Date.parse(statement.timestamp);
      let k = groups.findIndex((_, i) => {
        const sample = windows.get(`${learner.index}/${i}`);
        return sample !== undefined && at >= sample.sentMs && at <= sample.answeredMs;
      });
      if (k < 0) {
        unmatched++;
        // Nearest commit sent before it; clocks agree to the millisecond on one machine, so this is a safety net.
        k = Math.max(0, groups.findLastIndex((_, i) => (windows.get(`${learner.index}/${i}`)?.sentMs ?? Infinity) <= at));
      }
      const { stored: _stored, authority: _authority, version: _version, ...replayed } = statement;
      groups[k].push(replayed as StoredStatement);
    }
    return groups;
  });

  const dataDir = path.join(workDir, 'commits-ceiling');
  const credential = await addCredential(dataDir);
  const server = await startServer(dataDir);
  const client = createHttpClient(server.baseUrl, { Authorization: basic(credential), 'X-Experience-API-Version': '1.0.3' }, options.learners);
  let statementPosts = 0;
  let statePuts = 0;
  const prepared = learners.map((learner) =>
    requests[learner.index].map((group, k) => {
      if (group.length > 0) {
        statementPosts++;
        return { method: 'POST' as const, path: '/xapi/statements', body: JSON.stringify(group) };
      }
      statePuts++;
      const agent = encodeURIComponent(JSON.stringify({ objectType: 'Agent', account: { homePage: 'http://127.0.0.1', name: learner.userId } }));
      const activity = encodeURIComponent(`http://127.0.0.1/courses/${courseSlug}/ITEM-EVIDENCE-HANDLING`);
      return { method: 'PUT' as const, path: `/xapi/activities/state?activityId=${activity}&agent=${agent}&registration=${learner.registration}&stateId=cmi`, body: plans[learner.index][k].body };
    }),
  );
  try {
    const { result } = await measureWindow(server, options.learners, perLearner, options, 'ceiling: the same writes to the LRS', (learner, k) => {
      const request = prepared[learner][k];
      return client.request(request.method, request.path, request.body).catch((error) => Promise.reject(server.explain(error)));
    });
    return { ...result, statementPosts, statePuts, unmatchedStatements: unmatched };
  } finally {
    client.close();
    await server.stop();
  }
}
