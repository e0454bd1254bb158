import type { IngestResult } from './ingest.js';
import { formatMb, formatMs, formatRate } from './measure.js';
import { queryKinds, type QueryKind, type QueryResult } from './query.js';
import type { DocumentResult } from './documents.js';
import type { ImportResult } from './import.js';
import type { CommitResult } from './commits.js';
import type { RecordsResult } from './records.js';

/** One line of the table; `value` is the figure as a number, so runs can be compared. */
export interface Row {
  readonly key: string;
  readonly stage: string;
  readonly value: number;
  readonly unit: 'statements/s' | 'ms' | 'bytes' | 'bytes/statement' | 's' | 'commits/s' | 'ratio';
  /** Which direction is an improvement, for `--compare`. */
  readonly better: 'higher' | 'lower';
  readonly figure: string;
  readonly ceiling: string;
  readonly ratio: string;
  readonly goal: string;
  /** null when the row has no goal. */
  readonly met: boolean | null;
}

export interface IngestResults {
  readonly concurrency: number;
  /** HTTP ingest at 100 statements per POST (also in `httpBySize`). */
  readonly http?: IngestResult;
  /** HTTP ingest per batch size (1, 10, 100), and the empty-route server fed the same requests, in the same order. */
  readonly httpBySize?: readonly IngestResult[];
  readonly emptyBySize?: readonly IngestResult[];
  /** Single statements with SQLITE_SYNCHRONOUS=normal (commits synced at checkpoints). */
  readonly relaxed?: IngestResult;
  readonly store: IngestResult;
  readonly raw: IngestResult;
}

/**
 * Goals from the brief: HTTP ingest at batch 100 at least half the direct-insert ceiling; single-statement POSTs at
 * least 60% of the empty-route ceiling; agent+verb queries p99 under 10 ms.
 */
export const goals = { ingestRatio: 0.5, singlePostEmptyRatio: 0.6, agentVerbP99Ms: 10 } as const;

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

