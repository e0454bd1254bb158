import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, settings } from '../src/config.js';

t.test('defaults, with no flag and an empty environment', async (t) => {
  const config = loadConfig({}, {});
  // t.has: settings added later need not change this test; the next one covers every setting.
  t.has(config, {
    host: '127.0.0.1',
    port: 8080,
    publicUrl: 'http://localhost:8080',
    dataDir: path.resolve('./data'),
    store: 'sqlite',
    logLevel: 'info',
    maxBodyBytes: 20 * 1024 * 1024,
    statementPageSize: 100,
  });
});

t.test('each setting defaults to the fallback its table row documents', async (t) => {
  const config = loadConfig({}, {}) as unknown as Record<string, unknown>;
  for (const setting of settings) {
    const expected = setting.key === 'dataDir' ? path.resolve(setting.fallback) : setting.type === 'integer' ? Number(setting.fallback) : setting.fallback;
    t.equal(config[setting.key], expected, `${setting.env} defaults to ${setting.fallback}`);
  }
});

t.test('every setting is read from its variable, and its flag wins over the variable', async (t) => {
  const env = {
    HOST: '0.0.0.0',
    PORT: '9000',
    PUBLIC_URL: 'https://lrs.academy.example',
    DATA_DIR: '/var/lib/cadet',
    LOG_LEVEL: 'debug',
    MAX_BODY_BYTES: '2048',
    STATEMENT_PAGE_SIZE: '50',
    SQLITE_SYNCHRONOUS: 'normal',
  };
  const fromEnv = loadConfig({}, env);
  t.has(fromEnv, {
    host: '0.0.0.0',
    port: 9000,
    publicUrl: 'https://lrs.academy.example',
    dataDir: '/var/lib/cadet',
    store: 'sqlite',
    logLevel: 'debug',
    maxBodyBytes: 2048,
    statementPageSize: 50,
    sqliteSynchronous: 'normal',
  });
  const flags = {
    host: '::1',
    port: '9100',
    'public-url': 'https://training.example/cadet',
    'data-dir': '/srv/cadet',
    'log-level': 'error',
    'max-body-bytes': '4096',
    'statement-page-size': '25',
  };
  t.has(loadConfig(flags, env), {
    host: '::1',
    port: 9100,
    publicUrl: 'https://training.example/cadet',
    dataDir: '/srv/cadet',
    store: 'sqlite',
    logLevel: 'error',
    maxBodyBytes: 4096,
    statementPageSize: 25,
  });
  t.equal(loadConfig({ port: '9100' }, env).host, '0.0.0.0', 'a flag overrides only its own setting');
  t.equal(loadConfig({ port: undefined }, { PORT: '9000' }).port, 9000, 'an absent flag leaves the variable');
});

t.test('an empty variable means the default', async (t) => {
  t.equal(loadConfig({}, { PORT: '' }).port, 8080);
  t.equal(loadConfig({}, { LOG_LEVEL: '' }).logLevel, 'info');
});

t.test('every setting has a distinct variable and flag', async (t) => {
  t.equal(new Set(settings.map((s) => s.env)).size, settings.length);
  t.equal(new Set(settings.map((s) => s.flag)).size, settings.length);
  t.same(settings.map((s) => s.key).sort(), Object.keys(loadConfig({}, {})).sort(), 'the table covers the whole configuration');
});

t.test('PUBLIC_URL loses its trailing slashes; DATA_DIR is made absolute', async (t) => {
  t.equal(loadConfig({}, { PUBLIC_URL: 'https://lrs.academy.example/' }).publicUrl, 'https://lrs.academy.example');
  t.equal(loadConfig({}, { PUBLIC_URL: 'https://training.example/cadet//' }).publicUrl, 'https://training.example/cadet');
  t.equal(loadConfig({ 'public-url': 'http://127.0.0.1:3000/' }, {}).publicUrl, 'http://127.0.0.1:3000');
  t.equal(loadConfig({}, { DATA_DIR: 'relative/data' }).dataDir, path.resolve('relative/data'));
  t.ok(path.isAbsolute(loadConfig({}, {}).dataDir));
});

