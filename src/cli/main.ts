#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCredentialService, createUserService } from '../access/index.js';
import { buildApp } from '../app.js';
import { ConfigError, loadConfig, settings, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { createCatalogService, importDemoCourses, importView } from '../packages/index.js';
import { findRepoRoot } from '../shared/json-schema.js';
import { migrateDataDirToMongo, openStore, type Store } from '../store/index.js';
import { translate } from '../web/index.js';

const help = `cadet: e-learning runtime and Learning Record Store

Usage:
  cadet serve [options]                      serve the platform (HTTP API, xAPI LRS at /xapi, docs at /docs)
  cadet credentials add --name NAME [--scope SCOPE]... [--json]
                                             make an LRS credential; prints its key and secret once
  cadet credentials list [--json]            list credentials (never their secrets)
  cadet credentials revoke KEY               revoke a credential at once
  cadet users add --email EMAIL --role ROLE... [--country CC]... [--name NAME] [--password PW] [--json]
                                             add a user; without --password, a one-time password is printed once
                                             roles: learner author analyst approver admin; the first --country is
                                             the user's country, all of them scope approver and analyst roles
  cadet import PATH... [--course SLUG] [--json]
                                             import packages (zips, unzipped folders, or a bare cmi5 course
                                             structure XML whose AUs are all absolute URLs) as new versions;
                                             --json prints one JSON line per package; exit 0 only if all imported
  cadet rebuild-projections [--json]         recompute transcripts' progress from the stored statements (safe while
                                             serving: one transaction; needed only after restoring statements by hand)
  cadet migrate --to mongodb --uri URI [--database NAME] [--batch-size N]
                                             copy everything in DATA_DIR's embedded store (statements with their ids,
                                             stored times and order, documents, people, courses and their files, runtime,
                                             projections) into MongoDB; resumable: run it again after an interruption;
                                             verifies counts at the end (exit 1 when they differ)
  cadet --help                               this text

Scopes: statements/write, statements/read, statements/read/mine, state, define, profile, all/read, all
        (default: statements/write statements/read/mine, as xAPI implies when none is asked for)

Options (each also an environment variable; flags win):
${settings.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(20)} default ${s.fallback}`).join('\n')}

