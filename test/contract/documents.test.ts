/** DocumentStore contract: byte-exact documents, list by key and time, read-decide-write, deleteAll. */
import { createHash } from 'node:crypto';
import type { DocumentKey, StoredDocument } from '../../src/store/ports.js';
import { contract } from './targets.js';

const key = (documentId: string, over: Partial<DocumentKey> = {}): DocumentKey => ({
  kind: 'state', activityId: 'https://academy.example/a', agent: 'Agent|mbox|mailto:alice@academy.example', registration: '', documentId, ...over,
});
const doc = (text: string, updatedMs: number, contentType = 'application/json'): StoredDocument => {
  const content = Buffer.from(text);
  return { content, contentType, etag: `"${createHash('sha1').update(content).digest('hex')}"`, updatedMs };
};

contract('documents', async (t, open) => {
  t.test('put, get byte for byte, list sorted and since, delete, deleteAll under one key only', async (t) => {
    const store = await open();
    t.equal(await store.documents.get(key('x')), null);
    await store.documents.write(key('b'), () => ({ action: 'put', document: doc('{"b":1}', 100) }));
    await store.documents.write(key('a'), () => ({ action: 'put', document: doc('\u00e9t\u00e9', 200, 'text/plain; charset=utf-8') }));
    await store.documents.write(key('a', { registration: '11111111-1111-4111-8111-111111111111' }), () => ({ action: 'put', document: doc('r', 300) }));
    await store.documents.write(key('a', { kind: 'activity-profile', agent: '' }), () => ({ action: 'put', document: doc('p', 300) }));
    const got = await store.documents.get(key('a'));
    t.ok(got && Buffer.isBuffer(got.content) && got.content.equals(Buffer.from('\u00e9t\u00e9')), 'content as a Buffer');
    t.match(got, { contentType: 'text/plain; charset=utf-8', updatedMs: 200 });
    const { documentId: _ignored, ...under } = key('');
    t.same(await store.documents.list(under), ['a', 'b'], 'sorted, only this key (not the registration, not the profile)');
    t.same(await store.documents.list(under, 100), ['a'], 'updated after 100 (exclusive)');
    await store.documents.write(key('b'), () => ({ action: 'delete' }));
    t.equal(await store.documents.get(key('b')), null);
    await store.documents.deleteAll(under);
    t.same(await store.documents.list(under), []);
    t.ok(await store.documents.get(key('a', { registration: '11111111-1111-4111-8111-111111111111' })), 'other registration kept');
    t.ok(await store.documents.get(key('a', { kind: 'activity-profile', agent: '' })), 'other kind kept');
  });

  t.test('decide sees the current document; a throw changes nothing; keep keeps', async (t) => {
    const store = await open();
    await store.documents.write(key('d'), (current) => {
      t.equal(current, null);
      return { action: 'put', document: doc('1', 1) };
    });
    const failure = await store.documents.write(key('d'), (current) => {
      t.equal(current?.content.toString(), '1');
      throw new Error('precondition failed');
    }).catch((error: Error) => error.message);
    t.equal(failure, 'precondition failed');
    await store.documents.write(key('d'), () => ({ action: 'keep' }));
    t.equal((await store.documents.get(key('d')))?.content.toString(), '1');
    await store.documents.write(key('d'), (current) => ({ action: 'put', document: doc(`${current?.content.toString()}2`, 2) }));
    t.equal((await store.documents.get(key('d')))?.content.toString(), '12');
  });

  t.test('concurrent read-decide-writes of one document lose no update', async (t) => {
    const store = await open();
    await store.documents.write(key('n'), () => ({ action: 'put', document: doc('0', 0) }));
    const increment = () => store.documents.write(key('n'), (current) => ({ action: 'put', document: doc(String(Number(current?.content.toString() ?? '0') + 1), 1) }));
    await Promise.all(Array.from({ length: 10 }, increment));
    t.equal((await store.documents.get(key('n')))?.content.toString(), '10');
  });
});
