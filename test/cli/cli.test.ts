import fs from 'node:fs';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import {
  addCredential,
  assertBuilt,
  basicAuth,
  createDataDir,
  databaseFile,
  removeDataDir,
  runCli,
  startServer,
} from '../fixtures/server-process.js';

assertBuilt();

/** A data directory removed when the test ends. */
function dataDirFor(t: Test): string {
  const dir = createDataDir();
  t.teardown(() => removeDataDir(dir));
  return dir;
}

interface ListedCredential {
  key: string;
  name: string;
  scopes: string[];
  created: string;
  revoked: string | null;
  [other: string]: unknown;
}

const list = async (dataDir: string) => {
  const result = await runCli(['credentials', 'list', '--json'], { DATA_DIR: dataDir });
  return { result, rows: result.code === 0 ? (JSON.parse(result.stdout) as ListedCredential[]) : [] };
};

t.test('usage', async (t) => {
  // Independent processes: run them side by side.
  const [help, none, unknown, badOption] = await Promise.all([
    runCli(['--help']),
    runCli([]),
    runCli(['frobnicate']),
    runCli(['credentials', 'list', '--colour', 'blue']),
  ]);

  t.test('--help lists the commands and exits 0', async (t) => {
    t.equal(help.code, 0, help.stderr);
    for (const command of ['cadet serve', 'cadet credentials add', 'cadet credentials list', 'cadet credentials revoke']) {
      t.match(help.stdout, command, `mentions ${command}`);
    }
    for (const variable of ['PORT', 'DATA_DIR', 'PUBLIC_URL', 'LOG_LEVEL', 'STORE']) t.match(help.stdout, variable, `documents ${variable}`);
    t.equal(help.stderr, '');
  });

  t.test('no command prints the help and fails with 2', async (t) => {
    t.equal(none.code, 2);
    t.match(none.stdout, 'Usage:');
  });

  t.test('an unknown command exits 2 naming it', async (t) => {
    t.equal(unknown.code, 2);
    t.match(unknown.stderr, /unknown command "frobnicate"/);
    t.match(unknown.stderr, /--help/, 'points at the help');
    t.equal(unknown.stdout, '');
  });

  t.test('an unknown option exits 2 naming it', async (t) => {
    t.equal(badOption.code, 2);
    t.match(badOption.stderr, /colour/);
  });
});

t.test('credentials add prints key and secret once; the database keeps only a hash', async (t) => {
  const dataDir = dataDirFor(t);
  const result = await runCli(['credentials', 'add', '--name', 'Moodle connector', '--scope', 'all', '--json'], { DATA_DIR: dataDir });
  t.equal(result.code, 0, result.stderr);
  const issued = JSON.parse(result.stdout) as { key: string; secret: string; name: string; scopes: string[] };
  t.same(Object.keys(issued).sort(), ['key', 'name', 'scopes', 'secret']);
  t.equal(issued.name, 'Moodle connector');
  t.same(issued.scopes, ['all']);
  t.match(issued.key, /^[0-9a-f]{24}$/);
  t.ok(issued.secret.length >= 32, 'the secret is long enough to resist guessing');

  // The CLI has closed the store (WAL checkpointed), so every byte is in these files.
  const files = fs.readdirSync(dataDir).filter((name) => name.startsWith('cadet.sqlite'));
  const bytes = Buffer.concat(files.map((name) => fs.readFileSync(`${dataDir}/${name}`)));
  t.ok(bytes.includes(Buffer.from(issued.key)), 'the key is in the database file (so the file read is the right one)');
  t.notOk(bytes.includes(Buffer.from(issued.secret)), 'the secret is nowhere in the database files');

  const db = new Database(databaseFile(dataDir), { readonly: true });
  t.teardown(() => db.close());
  const row = db.prepare('SELECT * FROM credentials WHERE key = ?').get(issued.key) as Record<string, unknown>;
  t.ok(row, 'the credential is stored');
  t.equal(row.name, 'Moodle connector');
  t.match(String(row.secret_hash), /^[0-9a-f]{64}$/, 'a digest, not the secret');
  for (const [column, value] of Object.entries(row)) t.notMatch(String(value), issued.secret, `column ${column} does not hold the secret`);

  const human = await runCli(['credentials', 'add', '--name', 'Reporting'], { DATA_DIR: dataDir });
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, /key:\s+[0-9a-f]{24}/);
  t.match(human.stdout, /secret:\s+\S{32,}/);
  t.match(human.stdout, 'statements/write statements/read/mine', 'no --scope: the xAPI default scopes');
});

t.test('credentials add refuses bad input and stores nothing', async (t) => {
  const dataDir = dataDirFor(t);
  const [noName, blankName, badScope] = await Promise.all([
    runCli(['credentials', 'add', '--scope', 'all'], { DATA_DIR: dataDir }),
    runCli(['credentials', 'add', '--name', '   '], { DATA_DIR: dataDir }),
    runCli(['credentials', 'add', '--name', 'X', '--scope', 'statements/read', '--scope', 'everything', '--json'], { DATA_DIR: dataDir }),
  ]);
  t.equal(noName.code, 2);
  t.match(noName.stderr, /--name/);
  t.equal(noName.stdout, '');

  t.not(blankName.code, 0);
  t.match(blankName.stderr, /name/);

  t.not(badScope.code, 0);
  t.match(badScope.stderr, /"everything"/, 'names the unknown scope');
  t.equal(badScope.stdout, '', 'prints no key or secret');

  const { result, rows } = await list(dataDir);
  t.equal(result.code, 0, result.stderr);
  t.same(rows, [], 'no credential was made');
});

