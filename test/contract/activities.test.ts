/** ActivityStore contract: canonical definitions merged from statements whose credential may define. */
import { normalizeStatement } from '../../src/lrs/statements/normalize.js';
import type { Statement } from '../../src/lrs/statements/statement-types.js';
import { idOf } from './statement-fixtures.js';
import { contract } from './targets.js';

const record = (n: number, definition: Record<string, unknown>, mayDefine = true) =>
  normalizeStatement({ id: idOf(n), actor: { mbox: 'mailto:a@academy.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: 'https://academy.example/q', definition } } as Statement, {
    storedMs: 1000 + n, authority: { mbox: 'mailto:lrs@academy.example' }, credentialId: null, newId: () => 'x', mayDefine, defaultVersion: '1.0.0',
  });

contract('activities', async (t, open) => {
  const store = await open();
  t.equal(await store.activities.definition('https://academy.example/q'), null);
  await store.statements.insert([record(1, { name: { 'en-US': 'Question' }, type: 'http://adlnet.gov/expapi/activities/cmi.interaction', extensions: { 'https://x.example/a.b': 1 } })]);
  await store.statements.insert([record(2, { name: { 'fr-FR': 'Question (fr)' }, extensions: { 'https://x.example/c': 2 } })]);
  await store.statements.insert([record(3, { name: { 'de-DE': 'ignored' } }, false)]);
  t.same(await store.activities.definition('https://academy.example/q'), {
    name: { 'en-US': 'Question', 'fr-FR': 'Question (fr)' },
    type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    extensions: { 'https://x.example/a.b': 1, 'https://x.example/c': 2 },
  }, 'languages and extensions merged (dotted extension keys kept); a credential without define changes nothing');
});
