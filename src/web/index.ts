import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Access } from '../access/index.js';
import { findRepoRoot } from '../shared/json-schema.js';
import { registerAccessRequestPages } from './pages/access-request-pages.js';
import { registerAdminPages } from './pages/admin-pages.js';
import { registerSessionPages } from './pages/session-pages.js';
import { createPageKit } from './page-kit.js';

export { translate, translator, languages, pickLanguage } from './i18n/index.js';
export { safeNext } from './safe-redirect.js';

export interface WebDeps {
  readonly access: Access;
}

/** Where templates, the stylesheet and catalogues live (read at start-up, from the source tree). */
export const webDir = join(findRepoRoot(), 'src', 'web');

/**
 * The server-rendered pages of the access context (sign in, request access, set password, the approvers' queue,
 * user administration, LRS credentials, mail outbox) and the stylesheet. Pages call the same services as the
 * `/api` routes. Forms are urlencoded and carry the session's CSRF token (checked by the access guard).
 */
export function createWeb({ access }: WebDeps) {
  const stylesheet = readFileSync(join(webDir, 'static', 'cadet.css'));

  async function plugin(app: FastifyInstance): Promise<void> {
    await app.register(formbody);
    await app.register(view, {
      engine: { eta: new Eta({ autoEscape: true, autoTrim: false, cache: true, views: join(webDir, 'views') }) },
      root: join(webDir, 'views'),
      production: true,
    });
    const kit = createPageKit(access);

    app.addHook('onSend', async (_request, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        reply.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        reply.header('X-Frame-Options', 'DENY');
        reply.header('X-Content-Type-Options', 'nosniff');
        // The set-password page's URL holds a token: never send it on in a Referer.
        reply.header('Referrer-Policy', 'no-referrer');
        reply.header('Cache-Control', 'no-store');
      }
      return payload;
    });

    app.setErrorHandler(async (error: FastifyError, request, reply) => kit.renderError(request, reply, error));

    app.get('/static/cadet.css', { config: { policy: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(stylesheet),
    );

    registerSessionPages(app, access, kit);
    registerAccessRequestPages(app, access, kit);
    registerAdminPages(app, access, kit);
  }

  return { plugin };
}
