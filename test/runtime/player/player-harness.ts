/**
 * Two origins for the player's browser tests, as in production (DESIGN.md, "Runtime flow and
 * isolation"): a fake APP origin on 127.0.0.1 with the commit and navigate endpoints (CORS for the
 * content origin, never with credentials), and a CONTENT origin on localhost serving the player
 * page, its assets and an extracted package from ../shared/fixtures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import Fastify, { type FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import type { Test } from 'tap';
import type { Frame, Page } from 'playwright-core';
import { playerAssets, renderPlayerPage, type PlayerPageData, type PlayerTocEntry } from '../../../src/runtime/player/index.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';

export interface PackageUnit {
  identifier: string;
  title: string;
  depth: number;
  /** Launch path relative to the package root, parameters included; absent for a cluster. */
  href?: string;
}

export interface ExtractedPackage {
  dir: string;
  title: string;
  units: PackageUnit[];
}

/** Extracts a shared fixture into a temporary folder (removed at teardown) and reads its organization. */
export function extractFixture(t: Test, ...parts: string[]): ExtractedPackage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-player-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  new AdmZip(sharedFixture(...parts)).extractAllTo(dir, true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (name) => ['item', 'resource', 'organization'].includes(name) });
  const manifest = parser.parse(fs.readFileSync(path.join(dir, 'imsmanifest.xml'), 'utf8')).manifest;
  const resources = new Map<string, string>();
  for (const resource of manifest.resources.resource) if (resource.href) resources.set(resource.identifier, resource.href);
  const organizations = manifest.organizations;
  const organization = organizations.organization.find((org: { identifier: string }) => org.identifier === organizations.default) ?? organizations.organization[0];
  const units: PackageUnit[] = [];
  const walk = (items: unknown[] | undefined, depth: number): void => {
    for (const item of (items ?? []) as Array<{ identifier: string; identifierref?: string; parameters?: string; title: string; item?: unknown[] }>) {
      const href = item.identifierref ? resources.get(item.identifierref) : undefined;
      units.push({ identifier: item.identifier, title: String(item.title), depth, href: href ? href + (item.parameters ?? '') : undefined });
      walk(item.item, depth + 1);
    }
  };
  walk(organization.item, 0);
  return { dir, title: String(organization.title), units };
}

export interface RecordedCommit {
  /** `/commit/<attempt>`: one attempt per unit launched. */
  attempt: string;
  token: string | undefined;
  sequence: number;
  terminate: boolean;
  contentType: string;
  body: CommitBody;
  receivedAt: number;
}

export interface CommitBody {
  commitSequence: number;
  completionStatus?: string;
  successStatus?: string;
  runtimeData: { cmi: Record<string, any>; adl?: Record<string, any> };
  [key: string]: unknown;
}

export interface RecordedNavigation {
  attempt: string;
  token: string | undefined;
  body: { target?: string; request?: string; check?: boolean };
  /** Commits the app had received for that attempt when the navigate request arrived. */
  commitsBefore: number;
}

export interface LaunchOptions {
  unit?: string;
  initialCmi?: Record<string, unknown>;
  lastCommitSequence?: number;
  autocommitSeconds?: number;
  statuses?: Record<string, string>;
  title?: string;
  labels?: PlayerPageData['labels'];
  sequencing?: unknown;
}

export interface Harness {
  appOrigin: string;
  contentOrigin: string;
  pkg: ExtractedPackage;
  scormVersion: PlayerPageData['scormVersion'];
  commits: RecordedCommit[];
  navigations: RecordedNavigation[];
  /** While true the app drops commit connections (as if the network were down). */
  refuseCommits: boolean;
  /** Answer to a navigate request; by default the player URL of the target (or the next/previous unit). */
  answerNavigation: (body: RecordedNavigation['body'], attempt: string) => { status: number; body: unknown };
  /** Registers a player page and returns its URL on the content origin. */
  launch(options?: LaunchOptions): string;
  commitsFor(attempt: string): RecordedCommit[];
  attemptOf(unit: string): string;
}

