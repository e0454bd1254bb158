/**
 * `npm run bench`: ingest and query figures for the LRS, each beside a ceiling measured in the same run
 * (STYLE.md §12). Prints progress on stderr, a table on stdout, and writes bench/results/latest.json.
 *
 *   npm run bench -- [--scale small|full] [--only STAGE[,STAGE…]] [--concurrency N]
 *                    [--compare FILE] [--out FILE] [--keep]
 *
 * Everything runs on loopback, in a fresh temporary directory, and every loop is bounded in count and time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HTTP_BATCH_SIZES, makeBatches, measureHttpIngest, measureRawIngest, measureStoreIngest, type IngestOptions, type IngestResult } from './ingest.js';
import { measureQueries, type QueryOptions, type QueryResult } from './query.js';
import { measureDocuments, type DocumentResult } from './documents.js';
import { measureImport, type ImportResult } from './import.js';
import { measureCommits, type CommitResult } from './commits.js';
import { measureRecords, type RecordsResult } from './records.js';
import { commitRows, compareRows, documentRows, formatTable, importRows, ingestRows, queryRowsBySize, ratioNote, recordsRows, type IngestResults, type Row } from './report.js';
import { killAllServers } from './server-process.js';

const scales = {
  small: {
    ingestStatements: 10_000,
    query: { storeSizes: [10_000, 100_000], requests: { agentVerb: 200, agentVerbBusy: 200, agent: 100, activity: 100, registration: 100, since: 100 }, pageLimit: 10 },
    documents: { sizes: [4096, 10240, 65536], requestsPerSize: 100 },
    import: { bytes: 20 * 1024 ** 2, mediaFiles: 24, smallFiles: 500 },
    commits: { learners: 50, periodMs: 10_000, windowMs: 20_000, suspendDataChars: 3000 },
    records: { courses: 20, learners: 2_000, transcriptRegistrations: 100, requests: { transcript: 100, report: 5 }, timeCapMs: 60_000 },
  },
  full: {
    ingestStatements: 50_000,
    query: { storeSizes: [100_000, 1_000_000], requests: { agentVerb: 500, agentVerbBusy: 500, agent: 200, activity: 200, registration: 200, since: 200 }, pageLimit: 25 },
    documents: { sizes: [4096, 10240, 65536], requestsPerSize: 500 },
    import: { bytes: 200 * 1024 ** 2, mediaFiles: 48, smallFiles: 3000 },
    commits: { learners: 500, periodMs: 10_000, windowMs: 60_000, suspendDataChars: 3000 },
    records: { courses: 80, learners: 17_000, transcriptRegistrations: 100, requests: { transcript: 300, report: 5 }, timeCapMs: 60_000 },
  },
} as const;
type Scale = keyof typeof scales;
const stageNames = ['ingest', 'direct', 'query', 'documents', 'import', 'commits', 'records'] as const;
type StageName = (typeof stageNames)[number];

const usage = `Usage: npm run bench -- [--scale small|full] [--only ${stageNames.join('|')}[,…]] [--concurrency N] [--compare FILE] [--out FILE] [--keep]
  --scale        small: 10 k statements ingested, 10 k and 100 k queried, a 20 MB package, 50 learners for 20 s;
                 full (default): 50 k ingested, 100 k and 1 M queried (each fill capped at 7 min), a 200 MB package, 500 learners for 60 s
  --only         ingest: HTTP ingest at 1, 10 and 100 statements per POST, beside the empty-route server and the
                 in-process ceilings; direct: only the in-process ceilings; query: query latency at two store sizes and its growth;
                 documents: state document PUT/GET latency at 4, 10 and 64 KB;
                 import: \`cadet import\` of a generated SCORM 1.2 zip (time, peak RSS) beside \`unzip -q\`;
                 commits: SCORM runtime commits, every learner every 10 s, beside the same writes to the LRS;
                 records: a transcript of 100 registrations and the completion reports over every learner × course
                 (small: 2 k learners × 20 courses; full: 17 k × 80, 1.36 M registrations);
                 several stages: comma-separated (--only import,commits)
  --concurrency  batches in flight during ingest (default 6)
  --compare      an earlier results JSON; adds a column with the change of each figure
  --out          where to write the results (default bench/results/latest.json)
  --keep         keep the temporary data directories (their path is printed)
`;

/** Repository root: this file runs as dist/bench/run.js. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function parseOptions() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'full' },
      only: { type: 'string' },
      concurrency: { type: 'string', default: '6' },
      compare: { type: 'string' },
      out: { type: 'string', default: path.join(repoRoot, 'bench', 'results', 'latest.json') },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const fail = (message: string): never => {
    process.stderr.write(`bench: ${message}\n${usage}`);
    process.exit(2);
  };
  if (!(values.scale in scales)) fail(`--scale must be small or full, got "${values.scale}"`);
  const only = values.only?.split(',').map((name) => name.trim());
  for (const name of only ?? []) if (!stageNames.includes(name as StageName)) fail(`--only takes stages from ${stageNames.join(', ')} (comma-separated), got "${name}"`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) fail(`--concurrency must be an integer from 1 to 64, got "${values.concurrency}"`);
  let earlier: Row[] | undefined;
  if (values.compare !== undefined) {
    try {
      earlier = (JSON.parse(fs.readFileSync(values.compare, 'utf8')) as { rows: Row[] }).rows;
      if (!Array.isArray(earlier)) throw new Error('no rows');
    } catch (error) {
      fail(`--compare ${values.compare}: not a results file (${(error as Error).message})`);
    }
  }
  return { scale: values.scale as Scale, only: only as StageName[] | undefined, concurrency, earlier, compare: values.compare, out: values.out as string, keep: values.keep as boolean };
}

function machine() {
  const cpus = os.cpus();
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  // The 1-minute load average at the start: on a shared 2-core machine, absolute figures move with it (ratios much less).
  return { cores: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), platform: `${os.platform()} ${os.release()}`, node: process.version, commit, loadAverage: Math.round(os.loadavg()[0] * 100) / 100 };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const scale = scales[options.scale];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-bench-'));
  const cleanUp = () => {
    killAllServers();
    if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  const info = machine();
  process.stderr.write(`cadet bench: scale ${options.scale}, ${info.cores} cores (${info.cpu}), node ${info.node}, data in ${workDir}\n`);
  const started = Date.now();
  const rows: Row[] = [];
  let ingest: IngestResults | undefined;
  let query: QueryResult[] | undefined;

  const runs = (stage: StageName) => options.only === undefined || options.only.includes(stage);
  if (runs('ingest') || runs('direct')) {
    const ingestOptions: IngestOptions = { concurrency: options.concurrency, warmupBatches: 10, timeCapMs: 60_000 };
    const batches = makeBatches(scale.ingestStatements + ingestOptions.warmupBatches * 100, 1);
    // HTTP ingest at 1, 10 and 100 statements per POST, each beside the empty-route server fed the same requests
    // by the same client. Warm-up is 1,000 statements at every size; sizes below 100 are capped at 30 s each.
    const httpBySize: IngestResult[] = [];
    const emptyBySize: IngestResult[] = [];
    if (runs('ingest')) {
      for (const size of HTTP_BATCH_SIZES) {
        const sized: IngestOptions = { ...ingestOptions, warmupBatches: Math.ceil(1000 / size), timeCapMs: size < 100 ? 30_000 : 60_000 };
        const list = size === 100 ? batches : makeBatches(scale.ingestStatements + 1000, 1, size);
        emptyBySize.push(await measureHttpIngest(list, workDir, sized, 'empty'));
        httpBySize.push(await measureHttpIngest(list, workDir, sized, 'cadet'));
      }
    }
    // The single-statement path again with commits synced at checkpoints only (SQLITE_SYNCHRONOUS=normal): what
    // the fsync per group commit costs, beside the same empty-route ceiling.
    let relaxed: IngestResult | undefined;
    if (runs('ingest')) {
      const sized: IngestOptions = { ...ingestOptions, warmupBatches: 1000, timeCapMs: 30_000 };
      relaxed = await measureHttpIngest(makeBatches(scale.ingestStatements + 1000, 1, 1), workDir, sized, 'cadet', { SQLITE_SYNCHRONOUS: 'normal' });
    }
    const http = httpBySize.find((result) => result.batchSize === 100);
    const store = await measureStoreIngest(batches, workDir, ingestOptions);
    const raw = measureRawIngest(batches, workDir, ingestOptions);
    ingest = { concurrency: options.concurrency, ...(http && { http }), ...(httpBySize.length > 0 && { httpBySize, emptyBySize }), ...(relaxed && { relaxed }), store, raw };
    rows.push(...ingestRows(ingest));
  }
  if (runs('query')) {
    // Two store sizes (10× apart), each filled by direct insert into the server's data directory; each fill is
    // capped at 7 minutes, and the queries run on whatever was filled (the row labels give the actual size).
    query = [];
    for (const storeSize of scale.query.storeSizes) {
      const queryOptions: QueryOptions = { ...scale.query, storeSize, timeCapMs: 30_000, fillCapMs: 420_000, dirName: `query-${storeSize}` };
      query.push(await measureQueries(workDir, queryOptions));
    }
    rows.push(...queryRowsBySize(query));
  }

  let documents: DocumentResult | undefined;
  if (runs('documents')) {
    documents = await measureDocuments(workDir, { ...scale.documents, timeCapMs: 30_000 });
    rows.push(...documentRows(documents));
  }

  let imports: ImportResult | undefined;
  if (runs('import')) {
    imports = await measureImport(workDir, { ...scale.import, timeCapMs: 600_000 });
    rows.push(...importRows(imports));
  }

  let commits: CommitResult | undefined;
  if (runs('commits')) {
    commits = await measureCommits(workDir, scale.commits);
    rows.push(...commitRows(commits));
  }

  let records: RecordsResult | undefined;
  if (runs('records')) {
    records = await measureRecords(workDir, scale.records);
    rows.push(...recordsRows(records));
  }

  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`done in ${seconds.toFixed(0)} s\n\n`);
  process.stdout.write(`cadet bench, scale ${options.scale}, ${info.cores} cores, node ${info.node}${info.commit ? `, commit ${info.commit}` : ''}, load average ${info.loadAverage} at start, ${os.loadavg()[0].toFixed(2)} at end\n\n`);
  process.stdout.write(`${formatTable(rows, options.earlier && compareRows(rows, options.earlier))}\n\n${ratioNote}\n`);
  if (options.compare) process.stdout.write(`\n(vs earlier: ${options.compare})\n`);

  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  const results = { format: 2, date: new Date(started).toISOString(), seconds, scale: options.scale, only: options.only?.join(',') ?? null, concurrency: options.concurrency, machine: info, rows, ingest, query, documents, import: imports, commits, records };
  fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`results written to ${path.relative(process.cwd(), options.out) || options.out}\n`);
  if (options.keep) process.stderr.write(`data kept in ${workDir}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllServers();
  process.exitCode = 1;
});