export function ingestRows(results: IngestResults): Row[] {
  const { http, store, raw } = results;
  const rows: Row[] = [];
  const bySize = results.httpBySize ?? (http ? [http] : []);
  for (const [index, result] of bySize.entries()) {
    const size = result.batchSize ?? 100;
    const empty = results.emptyBySize?.[index];
    const storeRatio = result.statementsPerSecond / store.statementsPerSecond;
    const emptyRatio = empty ? result.statementsPerSecond / empty.statementsPerSecond : NaN;
    // Batch 100 is judged against the direct insert, a single statement against the empty route (the brief's goals).
    const goal = size === 100 ? `≥ ${percent(goals.ingestRatio)} of store.insert` : size === 1 && empty ? `≥ ${percent(goals.singlePostEmptyRatio)} of empty route` : '—';
    const met = size === 100 ? storeRatio >= goals.ingestRatio : size === 1 && empty ? emptyRatio >= goals.singlePostEmptyRatio : null;
    const p99 = result.batchLatency ? `, p99 ${formatMs(result.batchLatency.p99Ms)}/POST` : '';
    rows.push({
      key: size === 100 ? 'ingest.http' : `ingest.http.batch${size}`,
      stage: `ingest: HTTP POST, ${size}/batch, ${results.concurrency} in flight`,
      value: Math.round(result.statementsPerSecond),
      unit: 'statements/s',
      better: 'higher',
      figure: `${formatRate(result.statementsPerSecond)}${p99}`,
      ceiling: `${formatRate(store.statementsPerSecond)} (store.insert)${empty ? ` · ${formatRate(empty.statementsPerSecond)} (empty route)` : ''}`,
      ratio: `${percent(storeRatio)}${empty ? ` · ${percent(emptyRatio)}` : ''}`,
      goal,
      met,
    });
  }
  const singleEmpty = results.emptyBySize?.find((result) => result.batchSize === 1);
  if (results.relaxed && singleEmpty) {
    const ratio = results.relaxed.statementsPerSecond / singleEmpty.statementsPerSecond;
    rows.push({
      key: 'ingest.http.batch1.normal',
      stage: `ingest: HTTP POST, 1/batch, ${results.concurrency} in flight, SQLITE_SYNCHRONOUS=normal`,
      value: Math.round(results.relaxed.statementsPerSecond),
      unit: 'statements/s',
      better: 'higher',
      figure: `${formatRate(results.relaxed.statementsPerSecond)}${results.relaxed.batchLatency ? `, p99 ${formatMs(results.relaxed.batchLatency.p99Ms)}/POST` : ''}`,
      ceiling: `${formatRate(singleEmpty.statementsPerSecond)} (empty route)`,
      ratio: percent(ratio),
      goal: `≥ ${percent(goals.singlePostEmptyRatio)} of empty route`,
      met: ratio >= goals.singlePostEmptyRatio,
    });
  }
  rows.push(
    {
      key: 'ingest.store',
      stage: 'ingest: normalise + store.insert, in-process',
      value: Math.round(store.statementsPerSecond),
      unit: 'statements/s',
      better: 'higher',
      figure: formatRate(store.statementsPerSecond),
      ceiling: `${formatRate(raw.statementsPerSecond)} (raw INSERTs)`,
      ratio: percent(store.statementsPerSecond / raw.statementsPerSecond),
      goal: '—',
      met: null,
    },
    {
      key: 'ingest.raw',
      stage: 'ingest: normalise + raw better-sqlite3 INSERTs',
      value: Math.round(raw.statementsPerSecond),
      unit: 'statements/s',
      better: 'higher',
      figure: formatRate(raw.statementsPerSecond),
      ceiling: '—',
      ratio: '—',
      goal: '—',
      met: null,
    },
  );
  const peaks = bySize.filter((result) => result.serverPeakRssBytes !== undefined);
  if (peaks.length > 0) {
    const peak = Math.max(...peaks.map((result) => result.serverPeakRssBytes as number));
    const idle = peaks.find((result) => result.serverIdleRssBytes !== undefined)?.serverIdleRssBytes;
    const emptyPeak = Math.max(...(results.emptyBySize ?? []).map((result) => result.serverPeakRssBytes ?? 0));
    rows.push({
      key: 'memory.ingest',
      stage: `memory: server peak RSS, ingest (${peaks.map((result) => `${result.batchSize ?? 100}/batch ${formatMb(result.serverPeakRssBytes as number)}`).join(', ')})`,
      value: peak,
      unit: 'bytes',
      better: 'lower',
      figure: formatMb(peak),
      ceiling: [idle !== undefined ? `${formatMb(idle)} (idle)` : '', emptyPeak > 0 ? `${formatMb(emptyPeak)} (empty route)` : ''].filter(Boolean).join(' · ') || '—',
      ratio: '—',
      goal: '—',
      met: null,
    });
  }
  return rows;
}

const kindLabels: Record<QueryKind, string> = {
  agentVerb: 'agent+verb',
  agentVerbBusy: 'agent+verb (busy)',
  agent: 'agent',
  activity: 'activity',
  registration: 'registration',
  since: 'since',
};

const sizeLabel = (n: number) => (n >= 1_000_000 && n % 100_000 === 0 ? `${n / 1_000_000} M` : n >= 1000 ? `${Math.round(n / 1000)} k` : String(n));

/**
 * Query rows for each store size (the smallest keeps the historic keys, `query.<kind>.p99`; larger ones are keyed
 * `query.large.<kind>.p99`), then how agent+verb p99 grows from the smallest store to the largest.
 *
 * Judging the growth: an indexed lookup costs O(log N) in the B-tree, so going from N1 to N2 statements should
 * multiply latency by about log(N2)/log(N1) (×1.2 for 100 k → 1 M; ×1.25 for 10 k → 100 k), against ×N2/N1 (×10)
 * if it were linear. The goal is met when p99 grows by at most twice the logarithmic factor: a loaded 2-core
 * machine moves p99 by tens of percent between runs, and anything under it is still far from linear.
 */
