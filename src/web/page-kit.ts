import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { admits, AppError, type Access, type Policy } from './access-exports.js';
import { grantFor, type PolicyAction } from '../access/index.js';
import { pickLanguage, translator, type Translator } from './i18n/index.js';

interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly policy: Policy;
  /** Shown only when the policy's grant reaches beyond the user's own records (reports: not for learners). */
  readonly beyondOwn?: boolean;
}

/** The navigation: each link shown to the roles its page's policy admits, from the same table the guard uses. */
const nav: readonly NavItem[] = [
  { href: '/courses', label: 'nav.courses', policy: 'courses.take' },
  { href: '/author/courses', label: 'nav.author', policy: 'courses.manage' },
  { href: '/account', label: 'nav.account', policy: 'signed-in' },
  { href: '/access-requests', label: 'nav.queue', policy: 'access-requests.review' },
  { href: '/users', label: 'nav.users', policy: 'users.manage' },
  { href: '/credentials', label: 'nav.credentials', policy: 'credentials.manage' },
  { href: '/outbox', label: 'nav.outbox', policy: 'mail.read' },
  { href: '/reports', label: 'nav.reports', policy: 'records.read', beyondOwn: true },
  { href: '/certificates', label: 'nav.certificates', policy: 'records.read' },
  { href: '/admin/certificates', label: 'nav.certificate-admin', policy: 'certificates.revoke' },
];

const anonymousNav = [
  { href: '/sign-in', label: 'nav.sign-in' },
  { href: '/request-access', label: 'nav.request-access' },
];

export type FieldErrors = Record<string, string>;

/** Rendering with the layout's data (language, direction, navigation, CSRF token), and errors as pages. */
export function createPageKit(access: Access) {
  const translatorFor = (request: FastifyRequest): Translator =>
    translator(pickLanguage(request.access?.user?.language, request.headers['accept-language']));

  /** The visitor's session, made (anonymous) if there is none, so every form can carry a CSRF token. */
  async function sessionFor(request: FastifyRequest, reply: FastifyReply) {
    const existing = request.access?.session;
    if (existing) return existing;
    const session = await access.sessions.startAnonymous();
    access.cookies.set(reply, session);
    return session;
  }

  async function render(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
    const tr = translatorFor(request);
    const session = await sessionFor(request, reply);
    const user = request.access?.user ?? null;
    const path = request.url.split('?')[0];
    const links = user
      ? nav.filter((item) => admits(item.policy, user) && (!item.beyondOwn || grantFor(user, item.policy as PolicyAction)?.scope !== 'own')).map((item) => ({ href: item.href, label: item.label }))
      : anonymousNav;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .view(template, {
        errors: {},
        values: {},
        notice: null,
        ...data,
        t: tr.t,
        country: tr.country,
        lang: tr.lang,
        dir: tr.dir,
        user,
        nav: links.map((item) => ({ ...item, current: item.href === path })),
        csrfToken: session.record.csrfToken,
      });
  }

  /** An error in the reader's language: the catalogue's `errors.<code>` if there is one, else the English message. */
  function describe(request: FastifyRequest, error: { code?: string; message: string; data?: Record<string, unknown> }): string {
    const tr = translatorFor(request);
    const key = `errors.${error.code ?? ''}`;
    return tr.has(key) ? tr.t(key, (error.data ?? {}) as Record<string, string>) : error.message;
  }

  /** An `AppError` that names a field becomes that field's message; others become the form's message. */
  function fieldErrors(request: FastifyRequest, error: unknown): { errors: FieldErrors; status: number } {
    if (error instanceof AppError) {
      const field = typeof error.data.parameter === 'string' ? error.data.parameter : '_form';
      return { errors: { [field]: describe(request, error) }, status: error.statusCode };
    }
    throw error;
  }

  async function renderError(request: FastifyRequest, reply: FastifyReply, error: FastifyError | AppError) {
    if (error instanceof AppError && error.code === 'sign-in-required' && request.method === 'GET') {
      return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
    }
    const status = error instanceof AppError ? error.statusCode : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, 'page failed');
    const tr = translatorFor(request);
    const message = status >= 500 ? tr.t('errors.internal') : describe(request, error as AppError);
    const code = status >= 500 ? 'internal' : ((error as { code?: string }).code ?? 'error');
    const title = tr.t(tr.has(`error.title.${status}`) ? `error.title.${status}` : 'error.title.other');
    return render(request, reply, 'error', { title, message, status, code }, status >= 500 ? 500 : status);
  }

  return { render, renderError, fieldErrors, describe, translatorFor };
}

export type PageKit = ReturnType<typeof createPageKit>;
