/** Small helpers shared by the stages: latency summaries, progress lines, bounded loops. */

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Nearest-rank percentiles: with 500 samples, p99 is the 5th slowest, not an interpolation. */
export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    count: sorted.length,
    meanMs: round(sorted.reduce((sum, ms) => sum + ms, 0) / (sorted.length || 1)),
    p50Ms: round(at(50)),
    p90Ms: round(at(90)),
    p99Ms: round(at(99)),
    maxMs: round(sorted.at(-1) ?? NaN),
  };
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * One progress line on stderr, rewritten in place on a terminal (at most every 250 ms),
 * printed once at `done` otherwise so logs stay short.
 */
export function progress(label: string) {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(text: string) {
      const now = Date.now();
      if (!tty || now - last < 250) return;
      last = now;
      process.stderr.write(`\r\x1b[K  ${label}: ${text}`);
    },
    done(text: string) {
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}  ${label}: ${text}\n`);
    },
  };
}

export const formatRate = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} st/s`;
export const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);
export const formatMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
