import t from 'tap';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createDataDir, removeDataDir, runCli } from '../fixtures/server-process.js';

t.test('cadet import', async (t) => {
  const dataDir = createDataDir();
  t.teardown(() => removeDataDir(dataDir));
  const env = { DATA_DIR: dataDir };

  const good = sharedFixture('scorm12', 'singlescobasic.zip');
  const bad = sharedFixture('invalid', 'moodle', 'invalid.zip');
  const result = await runCli(['import', good, bad, '--json'], env);
  t.equal(result.code, 1, 'exit 1 when one package fails');
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
  t.equal(lines.length, 2, 'one JSON line per package');
  t.match(lines[0], { path: good, ok: true, format: 'scorm12', version: 1 });
  t.equal(lines[0].units.length, 1);
  t.match(lines[1], { path: bad, ok: false });
  t.match(lines[1].errors[0].message, /package/i);

  const folder = await runCli(['import', sharedFixture('cmi5', 'aicc-spec-examples', 'simple-cmi5.xml'), '--json'], env);
  t.equal(folder.code, 0, folder.stdout + folder.stderr);
  t.match(JSON.parse(folder.stdout), { ok: true, format: 'cmi5' }, 'a bare cmi5 course structure with absolute AU URLs imports');

  const named = await runCli(['import', good, '--course', 'golf-basics'], env);
  t.equal(named.code, 0);
  t.match(named.stdout, /imported as golf-basics version 1/);
  const again = await runCli(['import', good, '--course', 'golf-basics'], env);
  t.match(again.stdout, /imported as golf-basics version 2/, 'importing again adds a version');

  const missing = await runCli(['import', '/nonexistent/package.zip'], env);
  t.equal(missing.code, 1);
  t.match(missing.stdout, /does not exist/);
  const usage = await runCli(['import'], env);
  t.equal(usage.code, 2);
});
