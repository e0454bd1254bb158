import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import type { PackageFileStore } from '../store/ports.js';
import { mediaTypeOfFile } from './media-types.js';
import type { RuntimeService } from './runtime-service.js';

export interface ContentServerDeps {
  readonly runtime: Pick<RuntimeService, 'filesFor'>;
  readonly files: Pick<PackageFileStore, 'stat' | 'read'>;
  /** The SCORM player page for a launch token. */
  readonly playerPage: (token: string) => Promise<string>;
  /** Static files of the player (its script, stylesheet, scorm-again). */
  readonly playerAssets: ReadonlyMap<string, { readonly content: Buffer; readonly contentType: string }>;
  readonly logLevel: string;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range); null when absent or unsatisfiable. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * The content origin (DESIGN.md "Runtime flow and isolation"): package files and the player, on their own
 * origin, answering only to launch tokens and never reading or setting cookies. Uploaded packages are
 * untrusted code: nothing here can act on the app origin with the learner's session.
 */
export async function buildContentServer({ runtime, files, playerPage, playerAssets, logLevel }: ContentServerDeps): Promise<FastifyInstance> {
  // Launch tokens travel in the path (relative URLs inside a package must keep them): allow long parameters.
  const app = Fastify({ logger: logLevel === 'silent' ? false : { level: logLevel }, return503OnClosing: true, forceCloseConnections: 'idle', routerOptions: { maxParamLength: 4096 } });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof AppError) return reply.code(error.statusCode).type('text/plain; charset=utf-8').send(error.message);
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'content request failed');
    return reply.code(status >= 500 ? 500 : status).type('text/plain; charset=utf-8').send(status >= 500 ? 'error' : error.message);
  });

  /** One stat per request: 304 when the client's copy is current, else the file or the asked range. */
  async function sendFile(reply: FastifyReply, key: string, relativePath: string, headers: { range?: string; 'if-none-match'?: string }) {
    const info = await files.stat(key, relativePath);
    if (!info) return reply.code(404).type('text/plain; charset=utf-8').send(`${relativePath} is not in this package`);
    const etag = `"${key.slice(0, 8)}-${info.sizeBytes.toString(16)}-${Math.floor(info.modifiedMs).toString(16)}"`;
    if (headers['if-none-match'] === etag) return reply.code(304).header('ETag', etag).send();
    reply
      .header('Accept-Ranges', 'bytes')
      .header('ETag', etag)
      .header('Last-Modified', new Date(info.modifiedMs).toUTCString())
      // A version's files never change; the token in the path makes the URL private to one launch.
      .header('Cache-Control', 'private, max-age=3600')
      .type(mediaTypeOfFile(relativePath));
    const range = parseRange(headers.range, info.sizeBytes);
    if (range === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${info.sizeBytes}`).send();
    if (range) {
      return reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${info.sizeBytes}`)
        .header('Content-Length', String(range.end - range.start + 1))
        .send(files.read(key, relativePath, range));
    }
    return reply.header('Content-Length', String(info.sizeBytes)).send(files.read(key, relativePath));
  }

  // Package files: /c/<launch token>/<path in the package>. Relative URLs inside the package keep the token.
  app.get<{ Params: { token: string; '*': string } }>('/c/:token/*', async (request, reply) => {
    const { version } = await runtime.filesFor(request.params.token);
    const relativePath = decodeURIComponent(request.params['*'] ?? '');
    if (relativePath === '' || relativePath.split('/').some((segment) => segment === '..')) {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    }
    return sendFile(reply, version.filesKey, relativePath, request.headers);
  });

  app.get<{ Params: { token: string } }>('/player/:token', async (request, reply) =>
    reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(await playerPage(request.params.token)),
  );

  app.get<{ Params: { name: string } }>('/player/assets/:name', async (request, reply) => {
    const asset = playerAssets.get(request.params.name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply.type(asset.contentType).header('Cache-Control', 'public, max-age=3600').send(asset.content);
  });

  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}