export function queryRowsBySize(results: readonly QueryResult[]): Row[] {
  const rows = results.flatMap((result, index) => queryRows(result, index === 0 ? 'query' : 'query.large'));
  if (results.length >= 2) {
    const small = results[0];
    const large = results[results.length - 1];
    const growth = large.kinds.agentVerb.http.p99Ms / small.kinds.agentVerb.http.p99Ms;
    const logFactor = Math.log(large.storeSize) / Math.log(small.storeSize);
    const limit = 2 * logFactor;
    const inProcessGrowth = large.kinds.agentVerb.inProcess.p99Ms / small.kinds.agentVerb.inProcess.p99Ms;
    rows.push({
      key: 'query.growth.agentVerb.p99',
      stage: `query growth: agent+verb p99 at ${sizeLabel(large.storeSize)} / at ${sizeLabel(small.storeSize)} (×${(large.storeSize / small.storeSize).toFixed(1)} statements)`,
      value: Math.round(growth * 100) / 100,
      unit: 'ratio',
      better: 'lower',
      figure: `×${growth.toFixed(2)} (p50 ×${(large.kinds.agentVerb.http.p50Ms / small.kinds.agentVerb.http.p50Ms).toFixed(2)})`,
      ceiling: `×${inProcessGrowth.toFixed(2)} (in-process) · log ×${logFactor.toFixed(2)} · linear ×${(large.storeSize / small.storeSize).toFixed(1)}`,
      ratio: '—',
      goal: `≤ ×${limit.toFixed(2)} (2 × log factor)`,
      met: growth <= limit,
    });
  }
  return rows;
}

export function queryRows(results: QueryResult, keyPrefix = 'query'): Row[] {
  const size = `${sizeLabel(results.storeSize)} st`;
  const rows: Row[] = queryKinds.map((kind) => {
    const { http, inProcess, meanStatements, maxStatements } = results.kinds[kind];
    const hasGoal = kind === 'agentVerb';
    return {
      key: `${keyPrefix}.${kind}.p99`,
      stage: `query ${size}: by ${kindLabels[kind]} (${http.count} req, ${meanStatements} st avg, ${maxStatements} max)`,
      value: http.p99Ms,
      unit: 'ms',
      better: 'lower',
      figure: `p50 ${formatMs(http.p50Ms)} · p99 ${formatMs(http.p99Ms)}`,
      ceiling: `p50 ${formatMs(inProcess.p50Ms)} · p99 ${formatMs(inProcess.p99Ms)} (in-process)`,
      // For latencies the ratio reads "how much of the time is the query itself" (ceiling / figure, at p50).
      ratio: percent(inProcess.p50Ms / http.p50Ms),
      goal: hasGoal ? `p99 < ${goals.agentVerbP99Ms} ms` : '—',
      met: hasGoal ? http.p99Ms < goals.agentVerbP99Ms : null,
    };
  });
  const paging = results.paging;
  rows.push({
    key: `${keyPrefix}.paging.total`,
    stage: `query ${size}: more to the end, 1 agent (${paging.agentStatements} st, limit ${paging.pageLimit})`,
    value: paging.totalMs,
    unit: 'ms',
    better: 'lower',
    figure: `${paging.pages} pages in ${formatMs(paging.totalMs)} (p99 ${formatMs(paging.perPage.p99Ms)}/page)`,
    ceiling: `${formatMs(paging.inProcessTotalMs)} (in-process)`,
    ratio: percent(paging.inProcessTotalMs / paging.totalMs),
    goal: 'all statements, once',
    met: paging.complete,
  });
  rows.push({
    key: keyPrefix === 'query' ? 'disk.perStatement' : 'disk.large.perStatement',
    stage: `disk: database file per statement, ${size} (filled in ${results.fillSeconds.toFixed(0)} s)`,
    value: results.diskBytesPerStatement,
    unit: 'bytes/statement',
    better: 'lower',
    figure: `${(results.diskBytesPerStatement / 1024).toFixed(2)} KB`,
    ceiling: '—',
    ratio: '—',
    goal: '—',
    met: null,
  });
  if (results.serverPeakRssBytes !== undefined) {
    rows.push({
      key: keyPrefix === 'query' ? 'memory.query' : 'memory.large.query',
      stage: `memory: server peak RSS, queries on ${results.storeSize.toLocaleString('en-US')} st`,
      value: results.serverPeakRssBytes,
      unit: 'bytes',
      better: 'lower',
      figure: formatMb(results.serverPeakRssBytes),
      ceiling: results.serverIdleRssBytes !== undefined ? `${formatMb(results.serverIdleRssBytes)} (idle)` : '—',
      ratio: '—',
      goal: '—',
      met: null,
    });
  }
  return rows;
}

