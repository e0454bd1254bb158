/**
 * End-to-end helpers: a real `cadet serve` child (app on 127.0.0.1:PORT, content origin on localhost:CONTENT_PORT,
 * so two origins and two cookie hosts), users and packages made with the CLI on its DATA_DIR, a learner signed in
 * inside a browser context, launches, the player's frames, and what the LRS holds, read with an LRS credential.
 */
import type { Test } from 'tap';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchBrowser } from '../fixtures/browser.js';
import { addCredential, basicAuth, freePort, removeDataDir, runCli, startServer, type CliCredential, type ServerProcess } from '../fixtures/server-process.js';

export interface E2eServer {
  readonly server: ServerProcess;
  /** The app origin (PUBLIC_URL), e.g. http://127.0.0.1:41234. */
  readonly appUrl: string;
  /** The content origin (CONTENT_URL). */
  readonly contentUrl: string;
  readonly lrs: CliCredential;
  readonly env: Readonly<Record<string, string>>;
}

export interface Learner {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

let learners = 0;

/**
 * Starts `cadet serve` on a fresh DATA_DIR (the first start imports the demo courses), makes an LRS credential
 * with scope `all`, and stops and removes everything at teardown. `sameHostContent` puts the content origin on
 * 127.0.0.1 too (another port of the app's host: the same cookie host and the same site).
 */
export async function startE2eServer(t: Test, options: { sameHostContent?: boolean } = {}): Promise<E2eServer> {
  // The content port is picked here (startServer's own pick would not be known): "localhost" by default, so the
  // content origin is another origin, another site and another cookie host than the app's 127.0.0.1.
  const contentPort = await freePort();
  const contentUrl = `http://${options.sameHostContent ? '127.0.0.1' : 'localhost'}:${contentPort}`;
  const env = { CONTENT_PORT: String(contentPort), CONTENT_URL: contentUrl };
  const server = await startServer({ env });
  t.teardown(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
  });
  const lrs = await addCredential(server.dataDir, 'e2e', ['all']);
  return { server, appUrl: server.url, contentUrl, lrs, env: { DATA_DIR: server.dataDir, LOG_LEVEL: 'warn', PUBLIC_URL: server.url, ...env } };
}

