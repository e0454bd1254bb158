/** StatementStore contract (src/store/ports.ts), run against every adapter. */
import { keyOf, actorIdentity } from '../../src/lrs/statements/statement-keys.js';
import type { StatementFilter, Store } from '../../src/store/ports.js';
import { AppError } from '../../src/errors.js';
import { actors, batches, idOf, namedFilters, recordOf, registrations, statementCount, T0, verbs, walkPages } from './statement-fixtures.js';
import { contract } from './targets.js';

async function loaded(open: () => Promise<Store>): Promise<Store> {
  const store = await open();
  for (const batch of batches) await store.statements.insert(batch);
  return store;
}

const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((row) => row.id);
const n = (...numbers: number[]) => numbers.map(idOf);
const all = (throughSequence: number, extra: Partial<StatementFilter> = {}): StatementFilter => ({ keys: [], ascending: false, limit: 100, throughSequence, ...extra });

contract('statements', async (t, open) => {
  t.test('a batch is stored in order with increasing sequences; the latest sequence follows', async (t) => {
    const store = await open();
    t.equal(await store.statements.latestSequence(), 0, 'empty store');
    const outcomes = [];
    for (const batch of batches) outcomes.push(await store.statements.insert(batch));
    t.same(outcomes.flatMap((o) => o.inserted), batches.flat().map((r) => r.id), 'every id reported inserted');
    t.equal(await store.statements.latestSequence(), statementCount);
    const sequences = [];
    for (const record of batches.flat()) sequences.push((await store.statements.get(record.id))!.sequence);
    t.same(sequences, [...sequences].sort((a, b) => a - b), 'sequence grows in insertion order');
    t.equal(new Set(sequences).size, sequences.length, 'distinct');
    const first = await store.statements.get(idOf(1));
    t.match(first, { id: idOf(1), storedMs: T0, voided: false, isVoiding: false, credentialId: 'cred-a' });
    t.equal(first!.body, batches[0][0].body, 'body byte for byte');
    t.equal(await store.statements.get(idOf(999)), null);
  });

  t.test('same id and content: a no-op; other content: the whole batch is refused', async (t) => {
    const store = await loaded(open);
    const latest = await store.statements.latestSequence();
    t.same(await store.statements.insert(batches[0]), { inserted: [] });
    t.equal(await store.statements.latestSequence(), latest, 'nothing written');
    const fresh = recordOf({ n: 500, statement: { actor: actors.carol, verb: { id: verbs.completed }, object: { id: 'https://academy.example/x' } } as never, credential: null }, T0 + 60_000);
    const changed = { ...batches[0][1], fingerprint: 'different', body: batches[0][1].body.replace('passed', 'failed') };
    const error = await store.statements.insert([fresh, changed]).catch((e: unknown) => e);
    t.ok(error instanceof AppError && error.kind === 'conflict', 'conflict');
    t.match((error as AppError).data, { path: '/1' }, 'names the statement by its index');
    t.equal(await store.statements.get(fresh.id), null, 'the statement before it in the batch was not kept');
    t.equal(await store.statements.latestSequence(), latest);
  });

  t.test('voiding: a target stored earlier, a target stored later; a voiding statement cannot be voided', async (t) => {
    const store = await loaded(open);
    t.match(await store.statements.get(idOf(2)), { voided: true }, 'voided after it was stored');
    t.match(await store.statements.get(idOf(12)), { voided: true }, 'voided on arrival: its voiding statement came first');
    t.match(await store.statements.get(idOf(9)), { voided: false, isVoiding: true });
    const voidTheVoider = recordOf({ n: 501, statement: { actor: actors.admin, verb: { id: verbs.voided }, object: { objectType: 'StatementRef', id: idOf(9) } } as never, credential: null }, T0 + 60_000);
    const error = await store.statements.insert([voidTheVoider]).catch((e: unknown) => e);
    t.ok(error instanceof AppError && error.kind === 'validation', 'validation error');
    t.match((error as AppError).data, { path: '/0/object/id' });
    t.match(await store.statements.get(idOf(9)), { voided: false });
    t.equal(await store.statements.get(voidTheVoider.id), null);
  });

  t.test('queries: filter keys own and inherited through StatementRefs, voided left out', async (t) => {
    const store = await loaded(open);
    const through = await store.statements.latestSequence();
    const alice = keyOf.agent(actorIdentity(actors.alice)!);
    t.same(ids((await store.statements.query({ ...all(through), keys: [alice] })).statements), n(24, 22, 20, 18, 16, 14, 10, 8, 7, 6, 5, 3, 1),
      'own (a Group member too), through a ref (7), a chain of refs (8), a voiding statement whose target came later (10); voided 12 left out');
    t.same(ids((await store.statements.query({ ...all(through), keys: [keyOf.verb(verbs.passed)] })).statements), n(10, 9), 'both "passed" are voided: only the statements targeting them');
    t.same(ids((await store.statements.query({ ...all(through), keys: [keyOf.registration(registrations.r2)], ascending: true })).statements), n(5, 9, 11, 13, 15, 17, 19, 21, 23, 25),
      'ascending; 11 got the keys of 13, stored after it');
  });

  t.test('agent and verb together match what each matches alone, own and inherited keys alike', async (t) => {
    const store = await loaded(open);
    const through = await store.statements.latestSequence();
    const matching = async (keys: string[]) => ids((await store.statements.query({ ...all(through), keys })).statements);
    let nonEmpty = 0;
    for (const actor of Object.values(actors)) {
      const agent = keyOf.agent(actorIdentity(actor as never)!);
      const byAgent = new Set(await matching([agent]));
      for (const verb of Object.values(verbs)) {
        const expected = (await matching([keyOf.verb(verb)])).filter((id) => byAgent.has(id));
        const both = await matching([agent, keyOf.verb(verb)]);
        t.same(both, expected, `${actor.name ?? 'carol'} + ${verb.split('/').pop()}`);
        t.same(await matching([keyOf.verb(verb), agent]), expected, 'in either order');
        if (expected.length > 0) nonEmpty += 1;
      }
    }
    t.ok(nonEmpty >= 5, `${nonEmpty} pairs match something`);
    // With a third key (the pair drives, the registration is probed) the answer is still the intersection.
    const alice = keyOf.agent(actorIdentity(actors.alice as never)!);
    for (const verb of Object.values(verbs)) {
      const three = [alice, keyOf.verb(verb), keyOf.registration(registrations.r2)];
      const singles = await Promise.all(three.map(async (key) => new Set(await matching([key]))));
      t.same(await matching(three), [...singles[0]].filter((id) => singles[1].has(id) && singles[2].has(id)), `alice + ${verb.split('/').pop()} + r2`);
    }
  });

  t.test('since is exclusive, until inclusive, credential restricts, limit tells whether more exist', async (t) => {
    const store = await loaded(open);
    const through = await store.statements.latestSequence();
    t.same(ids((await store.statements.query(all(through, { sinceMs: T0 + 14_000 }))).statements), n(25, 24, 23, 22), 'the batches of +15 s and +16 s, not +14 s');
    t.same(ids((await store.statements.query(all(through, { untilMs: T0 + 1000, ascending: true }))).statements), n(1, 3), '2 is voided');
    t.same(ids((await store.statements.query(all(through, { credentialId: 'cred-b', limit: 3 }))).statements), n(25, 23, 21));
    const page = await store.statements.query(all(through, { limit: 2 }));
    t.same(ids(page.statements), n(25, 24));
    t.equal(page.hasMore, true);
    const last = await store.statements.query(all(through, { sinceMs: T0 + 14_000, limit: 4 }));
    t.equal(last.hasMore, false, 'exactly limit left: no more');
  });

  t.test('more: pages resume after the last sequence and stay within the sequence fixed on the first page', async (t) => {
    const store = await loaded(open);
    const through = await store.statements.latestSequence();
    for (const { name, filter } of namedFilters(through)) {
      const whole = ids((await store.statements.query({ ...filter, limit: 100 })).statements);
      for (const limit of [1, 3]) {
        const pages = await walkPages((f) => store.statements.query(f), { ...filter, limit });
        t.same(pages.flat(), whole, `${name}: pages of ${limit} add up to the whole`);
        t.ok(pages.slice(0, -1).every((page) => page.length === limit), `${name}: full pages but the last`);
      }
    }
    const firstPage = await store.statements.query(all(through, { limit: 5, ascending: true }));
    await store.statements.insert([recordOf({ n: 502, statement: { actor: actors.alice, verb: { id: verbs.completed }, object: { id: 'https://academy.example/late' } } as never, credential: null }, T0 + 90_000)]);
    const rest = await walkPages((f) => store.statements.query(f), { ...all(through, { limit: 5, ascending: true }), afterSequence: firstPage.statements.at(-1)!.sequence });
    t.notOk(rest.flat().includes(idOf(502)), 'a statement stored after the first page is not in later pages');
    t.equal(ids(firstPage.statements).length + rest.flat().length, statementCount - 2, 'every non-voided statement once');
  });

  t.test('attachments are stored with the batch, shared by hash, and only a batch that is stored keeps them', async (t) => {
    const store = await open();
    const content = Buffer.from('%PDF-1.4 certificate');
    const record = recordOf({ n: 600, statement: { actor: actors.alice, verb: { id: verbs.completed }, object: { id: 'https://academy.example/a' } } as never, credential: null }, T0);
    await store.statements.insert([record], [{ sha2: 'aa'.repeat(32), contentType: 'application/pdf', content }]);
    await store.statements.insert([], [{ sha2: 'aa'.repeat(32), contentType: 'application/pdf', content }]);
    const found = await store.statements.attachments(['bb'.repeat(32), 'aa'.repeat(32)]);
    t.equal(found.length, 1, 'unknown hash left out');
    t.equal(found[0].contentType, 'application/pdf');
    t.ok(Buffer.isBuffer(found[0].content) && found[0].content.equals(content), 'content as a Buffer, byte for byte');
    const conflicting = { ...record, fingerprint: 'other' };
    await store.statements.insert([conflicting], [{ sha2: 'cc'.repeat(32), contentType: 'text/plain', content: Buffer.from('x') }]).catch(() => {});
    t.same(await store.statements.attachments(['cc'.repeat(32)]), [], 'a refused batch leaves no attachment');
  });
});
