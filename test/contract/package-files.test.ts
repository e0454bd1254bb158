/** PackageFileStore contract: adopt whole, stat, read with ranges, never outside the key, remove. */
import fs from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { contract } from './targets.js';

contract('package files', async (t, open, target) => {
  if (target.lacks?.gridfs) {
    t.skip(target.lacks.gridfs);
    return;
  }
  const store = await open();
  const staging = await store.packageFiles.stagingDirectory();
  fs.mkdirSync(path.join(staging, 'content', 'media'), { recursive: true });
  fs.writeFileSync(path.join(staging, 'index.html'), '<h1>Hello</h1>');
  fs.writeFileSync(path.join(staging, 'content', 'media', 'clip.txt'), '0123456789');
  await store.packageFiles.adopt('key_1', staging);
  t.notOk(fs.existsSync(staging), 'the staging directory is taken over');
  t.match(await store.packageFiles.stat('key_1', 'index.html'), { sizeBytes: 14 });
  t.match(await store.packageFiles.stat('key_1', 'content/media/clip.txt'), { sizeBytes: 10 });
  t.equal(await store.packageFiles.stat('key_1', 'missing.html'), null);
  t.equal(await store.packageFiles.stat('key_1', '../key_2/index.html'), null, 'never outside the key');
  t.equal(await store.packageFiles.stat('other', 'index.html'), null);
  t.equal(await text(store.packageFiles.read('key_1', 'index.html')), '<h1>Hello</h1>');
  t.equal(await text(store.packageFiles.read('key_1', 'content/media/clip.txt', { start: 2, end: 5 })), '2345', 'inclusive range');
  await store.packageFiles.remove('key_1');
  await store.packageFiles.remove('key_1');
  t.equal(await store.packageFiles.stat('key_1', 'index.html'), null, 'removed, idempotently');
});