/** `cadet ARGS` on the server's DATA_DIR; throws with stderr unless it exits 0. */
export async function cli(e2e: E2eServer, args: readonly string[]): Promise<string> {
  const result = await runCli(args, e2e.env, 60_000);
  if (result.code !== 0) throw new Error(`cadet ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A learner made with `cadet users add`, with a known password. */
export async function addLearner(e2e: E2eServer, name = 'Cadet Learner'): Promise<Learner> {
  learners += 1;
  const email = `learner${learners}-${process.pid}-${Date.now()}@academy.example`;
  const password = `e2e learner password ${learners}`;
  const out = await cli(e2e, ['users', 'add', '--email', email, '--name', name, '--role', 'learner', '--country', 'FR', '--password', password, '--json']);
  const { id } = JSON.parse(out) as { id: string };
  return { id, email, password, name };
}

/** `cadet import PATH --course SLUG`. */
export async function importPackage(e2e: E2eServer, file: string, slug: string): Promise<void> {
  await cli(e2e, ['import', file, '--course', slug, '--json']);
}

export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly csrfToken: string;
  /** Console messages and page errors of every page of the context, printed when the test ends. */
  readonly logs: string[];
}

/** A browser context signed in as the learner (`POST /api/session`, whose cookie lands in the context's jar). */
export async function signIn(t: Test, browser: Browser, e2e: E2eServer, learner: Learner): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-GB' });
  t.teardown(() => context.close());
  const logs: string[] = [];
  context.on('page', (page) => watch(page, logs));
  const page = await context.newPage();
  watch(page, logs);
  t.teardown(() => {
    if (logs.length > 0 && (t.counts.fail > 0 || process.env.E2E_LOGS === '1')) t.comment(logs.slice(-80).join('\n'));
  });
  // The SCOs ask "resume where you left off?" and "save your progress?": a learner says yes.
  page.on('dialog', (dialog) => void dialog.accept());
  const res = await page.request.post(`${e2e.appUrl}/api/session`, { data: { email: learner.email, password: learner.password } });
  if (res.status() !== 200) throw new Error(`sign-in answered ${res.status()}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  return { context, page, csrfToken: body.csrfToken, logs };
}

function watch(page: Page, logs: string[]): void {
  page.on('console', (message) => logs.push(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => logs.push(`pageerror: ${String(error)}`));
}

export interface Launched {
  readonly url: string;
  readonly registration: string;
  readonly unit: string;
}

/** `POST /api/courses/:slug/launch` with the session (a JSON body: CSRF-safe), then opens the answered URL. */
export async function launch(session: Session, e2e: E2eServer, slug: string, unit?: string): Promise<Launched> {
  const res = await session.page.request.post(`${e2e.appUrl}/api/courses/${slug}/launch`, { data: unit ? { unit } : {} });
  if (res.status() !== 200) throw new Error(`launch of ${slug} answered ${res.status()}: ${await res.text()}`);
  const launched = (await res.json()) as Launched;
  await session.page.goto(launched.url);
  return launched;
}

/** The JSON the player page embedded (`#cadet-player-data`): what it loads into scorm-again. */
export async function playerData(page: Page): Promise<{ initialCmi: Record<string, string>; lastCommitSequence: number; currentIdentifier: string | null; toc: Array<{ identifier: string }> }> {
  return page.evaluate(() => JSON.parse(document.getElementById('cadet-player-data')!.textContent!));
}

/** Waits for a frame whose URL matches, and returns it. */
export async function frameMatching(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<Frame> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const frame = page.frames().find((candidate) => pattern.test(candidate.url()));
    if (frame) return frame;
    if (Date.now() > until) throw new Error(`no frame matching ${pattern} (frames: ${page.frames().map((f) => f.url()).join(', ')})`);
    await page.waitForTimeout(50);
  }
}

/** Polls `check` until it returns a truthy value. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Statement {
  id: string;
  actor: { account?: { homePage: string; name: string }; name?: string };
  verb: { id: string };
  object: { id: string; definition?: { type?: string; interactionType?: string; name?: Record<string, string> } };
  result?: { completion?: boolean; success?: boolean; score?: { scaled?: number; raw?: number; min?: number; max?: number }; response?: string; duration?: string };
  context?: { registration?: string; contextActivities?: Record<string, Array<{ id: string }>>; extensions?: Record<string, unknown> };
  authority?: unknown;
  timestamp: string;
  stored: string;
}

/**
 * Every statement of a registration written by the runtime (SCORM commits, the LMS's cmi5 statements) or by the
 * content it launched (launch-token authority), oldest first, following `more`. Statements other contexts add to
 * the registration (e.g. a certificate's `earned`) are left out, so the sequences asserted here are the runtime's.
 */
export async function statementsOf(e2e: E2eServer, registration: string): Promise<Statement[]> {
  return (await allStatementsOf(e2e, registration)).filter((s) => (s.authority as { account?: { name?: string } } | undefined)?.account?.name === 'runtime');
}

/** Every statement of a registration, oldest first, following `more`. */
export async function allStatementsOf(e2e: E2eServer, registration: string): Promise<Statement[]> {
  const headers = { authorization: basicAuth(e2e.lrs.key, e2e.lrs.secret), 'x-experience-api-version': '1.0.3' };
  const all: Statement[] = [];
  let next: string | null = `/xapi/statements?registration=${registration}&ascending=true`;
  while (next) {
    const res: Response = await fetch(new URL(next, e2e.appUrl), { headers });
    if (res.status !== 200) throw new Error(`GET ${next} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { statements: Statement[]; more?: string };
    all.push(...body.statements);
    next = body.more ? body.more : null;
  }
  return all;
}

export const verbOf = (statement: Pick<Statement, 'verb'>) => statement.verb.id.replace(/^.*\//, '');
export const verbsOf = (statements: readonly Pick<Statement, 'verb'>[]) => statements.map(verbOf);

/** Waits until the registration's statements satisfy `done`, and returns them. */
export async function statementsUntil(e2e: E2eServer, registration: string, done: (statements: Statement[]) => boolean, what: string, timeoutMs = 15_000): Promise<Statement[]> {
  let last: Statement[] = [];
  try {
    return await waitFor(async () => {
      last = await statementsOf(e2e, registration);
      return done(last) ? last : null;
    }, what, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the LRS holds: ${verbsOf(last).join(' ')}`);
  }
}

export { launchBrowser };
