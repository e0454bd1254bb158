/**
 * The MongoDB statement queries, evaluated by mingo, select the same statements in the same order as the
 * SQLite adapter over the same fixture statements: SQLite stores them, its rows become MongoDB documents through
 * the migration mapping, and every filter is answered by both. Then the MongoDB adapter's own insert logic (on
 * the in-memory stand-in) is shown to build exactly those documents: inherited keys, voided flags, sequences.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { find } from 'mingo';
import t from 'tap';
import type { StatementDocument } from '../../../src/store/mongo/documents-model.js';
import { createMongoStore } from '../../../src/store/mongo/index.js';
import { statementDocumentFromRow, type StatementRow } from '../../../src/store/mongo/migration-mapping.js';
import {
  addKeysUpdate,
  sequenceRange,
  statementDocumentOf,
  statementQueryPlan,
  storedStatementProjection,
  toStoredStatement,
  unionOfKeys,
} from '../../../src/store/mongo/statement-queries.js';
import type { StatementFilter, StatementPage } from '../../../src/store/ports.js';
import { createSqliteStore } from '../../../src/store/sqlite/index.js';
import { batches, idOf, namedFilters, statementCount, walkPages } from '../../contract/statement-fixtures.js';
import { InMemoryMongoClient } from './in-memory-mongo.js';

async function sqliteFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-mongo-queries-'));
  const store = createSqliteStore(dir);
  for (const batch of batches) await store.statements.insert(batch);
  const db = new Database(path.join(dir, 'cadet.sqlite'), { readonly: true });
  const keys = new Map<number, string[]>();
  for (const row of db.prepare('SELECT key, seq FROM statement_keys').all() as Array<{ key: string; seq: number }>) {
    keys.set(row.seq, [...(keys.get(row.seq) ?? []), row.key]);
  }
  const documents = (db.prepare('SELECT * FROM statements ORDER BY seq').all() as StatementRow[]).map((row) => statementDocumentFromRow(row, keys.get(row.seq) ?? []));
  db.close();
  return {
    store,
    documents,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the adapter's `find` returns, computed by mingo from the pure plan. */
function mingoQuery(documents: readonly StatementDocument[], filter: StatementFilter): StatementPage {
  const plan = statementQueryPlan(filter);
  if (!plan) return { statements: [], hasMore: false };
  const found = find(documents as StatementDocument[], plan.filter, { ...storedStatementProjection }).sort(plan.sort).limit(plan.limit).all() as StatementDocument[];
  return { statements: found.slice(0, filter.limit).map(toStoredStatement), hasMore: found.length > filter.limit };
}

t.test('every named filter: same statements, same order, same hasMore', async (t) => {
  const fixture = await sqliteFixture();
  t.teardown(() => fixture.close());
  t.equal(fixture.documents.length, statementCount);
  const through = await fixture.store.statements.latestSequence();
  for (const { name, filter } of namedFilters(through)) {
    const sqlite = await fixture.store.statements.query(filter);
    const mongo = mingoQuery(fixture.documents, filter);
    t.same(mongo, sqlite, name);
  }
});

t.test('paging with more: the same pages in both directions, at every page size', async (t) => {
  const fixture = await sqliteFixture();
  t.teardown(() => fixture.close());
  const through = await fixture.store.statements.latestSequence();
  for (const { name, filter } of namedFilters(through)) {
    for (const limit of [1, 2, 5]) {
      const sqlite = await walkPages((f) => fixture.store.statements.query(f), { ...filter, limit });
      const mongo = await walkPages(async (f) => mingoQuery(fixture.documents, f), { ...filter, limit });
      t.same(mongo, sqlite, `${name}, pages of ${limit}`);
    }
  }
  const early = 10;
  const sqlite = await walkPages((f) => fixture.store.statements.query(f), { ...namedFilters(early)[0].filter, limit: 3 });
  const mongo = await walkPages(async (f) => mingoQuery(fixture.documents, f), { ...namedFilters(early)[0].filter, limit: 3 });
  t.same(mongo, sqlite, 'throughSequence fixed by an earlier first page bounds every page');
  t.ok(mongo.flat().every((id) => Number(id.slice(-12)) <= early));
});

t.test('the MongoDB adapter builds the documents SQLite stores: inherited keys, voiding, sequence', async (t) => {
  const fixture = await sqliteFixture();
  t.teardown(() => fixture.close());
  const client = new InMemoryMongoClient();
  const store = createMongoStore(client.asDriverClient(), 'cadet_test');
  await store.prepare();
  for (const batch of batches) await store.statements.insert(batch);
  const stored = client.db('cadet_test').collection('statements').docs as StatementDocument[];
  const normalised = [...stored].sort((a, b) => a.seq - b.seq).map((doc) => ({ ...doc, keys: [...doc.keys].sort() }));
  t.same(normalised, fixture.documents, 'document for document');
  t.equal(await store.statements.latestSequence(), await fixture.store.statements.latestSequence());
  t.ok(client.transactions >= batches.length, 'each batch in a transaction');
});

t.test('query plans', async (t) => {
  const base = { keys: [], ascending: false, limit: 10, throughSequence: 50 } satisfies StatementFilter;
  t.same(statementQueryPlan(base), { filter: { seq: { $gte: 1, $lte: 50 }, voided: false }, sort: { seq: -1 }, limit: 11 }, 'no key: the seq index, limit + 1');
  t.same(statementQueryPlan({ ...base, keys: ['verb|x'] })?.filter.keys, 'verb|x', 'one key: an equality on the multikey array');
  t.same(statementQueryPlan({ ...base, keys: ['verb|x', 'agent|y'] })?.filter.keys, { $all: ['verb|x', 'agent|y'] }, 'several: every one');
  t.same(statementQueryPlan({ ...base, sinceMs: 5, untilMs: 9 })?.filter.storedMs, { $gt: 5, $lte: 9 }, 'since exclusive, until inclusive');
  t.same(statementQueryPlan({ ...base, credentialId: 'c' })?.filter.credentialId, 'c');
  t.same(sequenceRange({ ...base, afterSequence: 20 }), { low: 1, high: 19 }, 'descending: resume below');
  t.same(sequenceRange({ ...base, ascending: true, afterSequence: 20 }), { low: 21, high: 50 }, 'ascending: resume above');
  t.equal(statementQueryPlan({ ...base, ascending: true, afterSequence: 50 }), null, 'nothing after the last: no round trip');
  t.equal(statementQueryPlan({ ...base, throughSequence: 0 }), null, 'empty store');
  t.same(unionOfKeys(['a', 'b'], ['b', 'c']), ['a', 'b', 'c']);
  t.same(addKeysUpdate(['a']), { $addToSet: { keys: { $each: ['a'] } } });
  const doc = statementDocumentOf(batches[0][0], 7, ['ragent|z'], true);
  t.match(doc, { _id: idOf(1), seq: 7, voided: true, isVoiding: false });
  t.ok(doc.keys.includes('ragent|z'));
});