Every command works on the same DATA_DIR while a server is running on it.
`;

const configOptions = Object.fromEntries(settings.map((s) => [s.flag, { type: 'string' as const }]));

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...configOptions,
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      email: { type: 'string' },
      role: { type: 'string', multiple: true },
      country: { type: 'string', multiple: true },
      password: { type: 'string' },
      course: { type: 'string' },
      to: { type: 'string' },
      uri: { type: 'string' },
      database: { type: 'string' },
      'batch-size': { type: 'string' },
    },
  });
}

async function serve(flags: Record<string, string | undefined>): Promise<void> {
  const config = loadConfig(flags);
  const store = await openStore(config);
  const app = await buildApp({ config, store });
  await prepareFirstStart(config, store, app.log);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      app.log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    app.log.info(`${signal}: finishing in-flight requests, then closing the store`);
    // A request that never ends must not keep the process alive past an orchestrator's grace period.
    setTimeout(() => process.exit(1), 25_000).unref();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const address = await app.listen({ host: config.host, port: config.port });
  const contentAddress = await app.contentServer.listen({ host: config.host, port: config.contentPort });
  app.log.info(`cadet serving at ${address} (public URL ${config.publicUrl}, data in ${config.dataDir}); content origin at ${contentAddress} (${config.contentUrl})`);
  // The reports' in-memory facts load in steps while requests are served, so the first report does not wait for them.
  const warmStart = Date.now();
  store.reports?.warm?.().then(
    () => app.log.info(`reports ready (${Date.now() - warmStart} ms)`),
    (error: unknown) => app.log.warn({ err: error }, 'reports could not prepare; the first report will try again'),
  );
}

async function credentials(positionals: string[], values: ReturnType<typeof parse>['values']): Promise<number> {
  const flags = values as Record<string, string | undefined>;
  const config = loadConfig(flags);
  const store = await openStore(config);
  const service = createCredentialService({ credentials: store.credentials, publicUrl: config.publicUrl });
  try {
    const [action, key] = positionals;
    if (action === 'add') {
      if (!values.name) throw new UsageError('credentials add needs --name NAME');
      const issued = await service.issue(values.name, values.scope ?? []);
      if (values.json) process.stdout.write(`${JSON.stringify({ key: issued.key, secret: issued.secret, name: issued.name, scopes: issued.scopes })}\n`);
      else {
        process.stdout.write(
          `Credential "${issued.name}" (scopes: ${issued.scopes.join(' ')})\n  key:    ${issued.key}\n  secret: ${issued.secret}\n` +
            'The secret is shown only now; store it safely. Use key and secret as HTTP Basic user name and password.\n',
        );
      }
      return 0;
    }
    if (action === 'list') {
      const all = await service.list();
      const rows = all.map((c) => ({ key: c.key, name: c.name, scopes: c.scopes, created: new Date(c.createdMs).toISOString(), revoked: c.revokedMs === null ? null : new Date(c.revokedMs).toISOString() }));
      if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) process.stdout.write('No credentials yet. Make one with: cadet credentials add --name NAME\n');
      else for (const r of rows) process.stdout.write(`${r.key}  ${r.name}  [${r.scopes.join(' ')}]  created ${r.created}${r.revoked ? `  REVOKED ${r.revoked}` : ''}\n`);
      return 0;
    }
    if (action === 'revoke') {
      if (!key) throw new UsageError('credentials revoke needs the KEY');
      await service.revoke(key);
      process.stdout.write(`Revoked ${key}\n`);
      return 0;
    }
    throw new UsageError(`unknown credentials action "${action ?? ''}" (add, list, revoke)`);
  } finally {
    await store.close();
  }
}

async function users(positionals: string[], values: ReturnType<typeof parse>['values']): Promise<number> {
  const [action] = positionals;
  if (action !== 'add') throw new UsageError(`unknown users action "${action ?? ''}" (add)`);
  if (!values.email) throw new UsageError('users add needs --email EMAIL');
  if (!values.role?.length) throw new UsageError('users add needs at least one --role ROLE');
  const config = loadConfig(values as Record<string, string | undefined>);
  const store = await openStore(config);
  try {
    const service = createUserService({ users: store.users, audit: store.audit, outbox: store.outbox, settings: config, translate, now: Date.now });
    const countries = values.country ?? [];
    const roles = values.role.map((role) => (role === 'approver' || role === 'analyst') && countries.length > 0 ? { role, countries } : { role });
    const password = values.password ?? randomPassword();
    const { user } = await service.create(
      { email: values.email, name: values.name, country: countries[0], roles, password },
      { userId: null, ip: 'cli' },
    );
    const shown = values.password ? null : password;
    if (values.json) process.stdout.write(`${JSON.stringify({ id: user.id, email: user.email, name: user.name, country: user.country, roles: user.roles, password: shown })}\n`);
    else {
      process.stdout.write(`User ${user.email} (${user.roles.map((r) => r.role + (r.countries ? ` ${r.countries.join(',')}` : '')).join(', ')}) added, id ${user.id}\n`);
      if (shown) process.stdout.write(`  one-time password: ${shown}\nIt is shown only now; the user can change it with "Forgot your password?".\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

const randomPassword = () => randomBytes(15).toString('base64url');

class UsageError extends Error {}

/**
 * On an empty store: the first admin (its one-time password printed once, or ADMIN_EMAIL/ADMIN_PASSWORD), and
 * the demo courses from content-packages/.
 */
