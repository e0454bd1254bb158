/**
 * The adapters every contract suite runs against (STYLE.md §2: an adapter CI does not run does not exist):
 * - sqlite: always, on a temporary directory;
 * - mongodb stand-in: always, the MongoDB adapter's own code over an in-memory stand-in of the driver
 *   evaluated by mingo (test/store/mongo/in-memory-mongo.ts) — proves the adapter's logic, not the server;
 * - mongodb: a real server when MONGODB_URI is set (a fresh database per store, dropped at teardown);
 *   otherwise reported as skipped with the reason.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { MongoClient } from 'mongodb';
import { createMongoStore } from '../../src/store/mongo/index.js';
import { clientOptions } from '../../src/store/mongo/database.js';
import type { Store } from '../../src/store/ports.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { InMemoryMongoClient } from '../store/mongo/in-memory-mongo.js';

export interface Target {
  readonly name: string;
  /** Why it does not run here; undefined when it runs. */
  readonly skip?: string;
  /** What it cannot do (a contract test checks `lacks` and skips itself with the reason). */
  readonly lacks?: Readonly<Record<string, string>>;
  open(t: Test): Promise<Store>;
}

const sqlite: Target = {
  name: 'sqlite',
  async open(t) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-contract-'));
    const store = createSqliteStore(dir);
    t.teardown(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return store;
  },
};

const mongoStandIn: Target = {
  name: 'mongodb adapter on the in-memory stand-in',
  lacks: { concurrency: 'the stand-in serialises transactions; real write conflicts need a server (runs with MONGODB_URI)' },
  async open(t) {
    const client = new InMemoryMongoClient();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-contract-staging-'));
    const store = createMongoStore(client.asDriverClient(), 'cadet_contract', { stagingDirectory: dir });
    await store.prepare();
    t.teardown(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return store;
  },
};

const uri = process.env.MONGODB_URI;

const mongoServer: Target = {
  name: 'mongodb server',
  ...(!uri && { skip: 'MONGODB_URI is not set: no MongoDB server in this run (MONGODB_URI=mongodb://localhost:27017 npx tap test/contract)' }),
  async open(t) {
    const database = `cadet_contract_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const client = new MongoClient(uri as string, clientOptions(10_000));
    await client.connect();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-contract-staging-'));
    const store = createMongoStore(client, database, { stagingDirectory: dir });
    await store.prepare();
    t.teardown(async () => {
      // Drop with a client of our own: the store's is closed by then.
      const admin = new MongoClient(uri as string, clientOptions(10_000));
      await admin.connect();
      await admin.db(database).dropDatabase();
      await admin.close();
      await store.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return store;
  },
};

export const targets: readonly Target[] = [sqlite, mongoStandIn, mongoServer];

/**
 * Runs one port's contract against every target, each as a subtest named after it.
 * `body` gets `open()` (a fresh, empty store per call) and the target (for `lacks`).
 */
export function contract(port: string, body: (t: Test, open: () => Promise<Store>, target: Target) => Promise<void>): void {
  for (const target of targets) {
    const name = `${port} on ${target.name}`;
    if (target.skip) t.test(name, { skip: target.skip }, async () => {});
    else t.test(name, (t) => body(t, () => target.open(t), target));
  }
}
