import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Access } from '../access/index.js';
import { findRepoRoot } from '../shared/json-schema.js';
import { registerAccessRequestPages } from './pages/access-request-pages.js';
import { registerAdminPages } from './pages/admin-pages.js';
import { registerCertificatePages, type CertificatePagesDeps } from './pages/certificate-pages.js';
import { registerCoursePages, type CoursePagesDeps, type PageSources } from './pages/course-pages.js';
import { registerSessionPages } from './pages/session-pages.js';
import { registerReportPages, type ReportPagesDeps } from './pages/report-pages.js';
import { createPageKit } from './page-kit.js';

export { translate, translator, languages, pickLanguage } from './i18n/index.js';
export { safeNext } from './safe-redirect.js';

export interface WebDeps {
  readonly access: Access;
  /** The catalog and runtime services behind the course pages (learners' catalog, authors' page). */
  readonly courses: CoursePagesDeps;
  /** The analysts' reports and the statement explorer (records context). */
  readonly reports?: ReportPagesDeps;
  /** Certificates: the public verification page and the learner's list (null without a certificate store). */
  readonly certificates?: CertificatePagesDeps | null;
}

/** Where templates, the stylesheet and catalogues live (read at start-up, from the source tree). */
export const webDir = join(findRepoRoot(), 'src', 'web');

/**
 * The server-rendered pages of the access context (sign in, request access, set password, the approvers' queue,
 * user administration, LRS credentials, mail outbox), the learners' and authors' course pages, the stylesheet and
 * the upload script. Pages call the same services as the `/api` routes. Forms are urlencoded and carry the
 * session's CSRF token (checked by the access guard); the one multipart form (upload) posts from its script with
 * the `X-CSRF-Token` header.
 */
export function createWeb({ access, courses, reports, certificates }: WebDeps) {
  const stylesheet = readFileSync(join(webDir, 'static', 'cadet.css'));
  const uploadScript = readFileSync(join(webDir, 'static', 'upload.js'));
  // What a page's handler allowed beyond the default policy (a script of its own, a form redirecting elsewhere).
  const pageSources = new WeakMap<FastifyRequest, PageSources>();
  const allow = (request: FastifyRequest, sources: PageSources) => pageSources.set(request, sources);

  async function plugin(app: FastifyInstance): Promise<void> {
    await app.register(formbody);
    await app.register(view, {
      engine: { eta: new Eta({ autoEscape: true, autoTrim: false, cache: true, views: join(webDir, 'views') }) },
      root: join(webDir, 'views'),
      production: true,
    });
    const kit = createPageKit(access);

    app.addHook('onSend', async (request, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        const sources = pageSources.get(request) ?? {};
        const scripts = sources.scripts ? " script-src 'self'; connect-src 'self';" : '';
        const formTargets = ["'self'", ...(sources.formTargets ?? [])].join(' ');
        reply.header('Content-Security-Policy', `default-src 'none';${scripts} style-src 'self'; img-src 'self'; form-action ${formTargets}; frame-ancestors 'none'; base-uri 'none'`);
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
    app.get('/static/upload.js', { config: { policy: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=3600').header('X-Content-Type-Options', 'nosniff').send(uploadScript),
    );

    registerSessionPages(app, access, kit);
    registerAccessRequestPages(app, access, kit);
    registerAdminPages(app, access, kit);
    registerCoursePages(app, kit, courses, allow);
    if (reports) registerReportPages(app, kit, reports);
    if (certificates) registerCertificatePages(app, kit, certificates);
  }

  return { plugin };
}
