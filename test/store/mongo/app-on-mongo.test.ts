/**
 * The app on the MongoDB adapter (in-memory stand-in): certificates and reports are served, not refused (501/503),
 * and two app processes sharing the database sign with one key, the one stored in `keys`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { newCertificateNumber } from '../../../src/records/certificates/certificate-number.js';
import { createUserService } from '../../../src/access/index.js';
import { loadConfig } from '../../../src/config.js';
import { createMongoStore } from '../../../src/store/mongo/index.js';
import { translate } from '../../../src/web/index.js';
import { InMemoryMongoClient } from './in-memory-mongo.js';

t.test('two app processes on one MongoDB database: one signing key, certificates and reports served', async (t) => {
  const client = new InMemoryMongoClient();
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-app-on-mongo-'));
  t.teardown(() => fs.rmSync(staging, { recursive: true, force: true }));
  // Two processes: each its own data directory and store object, one database.
  const apps = [];
  for (const name of ['first', 'second']) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cadet-app-on-mongo-${name}-`));
    t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const store = createMongoStore(client.asDriverClient(), 'cadet_app', { stagingDirectory: staging });
    await store.prepare();
    const config = loadConfig({ 'data-dir': dataDir, 'log-level': 'silent', store: 'mongodb', 'mongodb-uri': 'mongodb://stand-in/cadet_app' }, {});
    const app = await buildApp({ config, store });
    t.teardown(() => app.close());
    apps.push({ app, dataDir, store, config });
  }
  const [first, second] = apps as [(typeof apps)[number], (typeof apps)[number]];
  const pem = await first.app.inject({ method: 'GET', url: '/certificates/public-key.pem' });
  t.equal(pem.statusCode, 200, 'the public key is published');
  t.match(pem.body, /^-----BEGIN PUBLIC KEY-----/);
  t.equal((await second.app.inject({ method: 'GET', url: '/certificates/public-key.pem' })).body, pem.body, 'the second process publishes the same key');
  const jwks = (await second.app.inject({ method: 'GET', url: '/.well-known/cadet-certificates.json' })).json() as { keys: Array<{ kid: string }> };
  t.equal(jwks.keys.length, 1);
  const stored = client.db('cadet_app').collection('keys').docs;
  t.same(stored.map((doc) => doc._id), ['certificate-signing'], 'the key lives in the database');
  t.match(stored[0]?.pem, /^-----BEGIN PRIVATE KEY-----/);
  for (const { dataDir } of apps) t.notOk(fs.existsSync(path.join(dataDir, 'certificate-signing-key.pem')), 'no key file in the process\'s DATA_DIR');

  const verification = await first.app.inject({ method: 'GET', url: `/api/certificates/${newCertificateNumber(Date.UTC(2026, 0, 1))}/verification` });
  t.equal(verification.statusCode, 404, 'certificates are served (an unknown number is not found, not "unavailable")');
  t.match(verification.json(), { error: 'certificate-not-found' });
  t.equal((await first.app.inject({ method: 'GET', url: '/api/reports/completions' })).statusCode, 401, 'reports need a signed-in analyst, as with SQLite');

  const users = createUserService({ users: first.store.users, audit: first.store.audit, outbox: first.store.outbox, settings: first.config, translate, now: Date.now });
  const password = 'correct horse battery staple';
  await users.create({ email: 'analyst@academy.example', name: 'Analyst', country: 'FR', agency: 'Academy', roles: [{ role: 'analyst' }], password }, null);
  const signedIn = await second.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'analyst@academy.example', password } });
  t.equal(signedIn.statusCode, 200, 'signed in through the other process (sessions are in the database)');
  const cookie = (signedIn.cookies as Array<{ name: string; value: string }>).find((c) => c.name === 'cadet_session');
  for (const name of ['completions', 'scores', 'time-spent', 'funnel', 'items']) {
    const report = await first.app.inject({ method: 'GET', url: `/api/reports/${name}`, headers: { cookie: `cadet_session=${cookie?.value}` } });
    t.equal(report.statusCode, 200, `the ${name} report is served (not 503)`);
  }
});