t.test('credentials list never shows secrets', async (t) => {
  const dataDir = dataDirFor(t);
  const empty = await runCli(['credentials', 'list'], { DATA_DIR: dataDir });
  t.equal(empty.code, 0);
  t.match(empty.stdout, /No credentials yet/);

  // Two processes writing the same database at once: SQLite's busy timeout serialises them.
  const [first, second] = await Promise.all([
    addCredential(dataDir, 'First', ['statements/read', 'statements/write']),
    addCredential(dataDir, 'Second', ['all/read']),
  ]);
  const [{ result, rows }, text] = await Promise.all([list(dataDir), runCli(['credentials', 'list'], { DATA_DIR: dataDir })]);
  t.equal(result.code, 0, result.stderr);
  t.same(
    rows.map((r) => [r.key, r.name, r.scopes, r.revoked]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    [
      [first.key, 'First', ['statements/read', 'statements/write'], null],
      [second.key, 'Second', ['all/read'], null],
    ],
  );
  for (const row of rows) {
    t.same(Object.keys(row).sort(), ['created', 'key', 'name', 'revoked', 'scopes'], `${row.name}: no secret nor hash field`);
    t.ok(Number.isFinite(Date.parse(row.created)));
  }
  for (const output of [result.stdout, text.stdout]) {
    t.notMatch(output, first.secret);
    t.notMatch(output, second.secret);
  }
  t.match(text.stdout, first.key);
});

t.test('credentials revoke', async (t) => {
  const dataDir = dataDirFor(t);
  const [missingKey, unknownKey, unknownAction] = await Promise.all([
    runCli(['credentials', 'revoke'], { DATA_DIR: dataDir }),
    runCli(['credentials', 'revoke', 'feedfacefeedfacefeedface'], { DATA_DIR: dataDir }),
    runCli(['credentials', 'rotate'], { DATA_DIR: dataDir }),
  ]);
  t.equal(missingKey.code, 2);
  t.match(missingKey.stderr, /KEY/);
  t.not(unknownKey.code, 0);
  t.match(unknownKey.stderr, /feedfacefeedfacefeedface/);
  t.equal(unknownAction.code, 2);
  t.match(unknownAction.stderr, /"rotate"/);
});

t.test('the CLI works on the data directory of a running server, which sees its changes at once', async (t) => {
  const server = await startServer();
  t.teardown(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
  });
  const get = (authorization?: string) =>
    fetch(`${server.url}/xapi/statements?limit=1`, {
      headers: { 'X-Experience-API-Version': '1.0.3', ...(authorization && { authorization }) },
    });

  const credential = await addCredential(server.dataDir, 'made while serving', ['all']);
  const allowed = await get(basicAuth(credential.key, credential.secret));
  t.equal(allowed.status, 200, 'the new credential works at once');
  t.same(await allowed.json(), { statements: [], more: '' });

  const wrongSecret = await get(basicAuth(credential.key, `${credential.secret}x`));
  t.equal(wrongSecret.status, 401);
  await wrongSecret.body?.cancel();

  const revoked = await runCli(['credentials', 'revoke', credential.key], { DATA_DIR: server.dataDir });
  t.equal(revoked.code, 0, revoked.stderr);
  t.match(revoked.stdout, credential.key);

  const refused = await get(basicAuth(credential.key, credential.secret));
  t.equal(refused.status, 401, 'a revoked credential is refused at once');
  t.match(String(refused.headers.get('www-authenticate')), /^Basic/);
  const body = (await refused.json()) as { error: string };
  t.equal(body.error, 'credentials-invalid');

  const { rows } = await list(server.dataDir);
  t.equal(rows.length, 1);
  t.ok(rows[0].revoked && Number.isFinite(Date.parse(rows[0].revoked)), 'list shows when it was revoked');
  const again = await runCli(['credentials', 'revoke', credential.key], { DATA_DIR: server.dataDir });
  t.not(again.code, 0, 'revoking twice is reported');
  t.equal(server.child.exitCode, null, 'the server is still running');
});

const invalidSettings: Array<[string, Record<string, string>, string[], RegExp]> = [
  ['PORT=abc', { PORT: 'abc' }, [], /PORT/],
  ['PORT=70000', { PORT: '70000' }, [], /PORT/],
  ['STORE=oracle', { STORE: 'oracle' }, [], /STORE.*sqlite/],
  ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, [], /LOG_LEVEL.*"loud"/],
  ['PUBLIC_URL=lrs.example', { PUBLIC_URL: 'lrs.example' }, [], /PUBLIC_URL/],
  ['--port abc', {}, ['--port', 'abc'], /--port/],
];
t.test('cadet serve with an invalid setting exits non-zero naming the variable', async (t) => {
  const dataDir = dataDirFor(t);
  // Independent processes: run them side by side.
  const results = await Promise.all(
    invalidSettings.map(([, env, flags]) => runCli(['serve', ...flags], { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', ...env }, 10_000)),
  );
  invalidSettings.forEach(([name, , , message], index) => {
    const result = results[index];
    t.test(name, async (t) => {
      t.not(result.code, 0);
      t.not(result.code, null, 'it exited by itself');
      t.match(result.stderr, message);
      t.notMatch(result.stderr, /\n\s+at /, 'a message, not a stack trace');
    });
  });
});
