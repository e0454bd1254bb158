import fs from 'node:fs';
import path from 'node:path';
import { normalizeStatement, type NormalizeContext } from '../src/lrs/statements/normalize.js';
import type { Statement } from '../src/lrs/statements/statement-types.js';
import { openDatabase } from '../src/store/sqlite/database.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import type { StatementRecord } from '../src/store/ports.js';
import { createHttpClient } from './http-client.js';
import { elapsedMs, formatMb, formatRate, progress, summarize, type LatencySummary } from './measure.js';
import { createStatementGenerator, type GeneratedStatement } from './statement-generator.js';
import { addCredential, startEmptyServer, startServer, type ServerProcess } from './server-process.js';

export const BATCH_SIZE = 100;

export interface Batch {
  readonly statements: readonly GeneratedStatement[];
  /** The POST body, serialised before timing so the client spends its CPU on sending, not on JSON. */
  readonly body: string;
}

/** The batch sizes HTTP ingest is measured at (statements per POST). */
export const HTTP_BATCH_SIZES = [1, 10, 100] as const;

/** `count` statements (rounded up to whole batches) from one seeded stream, in batches of `batchSize` (100). */
export function makeBatches(count: number, seed: number, batchSize: number = BATCH_SIZE): Batch[] {
  const generator = createStatementGenerator({ seed });
  const batches: Batch[] = [];
  for (let made = 0; made < count; made += batchSize) {
    const statements = Array.from({ length: batchSize }, () => generator.next());
    batches.push({ statements, body: JSON.stringify(statements.map((s) => s.statement)) });
  }
  return batches;
}

export interface IngestOptions {
  /** Batches in flight at once (HTTP requests, or batches handed to the store before awaiting them). */
  readonly concurrency: number;
  /** Leading batches sent before the clock starts, so JIT warm-up and file growth do not count. */
  readonly warmupBatches: number;
  readonly timeCapMs: number;
}

export interface IngestResult {
  /** Statements per batch (per POST, or per store call). */
  readonly batchSize?: number;
  readonly statements: number;
  readonly seconds: number;
  readonly statementsPerSecond: number;
  /** Time per batch (request, or store call), for the HTTP and store paths. */
  readonly batchLatency?: LatencySummary;
  readonly serverPeakRssBytes?: number;
  readonly serverIdleRssBytes?: number;
}

/**
 * Runs `task(i)` for i = 0..count-1 with at most `concurrency` in flight, starting no new task after `deadline`
 * (ms since epoch). Resolves to how many tasks completed.
 */
