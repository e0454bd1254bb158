import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { agent, statement } from '../fixtures/statements.js';
import {
  addCredential,
  assertBuilt,
  basicAuth,
  createDataDir,
  databaseFile,
  removeDataDir,
  startServer,
  type CliCredential,
  type ServerProcess,
} from '../fixtures/server-process.js';

assertBuilt();

interface Batch {
  readonly ids: string[];
  /** HTTP status, or null when no response came back (the server died or closed the connection first). */
  status: number | null;
  body?: unknown;
}

const xapiHeaders = (credential: CliCredential) => ({
  'X-Experience-API-Version': '1.0.3',
  authorization: basicAuth(credential.key, credential.secret),
});

function newBatch(size: number, learner: string): { batch: Batch; body: object[] } {
  const body = Array.from({ length: size }, () => ({ ...statement({ actor: agent(learner) }), id: randomUUID() }));
  return { batch: { ids: body.map((s) => s.id), status: null }, body };
}

/** POSTs a batch; records the status (and body) if an answer comes back, never throws. */
async function post(server: ServerProcess, credential: CliCredential, size: number, learner: string): Promise<Batch> {
  const { batch, body } = newBatch(size, learner);
  try {
    const res = await fetch(`${server.url}/xapi/statements`, {
      method: 'POST',
      headers: { ...xapiHeaders(credential), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    batch.status = res.status;
    const text = await res.text();
    try {
      batch.body = JSON.parse(text);
    } catch {
      batch.body = text;
    }
  } catch {
    // No answer: the process was killed, or closed the connection while shutting down.
  }
  return batch;
}

/** Which of `ids` the server returns by GET ?statementId= (404 meaning absent; anything else fails the test). */
async function present(t: Test, server: ServerProcess, credential: CliCredential, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const queue = [...ids];
  const unexpected: string[] = [];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const res = await fetch(`${server.url}/xapi/statements?statementId=${id}`, { headers: xapiHeaders(credential) });
      if (res.status === 200) {
        const body = (await res.json()) as { id: string };
        if (body.id === id) found.add(id);
        else unexpected.push(`${id}: got statement ${body.id}`);
      } else {
        await res.body?.cancel();
        if (res.status !== 404) unexpected.push(`${id}: status ${res.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  t.same(unexpected, [], 'every GET answered 200 with the statement or 404');
  return found;
}

/** A batch without an answer may have been committed or not, but never in part (a POST is all or nothing). */
function checkAllOrNothing(t: Test, batches: readonly Batch[], found: ReadonlySet<string>): void {
  const partial = batches
    .filter((b) => b.status === null)
    .filter((b) => {
      const stored = b.ids.filter((id) => found.has(id)).length;
      return stored !== 0 && stored !== b.ids.length;
    });
  t.same(partial.map((b) => b.ids), [], 'no unanswered batch is stored in part');
}

t.test('every statement acknowledged with 200 survives kill -9', async (t) => {
  const dataDir = createDataDir();
  t.teardown(() => removeDataDir(dataDir));
  const credential = await addCredential(dataDir, 'durability', ['all']);
  const acknowledged: string[] = [];
  let server = await startServer({ dataDir });
  t.teardown(() => server.kill9());

  // Round 0: one batch, answered, then killed at once.
  const first = await post(server, credential, 20, 'durable-0');
  t.equal(first.status, 200, 'the first batch is acknowledged');
  t.same(first.body, first.ids, 'the answer lists the ids in order');
  acknowledged.push(...first.ids);
  const killed = await server.kill9();
  t.equal(killed.signal, 'SIGKILL');

  // Rounds 1..3: many batches in flight; killed as soon as a few are acknowledged. Each start checks the
  // previous round: every acknowledged statement is there, and unanswered batches are there whole or not at all.
  let unanswered: Batch[] = [];
  for (let round = 1; round <= 4; round++) {
    server = await startServer({ dataDir });
    const found = await present(t, server, credential, acknowledged);
    t.equal(found.size, acknowledged.length, `start ${round}: all ${acknowledged.length} acknowledged statements are there after kill -9`);
    t.same(acknowledged.filter((id) => !found.has(id)), [], 'none missing');
    checkAllOrNothing(t, unanswered, await present(t, server, credential, unanswered.flatMap((b) => b.ids)));
    if (round === 4) break;

    const batches: Batch[] = [];
    let answered = 0;
    const current = server;
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        const batch = await post(current, credential, 10, `durable-${round}`);
        batches.push(batch);
        if (batch.status === 200 && ++answered === 5) current.child.kill('SIGKILL');
      }),
    );
    const exit = await current.exited;
    t.equal(exit.signal, 'SIGKILL', `round ${round}: killed with requests in flight`);
    const ok = batches.filter((b) => b.status === 200);
    t.ok(ok.length >= 5, `round ${round}: ${ok.length} batches acknowledged before the kill`);
    t.same(batches.filter((b) => b.status !== null && b.status !== 200).map((b) => [b.status, b.body]), [], 'every answer was 200');
    for (const batch of ok) acknowledged.push(...batch.ids);
    unanswered = batches.filter((b) => b.status === null);
  }
  await server.stop();
});

t.test('SIGTERM finishes in-flight requests, exits 0 and leaves a clean database', async (t) => {
  const dataDir = createDataDir();
  t.teardown(() => removeDataDir(dataDir));
  const credential = await addCredential(dataDir, 'shutdown', ['all']);
  const server = await startServer({ dataDir });
  t.teardown(() => server.kill9());

  const batches: Batch[] = [];
  let acknowledged = 0;
  let terminated: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  // Workers keep posting until a request gets no answer (the server has stopped listening or exited).
  const worker = async () => {
    for (let i = 0; i < 200; i++) {
      const batch = await post(server, credential, 25, 'graceful');
      batches.push(batch);
      if (batch.status === 200 && ++acknowledged === 20) terminated = server.stop('SIGTERM');
      if (batch.status === null) return;
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  t.ok(terminated, 'SIGTERM was sent while requests were flowing');
  const exit = await (terminated ?? server.stop('SIGTERM'));
  t.same(exit, { code: 0, signal: null }, 'the process exits 0 by itself');

  const statuses = new Map<number | null, number>();
  for (const batch of batches) statuses.set(batch.status, (statuses.get(batch.status) ?? 0) + 1);
  t.ok((statuses.get(200) ?? 0) >= 20, 'batches were acknowledged');
  const bad = batches.filter((b) => b.status !== null && b.status !== 200 && b.status !== 503);
  t.same(bad.map((b) => [b.status, b.body]), [], 'every answer was 200 or 503');
  for (const refused of batches.filter((b) => b.status === 503)) {
    t.ok(typeof refused.body === 'object' && refused.body !== null, 'a 503 during shutdown is a JSON error, not a cut connection');
  }

  t.notOk(fs.existsSync(`${databaseFile(dataDir)}-wal`) && fs.statSync(`${databaseFile(dataDir)}-wal`).size > 0, 'the WAL was checkpointed on close');
  const db = new Database(databaseFile(dataDir), { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the database is intact');
  const has = db.prepare('SELECT 1 FROM statements WHERE id = ?');
  const stored = (ids: readonly string[]) => ids.filter((id) => has.get(id) !== undefined).length;
  const missing = batches.filter((b) => b.status === 200 && stored(b.ids) !== b.ids.length);
  t.equal(missing.length, 0, 'every acknowledged batch is stored whole');
  const partial = batches.filter((b) => b.status !== 200 && stored(b.ids) !== 0 && stored(b.ids) !== b.ids.length);
  t.equal(partial.length, 0, 'no batch is stored in part');
  const count = (db.prepare('SELECT COUNT(*) AS n FROM statements').get() as { n: number }).n;
  t.ok(count >= acknowledged * 25, `${count} statements stored`);
});

t.test('health and OpenAPI document', async (t) => {
  const server = await startServer();
  t.teardown(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
  });
  const health = await fetch(`${server.url}/health`);
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });

  const docs = await fetch(`${server.url}/docs/json`);
  t.equal(docs.status, 200);
  t.match(String(docs.headers.get('content-type')), /^application\/json/);
  const openapi = (await docs.json()) as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, unknown>> };
  t.match(openapi.openapi, /^3\./);
  t.same(openapi.servers.map((s) => s.url), [server.url], 'the public URL is the server');
  t.ok(openapi.paths['/xapi/statements'], 'lists /xapi/statements');
  t.same(Object.keys(openapi.paths['/xapi/statements']).sort(), ['get', 'post', 'put']);
  t.ok(openapi.paths['/health']?.get, 'lists /health');
  t.ok(openapi.paths['/xapi/about']?.get, 'lists /xapi/about');

  const unauthenticated = await fetch(`${server.url}/xapi/statements`, { headers: { 'X-Experience-API-Version': '1.0.3' } });
  t.equal(unauthenticated.status, 401, 'the LRS needs credentials over real HTTP too');
  await unauthenticated.body?.cancel();
});