async function prepareFirstStart(config: Config, store: Store, log: { info(message: string): void; warn(message: string): void }): Promise<void> {
  const users = createUserService({ users: store.users, audit: store.audit, outbox: store.outbox, settings: config, translate, now: Date.now });
  const admin = await users.ensureFirstAdmin(process.env);
  if (admin?.generated) {
    process.stdout.write(`\nFirst start: an administrator was created.\n  email:    ${admin.email}\n  password: ${admin.password}\nSign in at ${config.publicUrl}/sign-in and change it; this password is not shown again.\n\n`);
  } else if (admin) {
    log.info(`first start: administrator ${admin.email} created from ADMIN_EMAIL/ADMIN_PASSWORD`);
  }
  const catalog = createCatalogService({ catalog: store.catalog, files: store.packageFiles, publicUrl: config.publicUrl });
  for (const { folder, outcome } of await importDemoCourses(catalog, path.join(findRepoRoot(), 'content-packages'))) {
    if (outcome.ok) log.info(`demo course ${folder} imported as ${outcome.course.slug} v${outcome.version.number}`);
    else log.warn(`demo course ${folder} could not be imported: ${outcome.errors.map((e) => e.message).join('; ')}`);
  }
}

/** `cadet import`: each path a zip, a folder or a cmi5 course structure; one JSON line each with --json. */
async function importPackages(paths: string[], values: ReturnType<typeof parse>['values']): Promise<number> {
  if (paths.length === 0) throw new UsageError('import needs at least one PATH');
  if (values.course && paths.length > 1) throw new UsageError('--course names one course: import one PATH with it');
  const config = loadConfig(values as Record<string, string | undefined>);
  const store = await openStore(config);
  const catalog = createCatalogService({ catalog: store.catalog, files: store.packageFiles, publicUrl: config.publicUrl });
  const tty = process.stderr.isTTY && !values.json;
  let failures = 0;
  try {
    for (const [index, given] of paths.entries()) {
      const file = path.resolve(given);
      if (tty) process.stderr.write(`\r\x1b[K[${'#'.repeat(index).padEnd(paths.length)}] ${index + 1}/${paths.length} importing ${given}`);
      let view: ReturnType<typeof importView>;
      if (!fs.existsSync(file)) view = { ok: false, errors: [{ code: 'not-found', message: `${given} does not exist` }], warnings: [] };
      else {
        const source = fs.statSync(file).isDirectory() ? { directory: file } : file.toLowerCase().endsWith('.xml') ? { xmlPath: file } : { zipPath: file };
        view = importView(await catalog.importPackage(source, { ...(values.course && { slug: values.course }) }));
      }
      if (!view.ok) failures++;
      if (tty) process.stderr.write('\r\x1b[K');
      if (values.json) process.stdout.write(`${JSON.stringify({ path: given, ...view })}\n`);
      else if (view.ok) {
        process.stdout.write(`${given}: imported as ${view.course} version ${view.version} (${view.format}, ${view.units.length} unit${view.units.length === 1 ? '' : 's'})\n`);
        for (const warning of view.warnings) process.stdout.write(`  warning: ${warning.file ? `${warning.file}: ` : ''}${warning.message}\n`);
      } else {
        process.stdout.write(`${given}: not imported\n`);
        for (const error of view.errors) process.stdout.write(`  ${error.file ? `${error.file}${error.element ? ` ${error.element}` : ''}: ` : ''}${error.message}\n`);
      }
    }
  } finally {
    await store.close();
  }
  return failures === 0 ? 0 : 1;
}

