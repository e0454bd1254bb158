/** CredentialStore contract. */
import { AppError } from '../../src/errors.js';
import type { CredentialRecord } from '../../src/store/ports.js';
import { contract } from './targets.js';

const credential = (key: string, createdMs: number): CredentialRecord => ({ key, name: `tool ${key}`, secretHash: 'ab'.repeat(32), scopes: ['statements/write', 'statements/read/mine'], createdMs, revokedMs: null });

contract('credentials', async (t, open) => {
  const store = await open();
  await store.credentials.add(credential('k2', 200));
  await store.credentials.add(credential('k1', 100));
  const error = await store.credentials.add(credential('k1', 300)).catch((e: unknown) => e);
  t.ok(error instanceof AppError && error.kind === 'conflict', 'a key exists: conflict');
  t.same(await store.credentials.findByKey('k1'), credential('k1', 100));
  t.equal(await store.credentials.findByKey('nope'), null);
  t.same((await store.credentials.list()).map((c) => c.key), ['k1', 'k2'], 'oldest first');
  t.equal(await store.credentials.revoke('k1', 500), true);
  t.equal(await store.credentials.revoke('k1', 600), false, 'idempotent: already revoked');
  t.equal(await store.credentials.revoke('nope', 600), false);
  t.equal((await store.credentials.findByKey('k1'))?.revokedMs, 500, 'revocation visible at once');
});
