import fs from 'node:fs';
import path from 'node:path';
import type { LrsPrincipal } from '../src/access/index.js';
import { parseStatementRequest } from '../src/lrs/statements/statement-query.js';
import { createStatementService, type StatementResult } from '../src/lrs/statements/statement-service.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import type { StatementRecord } from '../src/store/ports.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { BATCH_SIZE, normalizeBatch } from './ingest.js';
import { elapsedMs, formatMb, formatMs, progress, summarize, type LatencySummary } from './measure.js';
import { createRandom, createStatementGenerator, type Agent, type StatementTags } from './statement-generator.js';
import { addCredential, databaseFile, startServer } from './server-process.js';

/**
 * The query kinds measured. `agentVerb` (the one with a goal, p99 < 10 ms) and the single-parameter kinds draw
 * uniformly from the distinct values that exist: "a learner", "a course unit". `agentVerbBusy` draws statements
 * instead, so it leans toward the most active learners, whose pages are full (100, the default page size) and whose rare verbs make the
 * store walk many rows: the tail a reporting tool meets.
 */
export const queryKinds = ['agentVerb', 'agentVerbBusy', 'agent', 'activity', 'registration', 'since'] as const;
export type QueryKind = (typeof queryKinds)[number];

export interface QueryOptions {
  /** Statements in the store the server queries. */
  readonly storeSize: number;
  /** Requests per query kind. */
  readonly requests: Readonly<Record<QueryKind, number>>;
  /** `limit` per page when paging through one agent's statements with `more`. */
  readonly pageLimit: number;
  /** Bound on the time spent on each query kind. */
  readonly timeCapMs: number;
  /** Bound on the time spent filling the store: when reached, the queries run on what was filled (`storeSize` says how much). */
  readonly fillCapMs: number;
  /** Subdirectory of the work directory for this store (one per store size). */
  readonly dirName: string;
}

export interface QueryKindResult {
  /** Through HTTP, one request in flight: server latency plus loopback and a light client. */
  readonly http: LatencySummary;
  /** The same queries on the statement service in-process, on the same file: the ceiling without HTTP and auth. */
  readonly inProcess: LatencySummary;
  /** Statements per response (mean and largest): latency grows with it (default page size 500). */
  readonly meanStatements: number;
  readonly maxStatements: number;
}

export interface PagingResult {
  readonly agentStatements: number;
  readonly pageLimit: number;
  readonly pages: number;
  readonly totalMs: number;
  readonly perPage: LatencySummary;
  readonly inProcessTotalMs: number;
  /** Whether paging returned exactly the agent's statements, each once. */
  readonly complete: boolean;
}

export interface QueryResult {
  /** Statements actually in the store (less than asked when the fill hit its time cap). */
  readonly storeSize: number;
  readonly requestedSize: number;
  readonly fillSeconds: number;
  /** Size of the database file after a checkpoint, divided by the statements in it. */
  readonly diskBytesPerStatement: number;
  readonly kinds: Readonly<Record<QueryKind, QueryKindResult>>;
  readonly paging: PagingResult;
  readonly serverPeakRssBytes?: number;
  readonly serverIdleRssBytes?: number;
}

const identityOf = (agent: Agent) => (agent.account ? `account|${agent.account.homePage}|${agent.account.name}` : `mbox|${agent.mbox}`);

/** Query strings for each kind, drawn from statements that exist, so every query matches something. */
function chooseQueries(tags: readonly StatementTags[], storedTimes: readonly number[], requests: QueryOptions['requests']): Record<QueryKind, Array<Record<string, string>>> {
  const random = createRandom(3);
  const draw = <T>(list: readonly T[], count: number) => Array.from({ length: count }, () => list[Math.floor(random() * list.length)]);
  /** One tag per distinct value of `keyOf`, so drawing from the result is uniform over values. */
  const distinct = (keyOf: (t: StatementTags) => string) => [...new Map(tags.map((t) => [keyOf(t), t])).values()];
  return {
    agentVerb: draw(distinct((t) => `${identityOf(t.agent)} ${t.verbId}`), requests.agentVerb).map((t) => ({ agent: JSON.stringify(t.agent), verb: t.verbId })),
    agentVerbBusy: draw(tags, requests.agentVerbBusy).map((t) => ({ agent: JSON.stringify(t.agent), verb: t.verbId })),
    agent: draw(distinct((t) => identityOf(t.agent)), requests.agent).map((t) => ({ agent: JSON.stringify(t.agent) })),
    activity: draw(distinct((t) => t.activityId), requests.activity).map((t) => ({ activity: t.activityId })),
    registration: draw(distinct((t) => t.registration), requests.registration).map((t) => ({ registration: t.registration })),
    // `since` a `stored` time seen during the fill: a full page of the statements stored after it, newest first.
    since: draw(storedTimes, requests.since).map((ms) => ({ since: new Date(ms).toISOString() })),
  };
}