/** `cadet rebuild-projections`: every projection recomputed from the statements, in one transaction. */
async function rebuildProjections(values: ReturnType<typeof parse>['values']): Promise<number> {
  const config = loadConfig(values as Record<string, string | undefined>);
  const store = await openStore(config);
  try {
    const started = Date.now();
    const { registrations, statements } = await store.records.rebuild();
    const ms = Date.now() - started;
    if (values.json) process.stdout.write(`${JSON.stringify({ registrations, statements, ms })}\n`);
    else process.stdout.write(`Rebuilt the progress of ${registrations} registration${registrations === 1 ? '' : 's'} from ${statements} statement${statements === 1 ? '' : 's'} in ${ms} ms\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `cadet migrate --to mongodb --uri …`: the embedded store copied into MongoDB, with a progress line. */
async function migrate(values: ReturnType<typeof parse>['values']): Promise<number> {
  if (values.to !== 'mongodb') throw new UsageError('migrate needs --to mongodb (the only target)');
  const config = loadConfig(values as Record<string, string | undefined>);
  const uri = values.uri ?? config.mongodbUri;
  if (!uri) throw new UsageError('migrate --to mongodb needs --uri mongodb://host1,host2,host3/?replicaSet=rs0 (or MONGODB_URI)');
  const sqliteFile = path.join(config.dataDir, 'cadet.sqlite');
  if (!fs.existsSync(sqliteFile)) throw new UsageError(`there is no embedded store to copy at ${sqliteFile} (set DATA_DIR or --data-dir)`);
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw new UsageError('--batch-size must be a positive integer');
  const tty = process.stderr.isTTY;
  const report = await migrateDataDirToMongo({
    dataDir: config.dataDir,
    uri,
    ...((values.database ?? config.mongodbDatabase) && { database: values.database ?? config.mongodbDatabase }),
    ...(batchSize !== undefined && { batchSize }),
    onProgress: ({ table, copied, total }) => {
      const line = `${table}: ${copied}/${total}`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else if (copied === total) process.stderr.write(`${line}\n`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(`Copied ${config.dataDir} into MongoDB at ${report.hosts}, database ${report.database}\n`);
    for (const row of report.tables) process.stdout.write(`  ${row.table.padEnd(22)} ${String(row.source).padStart(9)} -> ${String(row.target).padStart(9)}${row.source === row.target ? '' : '  MISMATCH'}\n`);
    process.stdout.write(`  ${'package files'.padEnd(22)} ${String(report.packages.source).padStart(9)} -> ${String(report.packages.target).padStart(9)}\n`);
    const keyLine = { copied: 'copied', none: 'none in DATA_DIR (one is made on first start)', differs: 'DIFFERS: the database already holds another key; certificates signed with the file\'s key would not verify' }[report.signingKey];
    process.stdout.write(`  ${'signing key'.padEnd(22)} ${keyLine}\n`);
    const countsMatch = report.tables.every((row) => row.source === row.target) && report.packages.source === report.packages.target;
    if (report.ok) process.stdout.write('Counts match. Start the servers with STORE=mongodb and the same MONGODB_URI.\n');
    else if (!countsMatch) process.stdout.write('Counts differ: run the command again to resume, then compare.\n');
    else process.stdout.write('Counts match, but the signing keys differ: keep the database\'s key, or clear its `keys` collection and run the command again.\n');
  }
  return report.ok ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`cadet: ${(error as Error).message}\nRun cadet --help for usage.\n`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    process.stdout.write(help);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    if (command === 'serve') {
      await serve(values as Record<string, string | undefined>);
      return -1; // keeps running
    }
    if (command === 'credentials') return await credentials(rest, values);
    if (command === 'users') return await users(rest, values);
    if (command === 'import') return await importPackages(rest, values);
    if (command === 'rebuild-projections') return await rebuildProjections(values);
    if (command === 'migrate') return await migrate(values);
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    // A MongoDB server that cannot be reached is the operator's to fix: its message names the hosts.
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof AppError || (error instanceof Error && error.name === 'MongoConnectionError')) {
      process.stderr.write(`cadet: ${error.message}\n${error instanceof UsageError ? 'Run cadet --help for usage.\n' : ''}`);
      return error instanceof AppError ? 1 : 2;
    }
    throw error;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