/** Change of each row against an earlier run, by key; '' for rows the earlier run did not have. */
export function compareRows(rows: readonly Row[], earlier: readonly Row[]): Map<string, string> {
  const before = new Map(earlier.map((row) => [row.key, row]));
  const changes = new Map<string, string>();
  for (const row of rows) {
    const old = before.get(row.key);
    if (!old || old.value === 0) continue;
    const change = (row.value - old.value) / old.value;
    const improved = row.better === 'higher' ? change > 0 : change < 0;
    const sign = change >= 0 ? '+' : '−';
    changes.set(row.key, `${sign}${Math.abs(change * 100).toFixed(1)}% ${Math.abs(change) < 0.03 ? '(same)' : improved ? '(better)' : '(worse)'}`);
  }
  return changes;
}

/** A plain-text table, columns padded to their widest cell. */
export function formatTable(rows: readonly Row[], changes?: Map<string, string>): string {
  const header = ['stage', 'figure', 'ceiling', 'ratio', 'goal', 'met?', ...(changes ? ['vs earlier'] : [])];
  const cells = rows.map((row) => [
    row.stage,
    row.figure,
    row.ceiling,
    row.ratio,
    row.goal,
    row.met === null ? '—' : row.met ? 'yes' : 'NO',
    ...(changes ? [changes.get(row.key) ?? ''] : []),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const format = (line: readonly string[]) => line.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(format)].join('\n');
}

/** What the ratio column means, printed under the table. */
export const ratioNote =
  'ratio: throughput figure / ceiling (HTTP ingest: / store.insert · / empty route at the same batch size); for queries, in-process p50 / HTTP p50 (the share of the time spent in the service and store);\n' +
  'for import, unzip time / import time; for commits, LRS-write p50 / commit p50 and LRS-write CPU / commit CPU (the share that storing the data alone needs).';

/** State document PUT and GET latency per document size; no ceiling yet, figures for comparison between runs. */
export function documentRows(results: DocumentResult): Row[] {
  const rows: Row[] = results.sizes.flatMap((size) =>
    (['put', 'get'] as const).map((method): Row => ({
      key: `documents.${size.bytes}.${method}.p99`,
      stage: `documents: state ${method.toUpperCase()} ${size.bytes / 1024} KB (${size[method].count} req)`,
      value: size[method].p99Ms,
      unit: 'ms',
      better: 'lower',
      figure: `p50 ${formatMs(size[method].p50Ms)} · p99 ${formatMs(size[method].p99Ms)}`,
      ceiling: '—',
      ratio: '—',
      goal: '—',
      met: null,
    })),
  );
  if (results.peakRssBytes !== null) {
    rows.push({ key: 'memory.documents', stage: 'memory: server peak RSS, documents', value: results.peakRssBytes, unit: 'bytes', better: 'lower', figure: formatMb(results.peakRssBytes), ceiling: '—', ratio: '—', goal: '—', met: null });
  }
  return rows;
}

/**
 * Importing a large package with the CLI: its wall time beside `unzip -q` of the same zip (ratio: the share of the
 * import that unpacking alone needs), and its peak RSS against the brief's goal (package size + 100 MB).
 */
export function importRows(result: ImportResult): Row[] {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const rows: Row[] = [
    {
      key: 'import.seconds',
      stage: `import: cadet import, ${mb(result.zipBytes)} SCORM 1.2 zip (${result.entries.toLocaleString('en-US')} files)`,
      value: Math.round(result.import.seconds * 1000) / 1000,
      unit: 's',
      better: 'lower',
      figure: `${result.import.seconds.toFixed(2)} s (${(result.zipBytes / 1024 / 1024 / result.import.seconds).toFixed(0)} MB/s)`,
      ceiling: `${result.ceiling.seconds.toFixed(2)} s (${result.ceiling.tool}; a ${(result.floor.zipBytes / 1024).toFixed(0)} KB zip: ${result.floor.seconds.toFixed(2)} s)`,
      ratio: percent(result.ceiling.seconds / result.import.seconds),
      goal: '—',
      met: null,
    },
  ];
  if (result.import.peakRssBytes !== null) {
    rows.push({
      key: 'memory.import',
      stage: `memory: cadet import peak RSS (${result.import.peakFrom})`,
      value: result.import.peakRssBytes,
      unit: 'bytes',
      better: 'lower',
      figure: formatMb(result.import.peakRssBytes),
      // No ceiling for memory: the floor is the same command on a tiny zip (process start-up and baseline heap).
      ceiling: result.floor.peakRssBytes !== null ? `${formatMb(result.floor.peakRssBytes)} (floor: ${(result.floor.zipBytes / 1024).toFixed(0)} KB zip)` : '—',
      ratio: '—',
      goal: `< ${formatMb(result.goalBytes)} (zip + 100 MB)`,
      met: result.import.peakRssBytes < result.goalBytes,
    });
  }
  return rows;
}

/**
 * Runtime commits under a classroom's load, beside the same data written through the plain LRS endpoints at the
 * same schedule (ratio: ceiling p50 / commit p50, and ceiling CPU / commit CPU: the share of a commit's cost that
 * storing its data alone needs).
 */
export function commitRows(result: CommitResult): Row[] {
  const { commits, ceiling } = result;
  const load = `${result.learners} learners every ${result.periodMs / 1000} s`;
  const rows: Row[] = [
    {
      key: 'commits.p99',
      stage: `commits: SCORM 1.2, ${load} (${commits.count.toLocaleString('en-US')}, ${(result.meanBodyBytes / 1024).toFixed(1)} KB avg)`,
      value: commits.latency.p99Ms,
      unit: 'ms',
      better: 'lower',
      figure: `p50 ${formatMs(commits.latency.p50Ms)} · p99 ${formatMs(commits.latency.p99Ms)}`,
      ceiling: `p50 ${formatMs(ceiling.latency.p50Ms)} · p99 ${formatMs(ceiling.latency.p99Ms)} (LRS writes, same data)`,
      ratio: percent(ceiling.latency.p50Ms / commits.latency.p50Ms),
      goal: '—',
      met: null,
    },
    {
      key: 'commits.rate',
      stage: `commits: achieved rate, ${load}`,
      value: Math.round(commits.perSecond * 10) / 10,
      unit: 'commits/s',
      better: 'higher',
      figure: `${commits.perSecond.toFixed(1)} commits/s (latest start +${commits.maxLateMs} ms)`,
      ceiling: `${result.offeredPerSecond.toFixed(1)}/s offered`,
      ratio: percent(commits.perSecond / result.offeredPerSecond),
      goal: '—',
      met: null,
    },
  ];
  if (commits.serverCpuMsPerRequest !== null && ceiling.serverCpuMsPerRequest !== null) {
    rows.push({
      key: 'commits.cpuPerCommit',
      stage: `commits: server CPU per commit (${result.statements.toLocaleString('en-US')} statements made)`,
      value: commits.serverCpuMsPerRequest,
      unit: 'ms',
      better: 'lower',
      figure: formatMs(commits.serverCpuMsPerRequest),
      ceiling: `${formatMs(ceiling.serverCpuMsPerRequest)} (per LRS write)`,
      ratio: percent(ceiling.serverCpuMsPerRequest / commits.serverCpuMsPerRequest),
      goal: '—',
      met: null,
    });
  }
  if (commits.serverPeakRssBytes !== null) {
    rows.push({
      key: 'memory.commits',
      stage: `memory: server peak RSS, commits (${commits.peakScope === 'window' ? 'during the window' : 'whole run'})`,
      value: commits.serverPeakRssBytes,
      unit: 'bytes',
      better: 'lower',
      figure: formatMb(commits.serverPeakRssBytes),
      ceiling: ceiling.serverPeakRssBytes !== null ? `${formatMb(ceiling.serverPeakRssBytes)} (LRS writes)` : '—',
      ratio: '—',
      goal: '—',
      met: null,
    });
  }
  return rows;
}

/** Goals from the records brief: a transcript of 100 registrations under 50 ms, the completion report under 1 s at full scale. */
export const recordsGoals = { transcriptMs: 50, reportMs: 1000 } as const;

/**
 * The transcript and the course completion report at an academy's scale. The ceiling of a report is the store's
 * query in-process on the same file (ratio: the share of the HTTP answer's time the query alone needs). Goals are
 * judged on the slowest request (p99; with a handful of report requests, the maximum).
 */
export function recordsRows(result: RecordsResult): Row[] {
  const scale = `${result.learners.toLocaleString('en-US')} learners × ${result.courses} courses, ${result.registrations.toLocaleString('en-US')} registrations`;
  const reportRow = (key: string, name: string, report: RecordsResult['completions']['http'], inProcess: RecordsResult['completions']['http'], what: string): Row => ({
    key,
    stage: `records: ${name} report, ${scale} (${what})`,
    value: report.p99Ms,
    unit: 'ms',
    better: 'lower',
    figure: `p50 ${formatMs(report.p50Ms)} · max ${formatMs(report.maxMs)} (${report.count} req)`,
    ceiling: `p50 ${formatMs(inProcess.p50Ms)} (store query in-process)`,
    ratio: percent(inProcess.p50Ms / report.p50Ms),
    goal: `< ${recordsGoals.reportMs} ms`,
    met: report.p99Ms < recordsGoals.reportMs,
  });
  const rows: Row[] = [
    {
      key: 'records.transcript',
      stage: `records: transcript JSON, learner with ${result.transcriptRegistrations} registrations (store: ${scale})`,
      value: result.transcript.p99Ms,
      unit: 'ms',
      better: 'lower',
      figure: `p50 ${formatMs(result.transcript.p50Ms)} · p99 ${formatMs(result.transcript.p99Ms)}`,
      ceiling: '—',
      ratio: '—',
      goal: `p99 < ${recordsGoals.transcriptMs} ms`,
      met: result.transcript.p99Ms < recordsGoals.transcriptMs,
    },
    {
      key: 'records.transcriptCsv',
      stage: `records: transcript CSV, same learner`,
      value: result.transcriptCsv.p99Ms,
      unit: 'ms',
      better: 'lower',
      figure: `p50 ${formatMs(result.transcriptCsv.p50Ms)} · p99 ${formatMs(result.transcriptCsv.p99Ms)}`,
      ceiling: '—',
      ratio: '—',
      goal: '—',
      met: null,
    },
    {
      key: 'records.firstReport',
      stage: 'records: first completions report after the server starts (loads the reports\' facts)',
      value: Math.round(result.firstReportMs),
      unit: 'ms',
      better: 'lower',
      figure: formatMs(result.firstReportMs),
      ceiling: '—',
      ratio: '—',
      goal: '—',
      met: null,
    },
    reportRow('records.completions', 'completions', result.completions.http, result.completions.inProcess, `${result.completions.completed.toLocaleString('en-US')} completed`),
    reportRow('records.funnel', 'funnel', result.funnel.http, result.funnel.inProcess, `${result.funnel.enrolled.toLocaleString('en-US')} enrolled`),
  ];
  if (result.serverPeakRssBytes !== null) {
    rows.push({
      key: 'memory.records',
      stage: 'memory: server peak RSS, records',
      value: result.serverPeakRssBytes,
      unit: 'bytes',
      better: 'lower',
      figure: formatMb(result.serverPeakRssBytes),
      ceiling: '—',
      ratio: '—',
      goal: '—',
      met: null,
    });
  }
  return rows;
}