t.test('the result is frozen', async (t) => {
  const config = loadConfig({}, {});
  t.ok(Object.isFrozen(config));
  t.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
  t.equal(config.port, 8080);
});

const invalid: Array<[string, Record<string, string>, Record<string, string>, RegExp]> = [
  ['PORT not a number', {}, { PORT: 'abc' }, /^PORT \(--port\) must be an integer, got "abc"/],
  ['PORT a decimal', {}, { PORT: '8080.5' }, /^PORT \(--port\)/],
  ['PORT above 65535', {}, { PORT: '70000' }, /^PORT \(--port\).*"70000"/],
  ['PORT negative', {}, { PORT: '-1' }, /^PORT \(--port\)/],
  ['PUBLIC_URL without a scheme', {}, { PUBLIC_URL: 'lrs.academy.example' }, /^PUBLIC_URL \(--public-url\).*"lrs\.academy\.example"/],
  ['PUBLIC_URL with another scheme', {}, { PUBLIC_URL: 'ftp://lrs.academy.example' }, /^PUBLIC_URL \(--public-url\)/],
  ['STORE unknown', {}, { STORE: 'oracle' }, /^STORE \(--store\).*sqlite.*"oracle"/],
  ['LOG_LEVEL unknown', {}, { LOG_LEVEL: 'loud' }, /^LOG_LEVEL \(--log-level\).*"loud"/],
  ['MAX_BODY_BYTES too small', {}, { MAX_BODY_BYTES: '10' }, /^MAX_BODY_BYTES \(--max-body-bytes\)/],
  ['MAX_BODY_BYTES with a unit', {}, { MAX_BODY_BYTES: '20MB' }, /^MAX_BODY_BYTES \(--max-body-bytes\) must be an integer/],
  ['STATEMENT_PAGE_SIZE zero', {}, { STATEMENT_PAGE_SIZE: '0' }, /^STATEMENT_PAGE_SIZE \(--statement-page-size\)/],
  ['STATEMENT_PAGE_SIZE too large', {}, { STATEMENT_PAGE_SIZE: '100000' }, /^STATEMENT_PAGE_SIZE \(--statement-page-size\)/],
  ['SQLITE_SYNCHRONOUS unknown', {}, { SQLITE_SYNCHRONOUS: 'off' }, /^SQLITE_SYNCHRONOUS \(--sqlite-synchronous\).*"off"/],
  ['XAPI_DEFAULT_VERSION unknown', {}, { XAPI_DEFAULT_VERSION: '0.95' }, /^XAPI_DEFAULT_VERSION \(--xapi-default-version\).*"0\.95"/],
  ['--port flag', { port: 'eighty' }, { PORT: '9000' }, /^PORT \(--port\).*"eighty"/],
  ['--log-level flag over a good variable', { 'log-level': 'chatty' }, { LOG_LEVEL: 'info' }, /^LOG_LEVEL \(--log-level\).*"chatty"/],
];
for (const [name, flags, env, message] of invalid) {
  t.test(`${name}: ConfigError naming the variable`, async (t) => {
    const error = t.throws(() => loadConfig(flags, env)) as Error;
    t.ok(error instanceof ConfigError, 'a ConfigError');
    t.equal(error.name, 'ConfigError');
    t.match(error.message, message);
  });
}

t.test('a bad value of another setting does not hide behind a good one', async (t) => {
  const error = t.throws(() => loadConfig({}, { PORT: '9000', LOG_LEVEL: 'loud', HOST: '0.0.0.0' })) as Error;
  t.match(error.message, /LOG_LEVEL/);
  t.notMatch(error.message, /PORT|HOST/);
});
