import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createStore } from '../../src/store/index.js';
import { assertBuilt, createDataDir, removeDataDir, runCli } from '../fixtures/server-process.js';

assertBuilt();

/** The users of a data directory, through the API of an app on it, signed in as `who`. */
async function signInOn(dataDir: string, email: string, password: string) {
  const config = loadConfig({ 'data-dir': dataDir, 'log-level': 'silent' }, {});
  const store = createStore(config);
  const app = await buildApp({ config, store });
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  await app.close();
  await store.close();
  return res;
}

t.test('cadet users add', async (t) => {
  const dataDir = createDataDir();
  t.teardown(() => removeDataDir(dataDir));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };

  const approver = await runCli(['users', 'add', '--email', 'Bureau.FR@Interpol.example', '--role', 'approver', '--country', 'FR', '--country', 'BE', '--name', 'Bureau FR', '--json'], env);
  t.equal(approver.code, 0, approver.stderr);
  const made = JSON.parse(approver.stdout);
  t.same(made.roles, [{ role: 'approver', countries: ['FR', 'BE'] }]);
  t.equal(made.country, 'FR');
  t.ok(made.password.length >= 12, 'a one-time password, shown once');
  const res = await signInOn(dataDir, 'bureau.fr@interpol.example', made.password);
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.json().user.name, 'Bureau FR');

  const chosen = await runCli(['users', 'add', '--email', 'author@academy.example', '--role', 'author', '--role', 'learner', '--password', 'a chosen passphrase'], env);
  t.equal(chosen.code, 0, chosen.stderr);
  t.match(chosen.stdout, 'author@academy.example (author, learner) added');
  t.notMatch(chosen.stdout, 'one-time password', 'a given password is not echoed');

  const again = await runCli(['users', 'add', '--email', 'AUTHOR@academy.example', '--role', 'learner'], env);
  t.equal(again.code, 1, 'the address is taken, in any case');
  t.match(again.stderr, 'exists');
  const badRole = await runCli(['users', 'add', '--email', 'x@academy.example', '--role', 'superuser'], env);
  t.equal(badRole.code, 1);
  t.match(badRole.stderr, 'unknown role "superuser"');
  const noCountry = await runCli(['users', 'add', '--email', 'y@academy.example', '--role', 'approver'], env);
  t.equal(noCountry.code, 1);
  t.match(noCountry.stderr, 'needs at least one country');
  const usage = await runCli(['users', 'add', '--role', 'learner'], env);
  t.equal(usage.code, 2);
  t.match(usage.stderr, '--email');
});
