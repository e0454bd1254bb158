/**
 * Helpers for the demo course tests: where the packages are, and a tiny static server on
 * 127.0.0.1 that serves one package folder under /pkg/, scorm-again's browser builds under
 * /lms/ and a host page (the stand-in LMS) at /.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Test } from 'tap';
import { findRepoRoot } from '../../src/shared/json-schema.js';

export const repoRoot = findRepoRoot();
export const contentPackages = path.join(repoRoot, 'content-packages');

export function packageDir(name: string): string {
  return path.join(contentPackages, name);
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Resolves `relative` inside `root`, or undefined when it would escape it. */
function inside(root: string, relative: string): string | undefined {
  const full = path.resolve(root, '.' + path.posix.normalize('/' + relative));
  return full.startsWith(root + path.sep) ? full : undefined;
}

export interface ServedPackage {
  readonly url: string;
  /** Requests the package made, in order (path only), to check that nothing left the package. */
  readonly requests: string[];
}

export interface ServeOptions {
  /** The host page served at `/`. */
  readonly hostPage: string;
  /** Extra routes (e.g. a fake LRS), tried before the static files; return true when handled. */
  readonly handle?: (request: http.IncomingMessage, response: http.ServerResponse, body: string) => boolean;
  /** Files served instead of the package's own, by URL path (e.g. bundles built into a temporary folder). */
  readonly overrides?: Readonly<Record<string, string>>;
}

export async function servePackage(t: Test, pkg: string, options: ServeOptions): Promise<ServedPackage> {
  const root = packageDir(pkg);
  const lms = path.join(repoRoot, 'node_modules', 'scorm-again', 'dist');
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      requests.push(url.pathname);
      if (options.handle?.(request, response, Buffer.concat(chunks).toString('utf8'))) return;
      if (url.pathname === '/') {
        response.writeHead(200, { 'content-type': TYPES['.html'] }).end(options.hostPage);
        return;
      }
      const [, mount, ...rest] = url.pathname.split('/');
      const base = mount === 'pkg' ? root : mount === 'lms' ? lms : undefined;
      const file = options.overrides?.[url.pathname] ?? (base === undefined ? undefined : inside(base, decodeURIComponent(rest.join('/'))));
      if (file === undefined || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      response.end(fs.readFileSync(file));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** Collects what a page printed or threw, shown when the test ends, to read when an assertion fails. */
export function collectLogs(t: Test, tab: import('playwright-core').Page): string[] {
  const logs: string[] = [];
  tab.on('console', (message) => logs.push(`console.${message.type()}: ${message.text()}`));
  tab.on('pageerror', (error) => logs.push(`pageerror: ${String(error)}`));
  t.teardown(() => {
    if (logs.length > 0) t.comment(logs.join('\n'));
  });
  return logs;
}

export interface FakeLrs {
  readonly statements: Record<string, unknown>[];
  readonly state: Map<string, string>;
  /** Authorization headers seen on xAPI requests. */
  readonly auth: string[];
  stateKey(activityId: string, registration: string | undefined, stateId: string): string;
  handle(request: http.IncomingMessage, response: http.ServerResponse, body: string): boolean;
}

/**
 * Just enough of an LRS, same origin as the content, for the demo courses: statements (POST/PUT),
 * the State API, agent profiles (always 404) and a cmi5 fetch URL at /fetch.
 */
export function fakeLrs(authToken = 'dGVzdDp0b2tlbg=='): FakeLrs {
  const statements: Record<string, unknown>[] = [];
  const state = new Map<string, string>();
  const auth: string[] = [];
  const stateKey = (activityId: string, registration: string | undefined, stateId: string): string => `${activityId}|${registration ?? ''}|${stateId}`;
  return {
    statements,
    state,
    auth,
    stateKey,
    handle(request, response, body) {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/fetch' && request.method === 'POST') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ 'auth-token': authToken }));
        return true;
      }
      if (!url.pathname.startsWith('/xapi/')) return false;
      auth.push(String(request.headers.authorization ?? ''));
      const resource = url.pathname.slice('/xapi/'.length);
      if (resource === 'statements' && (request.method === 'POST' || request.method === 'PUT')) {
        const parsed = JSON.parse(body) as Record<string, unknown> | Record<string, unknown>[];
        const list = Array.isArray(parsed) ? parsed : [parsed];
        statements.push(...list);
        if (request.method === 'PUT') response.writeHead(204).end();
        else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list.map((s) => s.id ?? 'generated')));
        return true;
      }
      if (resource === 'activities/state') {
        const key = stateKey(url.searchParams.get('activityId') ?? '', url.searchParams.get('registration') ?? undefined, url.searchParams.get('stateId') ?? '');
        if (request.method === 'GET') {
          const doc = state.get(key);
          if (doc === undefined) response.writeHead(404).end();
          else response.writeHead(200, { 'content-type': 'application/json' }).end(doc);
        } else {
          state.set(key, body);
          response.writeHead(204).end();
        }
        return true;
      }
      response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return true;
    },
  };
}
