import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { openDatabase, WriteQueue, type Sqlite } from '../../src/store/sqlite/database.js';

/**
 * The single SQLite writer (STYLE.md §4): writes queued in one event-loop turn share one transaction, each in
 * its own savepoint. Transactions are counted by watching the statements the queue gives the connection.
 */

interface Harness {
  readonly db: Sqlite;
  readonly queue: WriteQueue;
  /** Every SQL text passed to `db.exec`, in order. */
  readonly executed: string[];
  values(): number[];
  insert(value: number): () => number;
}

function harness(t: Test, file = ':memory:'): Harness {
  const db = openDatabase(file);
  t.teardown(() => {
    if (db.open) db.close();
  });
  db.exec('CREATE TABLE items (value INTEGER NOT NULL UNIQUE)');
  const executed: string[] = [];
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    executed.push(sql);
    return exec(sql);
  };
  const insertStatement = db.prepare('INSERT INTO items (value) VALUES (?)');
  return {
    db,
    queue: new WriteQueue(db),
    executed,
    values: () => (db.prepare('SELECT value FROM items ORDER BY value').all() as Array<{ value: number }>).map((r) => r.value),
    insert: (value) => () => Number(insertStatement.run(value).lastInsertRowid),
  };
}

const count = (executed: readonly string[], sql: string) => executed.filter((s) => s === sql).length;

t.test('writes queued in one turn commit together in one transaction', async (t) => {
  const { db, queue, executed, values } = harness(t);
  const insert = db.prepare('INSERT INTO items (value) VALUES (?)');
  const seenInTransaction: boolean[] = [];
  const writes = Array.from({ length: 100 }, (_, i) =>
    queue.run(() => {
      seenInTransaction.push(db.inTransaction);
      insert.run(i);
      return i * 2;
    }),
  );
  t.same(values(), [], 'nothing runs before the turn ends');
  const results = await Promise.all(writes);
  t.same(results, Array.from({ length: 100 }, (_, i) => i * 2), 'each caller gets its own result');
  t.equal(values().length, 100);
  t.same(new Set(seenInTransaction), new Set([true]), 'every write ran inside a transaction');
  t.equal(count(executed, 'BEGIN IMMEDIATE'), 1, 'one transaction');
  t.equal(count(executed, 'COMMIT'), 1, 'one commit');
  t.equal(count(executed, 'SAVEPOINT queued_write'), 100, 'a savepoint each');
  t.notOk(db.inTransaction, 'the transaction is closed');
});

t.test('writes queued in later turns get their own transaction, in order', async (t) => {
  const { queue, executed, values, insert } = harness(t);
  await Promise.all([queue.run(insert(1)), queue.run(insert(2))]);
  await Promise.all([queue.run(insert(3))]);
  const late = queue.run(insert(4));
  await new Promise((resolve) => setImmediate(resolve));
  await late;
  t.same(values(), [1, 2, 3, 4]);
  t.equal(count(executed, 'BEGIN IMMEDIATE'), 3);
  t.equal(count(executed, 'COMMIT'), 3);
});

t.test('a write that throws is rolled back alone; the others commit', async (t) => {
  const { db, queue, values, insert } = harness(t);
  const failure = new Error('this write is wrong');
  const outcomes = await Promise.allSettled([
    queue.run(insert(1)),
    queue.run(() => {
      insert(2)();
      insert(3)();
      throw failure;
    }),
    queue.run(insert(4)),
    queue.run(insert(1)), // UNIQUE violation: a SQLite error, also rolled back alone
    queue.run(insert(5)),
  ]);
  t.same(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
  t.equal((outcomes[1] as PromiseRejectedResult).reason, failure, 'the caller gets its own error');
  t.match((outcomes[3] as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_UNIQUE' });
  t.same(values(), [1, 4, 5], 'the failed writes left nothing, not even their first rows');
  t.notOk(db.inTransaction);
  await queue.run(insert(6));
  t.same(values(), [1, 4, 5, 6], 'the queue still works');
});

t.test('drained() waits for every queued write', async (t) => {
  const { queue, values, insert } = harness(t);
  await queue.drained();
  t.pass('drained() resolves at once when nothing is queued');
  const settled: number[] = [];
  for (let i = 0; i < 20; i++) {
    queue.run(insert(i)).then(
      () => settled.push(i),
      () => settled.push(-1),
    );
  }
  queue.run(() => {
    throw new Error('refused');
  }).catch(() => settled.push(-2));
  t.same(values(), []);
  await queue.drained();
  t.equal(values().length, 20, 'every write is committed when drained() resolves');
  await Promise.resolve();
  t.equal(settled.length, 21, 'and every caller has its answer');
  t.ok(settled.includes(-2));
  t.notOk(settled.includes(-1));
});

t.test('committed writes are visible to another connection on the same file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-queue-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'queue.sqlite');
  const { queue, insert } = harness(t, file);
  const reader = openDatabase(file);
  t.teardown(() => reader.close());
  const countRows = () => (reader.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n;
  const pending = Promise.all([queue.run(insert(1)), queue.run(insert(2)), queue.run(insert(3))]);
  t.equal(countRows(), 0);
  await pending;
  t.equal(countRows(), 3, 'acknowledged means committed');
});

t.test(
  'drained() also waits for a write queued from inside a write',
  async (t) => {
    const { db, queue, values, insert } = harness(t);
    let inner: Promise<number> | undefined;
    void queue.run(() => {
      inner = queue.run(insert(2));
      return insert(1)();
    });
    const drained = queue.drained();
    // Bounded: the bug makes drained() never resolve.
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      drained.then(() => 'drained'),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('never resolved'), 2_000))),
    ]);
    clearTimeout(timer);
    t.equal(outcome, 'drained');
    t.same(values(), [1, 2], 'both writes are committed once drained() resolves');
    await inner;
    t.notOk(db.inTransaction);
  },
);

t.test('SQLITE_SYNCHRONOUS: full unless normal is asked for, in WAL mode either way', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-sync-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // PRAGMA synchronous answers 2 for FULL, 1 for NORMAL.
  for (const [options, expected] of [[{}, 2], [{ synchronous: 'full' }, 2], [{ synchronous: 'normal' }, 1]] as const) {
    const db = openDatabase(path.join(dir, `${expected}-${JSON.stringify(options).length}.sqlite`), options);
    t.equal(db.pragma('synchronous', { simple: true }), expected, `${JSON.stringify(options)}: synchronous ${expected}`);
    t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  }
});