const pathOf = (params: Record<string, string>) => `/xapi/statements?${new URLSearchParams(params).toString()}`;

interface Page {
  readonly statements: number;
  readonly ids: readonly string[];
  readonly more: string;
}

async function getPage(client: HttpClient, url: string): Promise<{ ms: number; page: Page }> {
  const start = process.hrtime.bigint();
  const response = await client.get(url);
  const ms = elapsedMs(start);
  if (response.status !== 200) throw new Error(`GET ${url.slice(0, 200)} answered ${response.status}: ${response.body.slice(0, 500)}`);
  const body = JSON.parse(response.body) as { statements: Array<{ id: string }>; more: string };
  return { ms, page: { statements: body.statements.length, ids: body.statements.map((s) => s.id), more: body.more } };
}

const moreToken = (more: string) => new URL(more, 'http://x').searchParams.get('more') as string;

/**
 * Query latency on a store of `storeSize` statements. The store is filled in-process through the project's own
 * SQLite store (fast, and the same rows the server would write), the same queries are timed on the statement
 * service in-process (the ceiling), then the real server is started on that data directory and timed over HTTP.
 */
export async function measureQueries(workDir: string, options: QueryOptions): Promise<QueryResult> {
  const dataDir = path.join(workDir, options.dirName);
  const credential = await addCredential(dataDir);

  // Fill: batches generated as they are inserted (a million statements' bodies would not fit in memory at once),
  // keeping only their tags; 16 batches per transaction, bounded by `fillCapMs`.
  const fillLine = progress(`query store fill (${options.storeSize.toLocaleString('en-US')})`);
  const generator = createStatementGenerator({ seed: 2 });
  const tags: StatementTags[] = [];
  const storedTimes: number[] = [];
  const store = createSqliteStore(dataDir);
  const fillStart = process.hrtime.bigint();
  const fillDeadline = Date.now() + options.fillCapMs;
  let storedMs = Date.now();
  while (tags.length < options.storeSize && Date.now() < fillDeadline) {
    storedMs = Math.max(storedMs + 1, Date.now());
    storedTimes.push(storedMs);
    const records: StatementRecord[][] = [];
    for (let b = 0; b < 16 && tags.length < options.storeSize; b++) {
      const statements = Array.from({ length: BATCH_SIZE }, () => generator.next());
      for (const s of statements) tags.push(s.tags);
      records.push(normalizeBatch({ statements, body: '' }, storedMs));
    }
    await Promise.all(records.map((batch) => store.statements.insert(batch)));
    fillLine.update(`${tags.length.toLocaleString('en-US')} / ${options.storeSize.toLocaleString('en-US')}  (${Math.round(tags.length / (elapsedMs(fillStart) / 1000)).toLocaleString('en-US')} st/s)`);
  }
  const fillSeconds = elapsedMs(fillStart) / 1000;
  const capped = tags.length < options.storeSize ? ` (time cap ${options.fillCapMs / 1000} s reached: queries run on what was filled)` : '';
  fillLine.done(`${tags.length.toLocaleString('en-US')} statements in ${fillSeconds.toFixed(1)} s${capped}`);

  const queries = chooseQueries(tags, storedTimes, options.requests);
  // The paging test follows the most active learner (the generator's activity is skewed, so it has many pages).
  const perAgent = new Map<string, { agent: Agent; count: number }>();
  for (const t of tags) {
    const entry = perAgent.get(identityOf(t.agent)) ?? { agent: t.agent, count: 0 };
    entry.count++;
    perAgent.set(identityOf(t.agent), entry);
  }
  const busiest = [...perAgent.values()].reduce((a, b) => (b.count > a.count ? b : a));
  const pagingParams = { agent: JSON.stringify(busiest.agent), limit: String(options.pageLimit) };

  // Ceiling: the statement service in-process on the same store (no HTTP, no auth, no client).
  // pageSize: the server's default STATEMENT_PAGE_SIZE.
  const service = createStatementService({ statements: store.statements, pageSize: 100, statementsPath: '/xapi/statements' });
  const principal: LrsPrincipal = {
    credentialId: credential.key,
    name: 'bench',
    scopes: ['all'],
    authority: { objectType: 'Agent', name: 'bench', account: { homePage: 'http://127.0.0.1', name: credential.key } },
  };
  const readInProcess = async (params: Record<string, string>) => (await service.read(parseStatementRequest(params), principal, [])) as StatementResult;
  const inProcess = {} as Record<QueryKind, LatencySummary>;
  const ceilingLine = progress(`queries in-process, ${tags.length.toLocaleString('en-US')} st`);
  try {
    for (const params of queries.agentVerb.slice(0, 50)) await readInProcess(params); // warm-up
    for (const kind of queryKinds) {
      const samples: number[] = [];
      const deadline = Date.now() + options.timeCapMs;
      for (const params of queries[kind]) {
        if (Date.now() > deadline) break;
        const start = process.hrtime.bigint();
        await readInProcess(params);
        samples.push(elapsedMs(start));
      }
      inProcess[kind] = summarize(samples);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const pagingStart = process.hrtime.bigint();
  let result = await readInProcess(pagingParams);
  for (let pages = 1; result.more !== '' && pages < 10_000; pages++) result = await service.more(moreToken(result.more), principal, []);
  const inProcessPagingMs = elapsedMs(pagingStart);
  ceilingLine.done(`agent+verb p99 ${formatMs(inProcess.agentVerb.p99Ms)}`);
  await store.close(); // checkpoints the WAL into the file, so its size is the store's size
  const diskBytesPerStatement = Math.round(fs.statSync(databaseFile(dataDir)).size / tags.length);

  // Through the real server.
  const server = await startServer(dataDir);
  const client = createHttpClient(server.baseUrl, {
    Authorization: `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`,
    'X-Experience-API-Version': '1.0.3',
  }, 1);
  const line = progress(`queries via HTTP, ${tags.length.toLocaleString('en-US')} st`);
  try {
    const idle = server.memory();
    for (const params of queries.agentVerb.slice(0, 50)) await getPage(client, pathOf(params)); // warm-up
    const kinds = {} as Record<QueryKind, QueryKindResult>;
    for (const kind of queryKinds) {
      const samples: number[] = [];
      let statements = 0;
      let maxStatements = 0;
      const deadline = Date.now() + options.timeCapMs;
      for (const params of queries[kind]) {
        if (Date.now() > deadline) break;
        const { ms, page } = await getPage(client, pathOf(params));
        samples.push(ms);
        statements += page.statements;
        maxStatements = Math.max(maxStatements, page.statements);
        line.update(`${kind} ${samples.length}/${queries[kind].length}`);
      }
      kinds[kind] = { http: summarize(samples), inProcess: inProcess[kind], meanStatements: Math.round((statements / samples.length) * 10) / 10, maxStatements };
    }

    // Page with `more` to the end for one agent; bounded by page count and time.
    const pageTimes: number[] = [];
    const seen = new Set<string>();
    let returned = 0;
    let url = pathOf(pagingParams);
    const deadline = Date.now() + options.timeCapMs;
    const start = process.hrtime.bigint();
    while (url !== '' && pageTimes.length < 10_000 && Date.now() < deadline) {
      const { ms, page } = await getPage(client, url);
      pageTimes.push(ms);
      returned += page.statements;
      for (const id of page.ids) seen.add(id);
      url = page.more;
    }
    const totalMs = elapsedMs(start);
    const complete = url === '' && returned === busiest.count && seen.size === busiest.count;
    const peak = server.memory();
    line.done(`agent+verb p50 ${formatMs(kinds.agentVerb.http.p50Ms)}, p99 ${formatMs(kinds.agentVerb.http.p99Ms)}; ${pageTimes.length} pages in ${formatMs(totalMs)}${peak ? `, server peak RSS ${formatMb(peak.peakBytes)}` : ''}`);
    if (!complete) process.stderr.write(`  warning: paging returned ${returned} statements (${seen.size} distinct) of ${busiest.count} expected\n`);
    const memory = server.memory();
    return {
      storeSize: tags.length,
      requestedSize: options.storeSize,
      fillSeconds,
      diskBytesPerStatement,
      kinds,
      paging: {
        agentStatements: busiest.count,
        pageLimit: options.pageLimit,
        pages: pageTimes.length,
        totalMs: Math.round(totalMs * 100) / 100,
        perPage: summarize(pageTimes),
        inProcessTotalMs: Math.round(inProcessPagingMs * 100) / 100,
        complete,
      },
      ...(memory && { serverPeakRssBytes: memory.peakBytes }),
      ...(idle && { serverIdleRssBytes: idle.currentBytes }),
    };
  } catch (error) {
    throw server.explain(error);
  } finally {
    client.close();
    await server.stop();
  }
}
