/** RecordsStore contract: projections follow statement writes in their transaction and rebuild to the same bytes. */
import { normalizeStatement } from '../../src/lrs/statements/normalize.js';
import type { Statement } from '../../src/lrs/statements/statement-types.js';
import type { Store } from '../../src/store/ports.js';
import { courseIri, newVersion } from './catalog-fixtures.js';
import { user } from './people.js';
import { idOf } from './statement-fixtures.js';
import { contract } from './targets.js';

const REG = '33333333-3333-4333-8333-333333333333';
const STRANGER = '44444444-4444-4444-8444-444444444444';

const record = (n: number, verb: string, object: unknown, registration: string, storedMs: number) =>
  normalizeStatement({
    id: idOf(n), actor: { mbox: 'mailto:u1@academy.example' }, verb: { id: `http://adlnet.gov/expapi/verbs/${verb}` }, object,
    context: { registration }, timestamp: new Date(storedMs).toISOString(), ...(verb === 'completed' && { result: { completion: true, duration: 'PT5M' } }),
  } as Statement, { storedMs, authority: { mbox: 'mailto:lrs@academy.example' }, credentialId: null, newId: () => 'x', mayDefine: false, defaultVersion: '1.0.0' });

async function course(store: Store) {
  await store.users.add(user('u1', 'u1@academy.example', { country: 'FR' }));
  await store.users.add(user('u2', 'u2@academy.example', { country: 'DE' }));
  await store.catalog.addVersion(newVersion('v1'));
  await store.runtime.addRegistration({ id: REG, userId: 'u1', courseId: 'c1', versionId: 'v1', createdMs: 100, completedMs: null });
  await store.runtime.addRegistration({ id: 'reg-b', userId: 'u2', courseId: 'c1', versionId: 'v1', createdMs: 200, completedMs: null });
}

contract('records', async (t, open) => {
  const store = await open();
  await course(store);
  t.equal(await store.records.progress(REG), null, 'no statement yet');
  await store.statements.insert([record(1, 'experienced', { id: courseIri }, REG, 1000), record(2, 'completed', { id: courseIri }, REG, 2000)]);
  await store.statements.insert([record(3, 'completed', { id: courseIri }, STRANGER, 3000)]);
  const progress = await store.records.progress(REG);
  t.match(progress, { registrationId: REG, userId: 'u1', courseId: 'c1', versionId: 'v1', format: 'xapi', status: 'completed', statements: 2 });
  t.equal(progress!.units.length, 1);
  t.equal(await store.records.progress(STRANGER), null, 'a registration the runtime does not know');
  await store.statements.insert([record(4, 'voided', { objectType: 'StatementRef', id: idOf(2) }, STRANGER, 4000)]);
  t.match(await store.records.progress(REG), { status: 'in-progress', statements: 1 }, 'voiding refolds the registration of the target');
  const listed = await store.records.registrationsOf('u1');
  t.same(listed.map((r) => [r.registration.id, r.progress?.statements ?? null]), [[REG, 1]]);
  t.same((await store.records.courseProgress('c1')).map((p) => p.registrationId), [REG], 'only registrations with statements');
  t.same((await store.records.courseProgress('c1', { countries: ['DE'] })).map((p) => p.registrationId), []);
  t.same((await store.records.courseProgress('c1', { countries: ['FR', 'DE'] })).map((p) => p.registrationId), [REG]);
  t.same(await store.records.courseProgress('c1', { countries: [] }), []);
  const incremental = await store.records.snapshot();
  t.same(await store.records.rebuild(), { registrations: 1, statements: 1 });
  t.equal(JSON.stringify(await store.records.snapshot()), JSON.stringify(incremental), 'rebuild equals incremental, byte for byte');
});
