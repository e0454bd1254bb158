import { addCredential, startServer } from './server-process.js';
import { createHttpClient } from './http-client.js';
import { elapsedMs, progress, summarize, type LatencySummary } from './measure.js';

/** State documents as content keeps them (suspend data, bookmarks, LMS.LaunchData): PUT then GET, per size. */
export interface DocumentSizeResult {
  readonly bytes: number;
  readonly put: LatencySummary;
  readonly get: LatencySummary;
}

export interface DocumentResult {
  readonly sizes: readonly DocumentSizeResult[];
  readonly peakRssBytes: number | null;
}

export interface DocumentOptions {
  readonly sizes: readonly number[];
  readonly requestsPerSize: number;
  readonly timeCapMs: number;
}

/** A JSON document of about `bytes` bytes, like a SCORM suspend_data blob wrapped by content. */
function documentOf(bytes: number, seed: number): string {
  const filler = 'x'.repeat(Math.max(0, bytes - 60));
  return JSON.stringify({ seed, bookmark: `page-${seed % 40}`, suspend_data: filler });
}

export async function measureDocuments(workDir: string, options: DocumentOptions): Promise<DocumentResult> {
  const dataDir = `${workDir}/documents`;
  const credential = await addCredential(dataDir);
  const server = await startServer(dataDir);
  const auth = `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`;
  const client = createHttpClient(server.baseUrl, { Authorization: auth, 'X-Experience-API-Version': '1.0.3' }, 1);
  const sizes: DocumentSizeResult[] = [];
  try {
    for (const bytes of options.sizes) {
      const line = progress(`documents ${bytes / 1024} KB`);
      const puts: number[] = [];
      const gets: number[] = [];
      const deadline = Date.now() + options.timeCapMs;
      for (let i = 0; i < options.requestsPerSize && Date.now() < deadline; i++) {
        // A few hundred learners, each with its own state document, rewritten as they progress.
        const agent = encodeURIComponent(JSON.stringify({ mbox: `mailto:learner${i % 200}@bench.example` }));
        const path = `/xapi/activities/state?activityId=${encodeURIComponent('https://bench.example/course/sco-1')}&agent=${agent}&stateId=suspend-${bytes}`;
        let start = process.hrtime.bigint();
        const put = await client.put(path, documentOf(bytes, i)).catch((error) => Promise.reject(server.explain(error)));
        puts.push(elapsedMs(start));
        if (put.status !== 204) throw new Error(`PUT ${path} answered ${put.status}: ${put.body.slice(0, 200)}`);
        start = process.hrtime.bigint();
        const got = await client.get(path).catch((error) => Promise.reject(server.explain(error)));
        gets.push(elapsedMs(start));
        if (got.status !== 200 || got.body.length < bytes - 100) throw new Error(`GET ${path} answered ${got.status} with ${got.body.length} bytes`);
        line.update(`${i + 1}/${options.requestsPerSize}`);
      }
      const result = { bytes, put: summarize(puts), get: summarize(gets) };
      line.done(`PUT p50 ${result.put.p50Ms} ms p99 ${result.put.p99Ms} ms; GET p50 ${result.get.p50Ms} ms p99 ${result.get.p99Ms} ms`);
      sizes.push(result);
    }
    return { sizes, peakRssBytes: server.memory()?.peakBytes ?? null };
  } finally {
    client.close();
    await server.stop();
  }
}