async function runBounded(count: number, concurrency: number, deadline: number, task: (index: number) => Promise<void>): Promise<number> {
  let nextIndex = 0;
  let completed = 0;
  const worker = async () => {
    while (nextIndex < count && Date.now() < deadline) {
      const index = nextIndex++;
      await task(index);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return completed;
}

const benchAuthority: NormalizeContext['authority'] = { objectType: 'Agent', name: 'bench', account: { homePage: 'http://127.0.0.1', name: 'bench' } };

/**
 * Normalises a batch the way the statement service does (one `stored` per batch), without validating.
 * `mayDefine` and `defaultVersion` as for the HTTP run: a credential with scope `all`, xAPI 1.0.3 requests.
 */
export function normalizeBatch(batch: Batch, storedMs: number): StatementRecord[] {
  const context: NormalizeContext = {
    storedMs,
    authority: benchAuthority,
    credentialId: 'bench',
    mayDefine: true,
    defaultVersion: '1.0.0',
    newId: () => {
      throw new Error('generated statements carry ids');
    },
  };
  return batch.statements.map((s) => normalizeStatement(s.statement as unknown as Statement, context));
}

/**
 * Ingest through the real server: `cadet serve` as a child process on a fresh data directory, the batches (all of
 * one size) POSTed to /xapi/statements with Basic auth from `concurrency` keep-alive connections. With
 * `target: 'empty'`, the same requests from the same client go to the empty-route server instead (bench/empty-server.ts:
 * Fastify parsing the body and answering `[]`), the ceiling for what HTTP alone costs.
 */
export async function measureHttpIngest(
  batches: readonly Batch[],
  workDir: string,
  options: IngestOptions,
  target: 'cadet' | 'empty' = 'cadet',
  /** Server settings (e.g. SQLITE_SYNCHRONOUS); named in the data directory and the progress line. */
  env: Readonly<Record<string, string>> = {},
): Promise<IngestResult> {
  const batchSize = batches[0]?.statements.length ?? BATCH_SIZE;
  let server: ServerProcess;
  let headers: Record<string, string> = { 'X-Experience-API-Version': '1.0.3' };
  if (target === 'cadet') {
    const dataDir = path.join(workDir, `ingest-http-${batchSize}${Object.entries(env).map(([k, v]) => `-${k}-${v}`).join('')}`);
    const credential = await addCredential(dataDir);
    server = await startServer(dataDir, env);
    headers = { Authorization: `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`, ...headers };
  } else {
    server = await startEmptyServer();
    headers = { Authorization: `Basic ${Buffer.from('bench:bench').toString('base64')}`, ...headers };
  }
  const client = createHttpClient(server.baseUrl, headers, options.concurrency);
  const settings = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
  const line = progress(`ingest via HTTP${target === 'empty' ? ' (empty route)' : ''}, ${batchSize}/batch${settings ? `, ${settings}` : ''}`);
  try {
    const idle = server.memory();
    const post = async (batch: Batch) => {
      const response = await client.post('/xapi/statements', batch.body);
      if (response.status !== 200) throw new Error(`POST /xapi/statements answered ${response.status}: ${response.body.slice(0, 500)}`);
    };
    const warmup = batches.slice(0, options.warmupBatches);
    const timed = batches.slice(options.warmupBatches);
    await runBounded(warmup.length, options.concurrency, Date.now() + options.timeCapMs, (i) => post(warmup[i]));

    const latencies: number[] = [];
    let sent = 0;
    const start = process.hrtime.bigint();
    const done = await runBounded(timed.length, options.concurrency, Date.now() + options.timeCapMs, async (i) => {
      const requestStart = process.hrtime.bigint();
      await post(timed[i]);
      latencies.push(elapsedMs(requestStart));
      sent += batchSize;
      line.update(`${sent.toLocaleString('en-US')} / ${(timed.length * batchSize).toLocaleString('en-US')}  (${formatRate(sent / (elapsedMs(start) / 1000))})`);
    });
    const seconds = elapsedMs(start) / 1000;
    const statements = done * batchSize;
    const memory = server.memory();
    line.done(`${statements.toLocaleString('en-US')} statements in ${seconds.toFixed(1)} s, ${formatRate(statements / seconds)}${memory ? `, server peak RSS ${formatMb(memory.peakBytes)}` : ''}`);
    return {
      batchSize,
      statements,
      seconds,
      statementsPerSecond: statements / seconds,
      batchLatency: summarize(latencies),
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

/**
 * The ceiling for HTTP ingest: the same batches normalised and handed to the project's own SQLite statement
 * store (same pragmas, schema, write queue and insert rules as the server), with as many batches in flight as
 * the HTTP run. The write queue groups the batches of one event-loop turn into one transaction, which is the best
 * the server's group commit can do; what HTTP adds on top is parsing, validation, auth and the network.
 */
export async function measureStoreIngest(batches: readonly Batch[], workDir: string, options: IngestOptions): Promise<IngestResult> {
  const dataDir = path.join(workDir, 'ingest-store');
  const store = createSqliteStore(dataDir);
  const line = progress('ingest via store.insert');
  try {
    let storedMs = Date.now();
    const insert = (batch: Batch) => store.statements.insert(normalizeBatch(batch, (storedMs = Math.max(storedMs, Date.now()))));
    const warmup = batches.slice(0, options.warmupBatches);
    const timed = batches.slice(options.warmupBatches);
    await runBounded(warmup.length, options.concurrency, Date.now() + options.timeCapMs, async (i) => void (await insert(warmup[i])));

    const latencies: number[] = [];
    const start = process.hrtime.bigint();
    const done = await runBounded(timed.length, options.concurrency, Date.now() + options.timeCapMs, async (i) => {
      const callStart = process.hrtime.bigint();
      await insert(timed[i]);
      latencies.push(elapsedMs(callStart));
      line.update(`${(latencies.length * BATCH_SIZE).toLocaleString('en-US')} / ${(timed.length * BATCH_SIZE).toLocaleString('en-US')}`);
    });
    const seconds = elapsedMs(start) / 1000;
    const statements = done * BATCH_SIZE;
    line.done(`${statements.toLocaleString('en-US')} statements in ${seconds.toFixed(1)} s, ${formatRate(statements / seconds)}`);
    return { statements, seconds, statementsPerSecond: statements / seconds, batchLatency: summarize(latencies) };
  } finally {
    await store.close();
  }
}

/**
 * The ceiling for the store: plain prepared INSERTs of the same records (statement row and its key rows) with
 * better-sqlite3, on a database opened with the store's own pragmas and migrations, one transaction per
 * `concurrency` batches like the store run. No duplicate, voiding or StatementRef checks: what the store's
 * insert rules cost is the gap between this and `measureStoreIngest`.
 */
export function measureRawIngest(batches: readonly Batch[], workDir: string, options: IngestOptions): IngestResult {
  const file = path.join(workDir, 'ingest-raw', 'cadet.sqlite');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = openDatabase(file);
  const line = progress('ingest via raw SQLite');
  try {
    const insertStatement = db.prepare(
      `INSERT INTO statements (id, stored_ms, verb_id, registration, ref_target, is_voiding, credential_id, fingerprint, body)
       VALUES (@id, @storedMs, @verbId, @registration, @refTarget, @isVoiding, @credentialId, @fingerprint, @body)`,
    );
    const insertKey = db.prepare('INSERT INTO statement_keys (key, seq) VALUES (?, ?)');
    const insertGroup = db.transaction((records: StatementRecord[]) => {
      for (const record of records) {
        const seq = insertStatement.run({ ...record, isVoiding: record.isVoiding ? 1 : 0 }).lastInsertRowid;
        for (const key of record.keys) insertKey.run(key, seq);
      }
    });
    const groupSize = options.concurrency;
    const insertFrom = (list: readonly Batch[], first: number) => {
      const storedMs = Date.now();
      const group = list.slice(first, first + groupSize);
      insertGroup(group.flatMap((batch) => normalizeBatch(batch, storedMs)));
      return group.length;
    };
    const warmup = batches.slice(0, options.warmupBatches);
    const timed = batches.slice(options.warmupBatches);
    for (let i = 0; i < warmup.length; i += groupSize) insertFrom(warmup, i);

    const start = process.hrtime.bigint();
    const deadline = Date.now() + options.timeCapMs;
    let done = 0;
    while (done < timed.length && Date.now() < deadline) {
      done += insertFrom(timed, done);
      line.update(`${(done * BATCH_SIZE).toLocaleString('en-US')} / ${(timed.length * BATCH_SIZE).toLocaleString('en-US')}`);
    }
    const seconds = elapsedMs(start) / 1000;
    const statements = done * BATCH_SIZE;
    line.done(`${statements.toLocaleString('en-US')} statements in ${seconds.toFixed(1)} s, ${formatRate(statements / seconds)}`);
    return { statements, seconds, statementsPerSecond: statements / seconds };
  } finally {
    db.close();
  }
}
