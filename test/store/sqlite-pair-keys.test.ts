/**
 * The SQLite store's agent+verb pair keys (store/sqlite/statements.ts): a database written before they existed
 * gets them from migration lrs v4, and its agent+verb queries answer what the two keys answer together.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { actorIdentity, keyOf } from '../../src/lrs/statements/statement-keys.js';
import { withPairKey } from '../../src/store/sqlite/statements.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { actors, batches, verbs } from '../contract/statement-fixtures.js';

t.test('a filter with one agent and one verb is read through their pair; other filters are left alone', async (t) => {
  const agent = keyOf.agent('Agent|mbox|mailto:a@x.example');
  const verb = keyOf.verb('http://adlnet.gov/expapi/verbs/passed');
  const registration = keyOf.registration('5b5cb1b2-0c3c-4a39-8e8e-1d5b5f0c0a11');
  t.same(withPairKey([verb, agent]), ['av|Agent|mbox|mailto:a@x.example|http://adlnet.gov/expapi/verbs/passed']);
  t.same(withPairKey([registration, agent, verb]), ['av|Agent|mbox|mailto:a@x.example|http://adlnet.gov/expapi/verbs/passed', registration]);
  t.same(withPairKey([agent, registration]), [agent, registration], 'no verb');
  const related = keyOf.relatedAgent('Agent|mbox|mailto:a@x.example');
  t.same(withPairKey([related, verb]), [related, verb], 'related_agents has no pairs');
});

t.test('migration lrs v4 gives a database written before it the pairs its statements need', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-pairs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let store = createSqliteStore(dir);
  for (const batch of batches) await store.statements.insert(batch);
  const through = await store.statements.latestSequence();
  const alice = keyOf.agent(actorIdentity(actors.alice as never)!);
  const query = async (keys: string[]) => (await store.statements.query({ keys, ascending: false, limit: 100, throughSequence: through })).statements.map((s) => s.id);
  const before = await Promise.all(Object.values(verbs).map((verb) => query([alice, keyOf.verb(verb)])));
  t.ok(before.some((ids) => ids.length > 0), 'alice has statements with some verbs');
  await store.close();

  // As the database was before v4: no pair keys, v4 not recorded.
  const db = new Database(path.join(dir, 'cadet.sqlite'));
  const removed = db.prepare("DELETE FROM statement_keys WHERE key >= 'av|' AND key < 'av}'").run().changes;
  db.prepare("DELETE FROM schema_migrations WHERE scope = 'lrs' AND version = 4").run();
  db.close();
  t.ok(removed > 0, `${removed} pair keys removed`);

  store = createSqliteStore(dir);
  t.teardown(() => store.close());
  const after = await Promise.all(Object.values(verbs).map((verb) => query([alice, keyOf.verb(verb)])));
  t.same(after, before, 'the same answers, from the pairs the migration wrote');
  const check = new Database(path.join(dir, 'cadet.sqlite'), { readonly: true });
  t.equal((check.prepare("SELECT COUNT(*) AS n FROM statement_keys WHERE key >= 'av|' AND key < 'av}'").get() as { n: number }).n, removed, 'every pair is back');
  check.close();
});
