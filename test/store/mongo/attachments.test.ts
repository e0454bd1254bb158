/**
 * Large attachment content in GridFS, on the in-memory stand-in (the driver's own GridFS code over its collections):
 * uploaded before the batch's transaction, pointed to from inside it, deleted when the batch is refused or another
 * writer stored the hash first. A small inline limit keeps the content small here.
 */
import t from 'tap';
import { createMongoAttachments } from '../../../src/store/mongo/attachments.js';
import { createMongoContext } from '../../../src/store/mongo/database.js';
import { InMemoryMongoClient } from './in-memory-mongo.js';

const attachment = (sha2: string, size: number) => ({ sha2, contentType: 'application/octet-stream', content: Buffer.alloc(size, sha2.charCodeAt(0)) });

t.test('GridFS above the inline limit, inline below; refused batches leave no upload', async (t) => {
  const client = new InMemoryMongoClient();
  const context = createMongoContext(client.asDriverClient(), 'attachments');
  const store = createMongoAttachments(context, { inlineLimit: 10 });
  const db = client.db('attachments');
  const files = () => db.collection('attachment_files.files').docs;
  const chunks = () => db.collection('attachment_files.chunks').docs;

  const big = attachment('a'.repeat(64), 300 * 1024);
  const small = attachment('b'.repeat(64), 10);
  const uploads = await store.upload([big, small]);
  t.same([...uploads.uploaded.keys()], [big.sha2], 'only the content above the limit is uploaded');
  t.equal(files().length, 1);
  t.ok(chunks().length >= 2, 'in chunks');
  await context.transaction((session) => store.store([big, small], session, uploads));
  await store.discard(uploads, true);
  t.equal(files().length, 1, 'a committed upload is kept');
  const documents = db.collection('attachments').docs;
  t.match(documents.find((d) => d._id === big.sha2), { content: null, gridFsId: uploads.uploaded.get(big.sha2), sizeBytes: big.content.length }, 'its document points to the file');
  t.ok(Buffer.isBuffer(documents.find((d) => d._id === small.sha2)?.content), 'the small one is inline');
  const read = await store.read([small.sha2, 'unknown', big.sha2]);
  t.same(read.map((r) => r.sha2), [small.sha2, big.sha2], 'in the order asked, unknown left out');
  t.ok(read[1]?.content.equals(big.content), 'read back from GridFS byte for byte');

  t.same([...(await store.upload([big])).uploaded.keys()], [], 'content already stored is not uploaded again');

  const refused = attachment('c'.repeat(64), 50 * 1024);
  const pending = await store.upload([refused]);
  t.equal(files().length, 2);
  await t.rejects(context.transaction(async (session) => {
    await store.store([refused], session, pending);
    throw new Error('the batch is refused');
  }));
  await store.discard(pending, false);
  t.equal(files().length, 1, 'the refused batch\'s upload is deleted');
  t.notOk(db.collection('attachments').docs.some((d) => d._id === refused.sha2), 'and no document points to it');

  // Another writer stored the same hash between our upload and our transaction: ours is the orphan, deleted.
  const raced = attachment('d'.repeat(64), 20 * 1024);
  const ours = await store.upload([raced]);
  const theirs = await store.upload([raced]);
  await context.transaction((session) => store.store([raced], session, theirs));
  await store.discard(theirs, true);
  await context.transaction((session) => store.store([raced], session, ours));
  await store.discard(ours, true);
  t.equal(files().length, 2, 'one file per stored hash');
  t.equal(db.collection('attachments').docs.find((d) => d._id === raced.sha2)?.gridFsId, theirs.uploaded.get(raced.sha2), 'the first document stands');
  t.ok((await store.read([raced.sha2]))[0]?.content.equals(raced.content));
});
