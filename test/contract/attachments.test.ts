/** Attachments larger than a MongoDB document (16 MiB): stored whole and read back byte for byte (GridFS there). */
import { createHash } from 'node:crypto';
import { normalizeStatement } from '../../src/lrs/statements/normalize.js';
import type { Statement } from '../../src/lrs/statements/statement-types.js';
import { idOf } from './statement-fixtures.js';
import { contract } from './targets.js';

contract('large attachments', async (t, open, target) => {
  if (target.lacks?.gridfs) {
    t.skip(target.lacks.gridfs);
    return;
  }
  const store = await open();
  const content = Buffer.alloc(17 * 1024 * 1024, 7);
  content.write('the start', 0);
  content.write('the end', content.length - 7);
  const sha2 = createHash('sha256').update(content).digest('hex');
  const small = { sha2: 'cd'.repeat(32), contentType: 'text/plain', content: Buffer.from('small') };
  const record = (n: number) =>
    normalizeStatement({
      id: idOf(n), actor: { mbox: 'mailto:a@academy.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: 'https://academy.example/video' },
      attachments: [{ usageType: 'http://id.tincanapi.com/attachment/supporting_media', display: { en: 'video' }, contentType: 'video/mp4', length: content.length, sha2 }],
    } as Statement, { storedMs: 1000 + n, authority: { mbox: 'mailto:lrs@academy.example' }, credentialId: null, newId: () => 'x', mayDefine: false, defaultVersion: '1.0.0' });
  await store.statements.insert([record(1)], [{ sha2, contentType: 'video/mp4', content }, small]);
  const [read, readSmall] = await store.statements.attachments([sha2, small.sha2]);
  t.equal(read?.content.length, content.length, 'the whole content');
  t.ok(read?.content.equals(content), 'byte for byte');
  t.equal(read?.contentType, 'video/mp4');
  t.same(readSmall, small, 'a small one beside it, inline');
  await store.statements.insert([record(2)], [{ sha2, contentType: 'video/mp4', content }]);
  const [again] = await store.statements.attachments([sha2]);
  t.ok(again?.content.equals(content), 'storing the same content twice keeps one copy, unchanged');
});
