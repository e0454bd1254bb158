import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../errors.js';
import type { Learner, RuntimeService } from './runtime-service.js';

export interface RuntimeRoutesDeps {
  readonly runtime: RuntimeService;
  /** The content origin, the only one allowed to call commit and navigate from a browser. */
  readonly contentOrigin: string;
  readonly learnerById: (userId: string) => Promise<Learner>;
}

/** The launch token: `?token=` (sendBeacon cannot set headers) or `Authorization: Bearer`. */
function tokenOf(request: FastifyRequest): string | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (typeof query.token === 'string') return query.token;
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** The commit body: JSON, or the text/plain JSON sendBeacon sends on unload. */
function commitBody(request: FastifyRequest): Record<string, unknown> {
  let body: unknown = request.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString());
    } catch {
      throw invalid('commit-not-json', 'the commit body is not JSON', { path: '' });
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('commit-not-object', 'the commit body must be a JSON object', { path: '' });
  return body as Record<string, unknown>;
}

const tags = ['runtime'];

/**
 * The app-origin side of a launch: learners launch with their session; the player commits and navigates with
 * the launch token, through CORS limited to the content origin and never with credentials (DESIGN.md).
 */
export function registerRuntimeRoutes(app: FastifyInstance, { runtime, contentOrigin, learnerById }: RuntimeRoutesDeps): void {
  app.post<{ Params: { slug: string }; Body: { unit?: string } | undefined }>(
    '/courses/:slug/launch',
    {
      config: { policy: 'courses.take' },
      schema: {
        tags,
        summary: 'Launch a course: continue the learner\'s registration (or enrol) and answer the URL to open',
        body: { type: 'object', properties: { unit: { type: 'string', minLength: 1 } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { url: { type: 'string' }, registration: { type: 'string' }, unit: { type: 'string' } } } },
      },
    },
    async (request) => {
      const user = request.access!.user!;
      const launched = await runtime.launch({ id: user.id, name: user.name }, request.params.slug, request.body?.unit ? { unit: request.body.unit } : {});
      return { url: launched.url, registration: launched.registration, unit: launched.unit };
    },
  );

  app.register(async (scope) => {
    scope.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.addHook('onRequest', async (_request, reply) => {
      reply.header('Access-Control-Allow-Origin', contentOrigin);
      reply.header('Vary', 'Origin');
    });
    const preflight = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Content-Type, Authorization')
        .header('Access-Control-Max-Age', '86400')
        .code(204)
        .send();
    scope.options('/runtime/commit', { config: { policy: 'public' }, schema: { hide: true } }, preflight);
    scope.options('/runtime/navigate', { config: { policy: 'public' }, schema: { hide: true } }, preflight);
    scope.options('/runtime/cmi5/fetch', { config: { policy: 'public' }, schema: { hide: true } }, preflight);

    // cmi5 §8.2: the AU POSTs to the fetch URL from the launch URL and gets its auth token, once.
    scope.post('/runtime/cmi5/fetch', { config: { policy: 'launch-token' }, schema: { tags, summary: 'cmi5 fetch URL: the AU\'s auth token (single use)' } }, async (request, reply) => {
      const answer = await runtime.cmi5Fetch(tokenOf(request) as string);
      return reply.code(answer.status).send(answer.body);
    });

    scope.post('/runtime/commit', { config: { policy: 'launch-token' }, schema: { tags, summary: 'A SCORM commit from the player (scorm-again JSON; launch token in ?token= or Bearer)' } }, async (request) => {
      const body = commitBody(request);
      const query = (request.query ?? {}) as Record<string, unknown>;
      const sequence = typeof body.commitSequence === 'number' ? body.commitSequence : undefined;
      const terminate = query.terminate === 'true' || body.isTerminateCommit === true;
      await runtime.commit(tokenOf(request) as string, body, { ...(sequence !== undefined && { sequence }), terminate });
      // What scorm-again expects back from its commit URL.
      return { result: true, errorCode: 0 };
    });

    scope.post<{ Body: { target?: string; request?: 'continue' | 'previous' | 'exit'; check?: boolean } }>(
      '/runtime/navigate',
      {
        config: { policy: 'launch-token' },
        schema: {
          tags,
          summary: 'Open another unit of the launched course (table of contents, previous/next, or what sequencing decides once the SCO ended)',
          description:
            '`exit`: the SCO ended without a navigation request. Answers `{url}` to open, `{end: "course"}` when the sequencing rules end the course (exitAll), `{end: "wait"}` when the learner chooses next; with `check: true`, `{allowed: true}` or the refusal, and nothing is opened.',
          body: {
            type: 'object',
            properties: { target: { type: 'string', minLength: 1 }, request: { enum: ['continue', 'previous', 'exit'] }, check: { type: 'boolean' } },
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const body = request.body ?? {};
        if (body.target === undefined && body.request === undefined) throw invalid('navigate-what', 'say where to go: target or request', { parameter: 'target' });
        return runtime.navigate(tokenOf(request) as string, body, learnerById);
      },
    );
  });
}