export async function startHarness(t: Test, pkg: ExtractedPackage, scormVersion: PlayerPageData['scormVersion']): Promise<Harness> {
  const app: FastifyInstance = Fastify();
  const content: FastifyInstance = Fastify();
  t.teardown(async () => {
    await app.close();
    await content.close();
  });
  const pages = new Map<string, PlayerPageData>();
  let launches = 0;

  const harness: Harness = {
    appOrigin: '',
    contentOrigin: '',
    pkg,
    scormVersion,
    commits: [],
    navigations: [],
    refuseCommits: false,
    answerNavigation: (body, attempt) => {
      const launchable = pkg.units.filter((unit) => unit.href);
      const from = launchable.findIndex((unit) => harness.attemptOf(unit.identifier) === attempt);
      const target =
        body.target ??
        (body.request === 'continue' ? launchable[from + 1]?.identifier : body.request === 'previous' ? launchable[from - 1]?.identifier : undefined);
      if (!target) return { status: 409, body: { message: 'no such unit' } };
      return { status: 200, body: { url: harness.launch({ unit: target }) } };
    },
    launch(options = {}) {
      const launchable = pkg.units.filter((unit) => unit.href);
      const unit = options.unit ? launchable.find((candidate) => candidate.identifier === options.unit) : launchable[0];
      if (!unit?.href) throw new Error(`no launchable unit ${options.unit}`);
      const id = `launch-${++launches}`;
      const attempt = harness.attemptOf(unit.identifier);
      const toc: PlayerTocEntry[] = pkg.units.map((entry) => ({
        identifier: entry.identifier,
        title: entry.title,
        depth: entry.depth,
        launchable: Boolean(entry.href),
        current: entry.identifier === unit.identifier,
        ...(options.statuses?.[entry.identifier] ? { status: options.statuses[entry.identifier] } : {}),
      }));
      pages.set(id, {
        title: options.title ?? pkg.title,
        lang: 'en',
        dir: 'ltr',
        scormVersion,
        launchUrl: `${harness.contentOrigin}/sco/${unit.href}`,
        commitUrl: `${harness.appOrigin}/commit/${attempt}?token=tok-${id}`,
        navigateUrl: `${harness.appOrigin}/navigate/${attempt}?token=tok-${id}`,
        exitUrl: `${harness.appOrigin}/course`,
        initialCmi: options.initialCmi ?? {},
        lastCommitSequence: options.lastCommitSequence ?? 0,
        sequencing: options.sequencing ?? null,
        toc,
        assetsBaseUrl: `${harness.contentOrigin}/assets/`,
        autocommitSeconds: options.autocommitSeconds ?? 1,
        ...(options.labels ? { labels: options.labels } : {}),
      });
      return `${harness.contentOrigin}/player/${id}`;
    },
    commitsFor(attempt) {
      return harness.commits.filter((commit) => commit.attempt === attempt);
    },
    attemptOf(unit) {
      return `attempt-${unit}`;
    },
  };

  // ---- app origin
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    if (harness.refuseCommits && request.url.startsWith('/commit/')) {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    // CORS for the content origin only, never with credentials (DESIGN.md).
    reply.header('access-control-allow-origin', harness.contentOrigin);
    reply.header('vary', 'Origin');
  });
  app.options('/*', async (_request, reply) => {
    reply
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'Content-Type')
      .header('access-control-max-age', '600')
      .code(204)
      .send();
  });
  app.post<{ Params: { attempt: string }; Querystring: { token?: string; terminate?: string } }>('/commit/:attempt', async (request) => {
    const body = request.body as CommitBody;
    harness.commits.push({
      attempt: request.params.attempt,
      token: request.query.token,
      sequence: body.commitSequence,
      terminate: request.query.terminate === 'true',
      contentType: String(request.headers['content-type']),
      body,
      receivedAt: Date.now(),
    });
    return { result: true, errorCode: 0 };
  });
  app.post<{ Params: { attempt: string }; Querystring: { token?: string } }>('/navigate/:attempt', async (request, reply) => {
    const body = request.body as RecordedNavigation['body'];
    harness.navigations.push({ attempt: request.params.attempt, token: request.query.token, body, commitsBefore: harness.commitsFor(request.params.attempt).length });
    const answer = harness.answerNavigation(body, request.params.attempt);
    return reply.code(answer.status).send(answer.body);
  });
  app.get('/course', async (_request, reply) => reply.type('text/html').send('<!DOCTYPE html><title>Course page</title><h1>Course page</h1>'));

  // ---- content origin
  content.get<{ Params: { id: string } }>('/player/:id', async (request, reply) => {
    const data = pages.get(request.params.id);
    if (!data) return reply.code(404).send('no such launch');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPlayerPage(data));
  });
  content.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = playerAssets.find((candidate) => candidate.name === request.params.name);
    if (!asset) return reply.code(404).send('no such asset');
    return reply.type(asset.contentType).send(fs.readFileSync(asset.file));
  });
  content.get('/sco/*', async (request, reply) => {
    const relative = decodeURIComponent((request.params as { '*': string })['*']);
    const file = path.resolve(pkg.dir, relative);
    if (!file.startsWith(pkg.dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return reply.code(404).send('not found');
    return reply.type(contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream').send(fs.readFileSync(file));
  });

  const appUrl = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  const contentPort = new URL(await content.listen({ host: '127.0.0.1', port: 0 })).port;
  harness.appOrigin = appUrl.origin;
  // `localhost` and `127.0.0.1` are different origins: the player commits cross-origin, as in production.
  harness.contentOrigin = `http://localhost:${contentPort}`;
  return harness;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.xml': 'application/xml',
};

/** Polls `check` until it returns a truthy value. */
export async function waitFor<T>(check: () => T | Promise<T>, description: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The frame whose URL contains `fragment` (the SCO's launch page inside the player). */
export async function frameWith(page: Page, fragment: string): Promise<Frame> {
  return waitFor(() => page.frames().find((frame) => frame.url().includes(fragment)), `a frame at ${fragment}`);
}

/** Flattened SCORM element names of a commit's runtimeData, for readable assertions. */
export function flatten(value: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      Object.assign(out, flatten(child, prefix ? `${prefix}.${key}` : key));
    }
  } else {
    out[prefix] = value;
  }
  return out;
}
