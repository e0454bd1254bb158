import type { FastifyInstance } from 'fastify';
import { actorOf, TooManyAttempts, userOf, minPasswordLength, type Access } from '../access-exports.js';
import type { PageKit } from '../page-kit.js';
import { safeNext } from '../safe-redirect.js';

type Form = Record<string, string | string[] | undefined>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');
const hidden = { hide: true };

/** Notices a redirect may ask for by name (never text from the URL). */
const notices = new Set(['password-set', 'signed-out']);

export function registerSessionPages(app: FastifyInstance, access: Access, kit: PageKit): void {
  const home = '/account';

  app.get<{ Querystring: { next?: string; done?: string } }>('/sign-in', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const done = request.query.done;
    return kit.render(request, reply, 'sign-in', {
      title: tr.t('sign-in.title'),
      next: safeNext(request.query.next, home),
      notice: done && notices.has(done) ? tr.t(`notice.${done}`) : null,
    });
  });

  app.post<{ Body: Form }>('/sign-in', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const next = safeNext(request.body.next, home);
    try {
      const session = await access.sessions.signIn(request.body.email, request.body.password, actorOf(request), request.access?.session ?? null);
      access.cookies.set(reply, session);
      return reply.redirect(next, 303);
    } catch (error) {
      const tr = kit.translatorFor(request);
      const title = tr.t('sign-in.title');
      const values = { email: text(request.body.email) };
      if (error instanceof TooManyAttempts) {
        reply.header('Retry-After', String(error.retryAfterSeconds));
        return kit.render(request, reply, 'sign-in', { title, next, values, errors: { _form: tr.t('errors.too-many-attempts', { seconds: error.retryAfterSeconds }) } }, 429);
      }
      const { errors, status } = kit.fieldErrors(request, error);
      return kit.render(request, reply, 'sign-in', { title, next, values, errors }, status);
    }
  });

  app.post('/sign-out', { config: { policy: 'signed-in' }, schema: hidden }, async (request, reply) => {
    await access.sessions.signOut(request.access!.session!, actorOf(request));
    access.cookies.clear(reply);
    return reply.redirect('/sign-in?done=signed-out', 303);
  });

  app.get('/account', { config: { policy: 'signed-in' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    return kit.render(request, reply, 'account', { title: tr.t('account.title'), account: userOf(request) });
  });

  app.get('/forgot-password', { config: { policy: 'public' }, schema: hidden }, async (request, reply) =>
    kit.render(request, reply, 'forgot-password', { title: kit.translatorFor(request).t('forgot.title') }),
  );

  app.post<{ Body: Form }>('/forgot-password', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    try {
      await access.users.requestPasswordReset(request.body.email, actorOf(request));
    } catch (error) {
      const { errors, status } = kit.fieldErrors(request, error);
      return kit.render(request, reply, 'forgot-password', { title: tr.t('forgot.title'), values: { email: text(request.body.email) }, errors }, status);
    }
    return kit.render(request, reply, 'message', { title: tr.t('forgot.sent.title'), message: tr.t('forgot.sent.body') });
  });

  app.get<{ Querystring: { token?: string } }>('/set-password', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const token = text(request.query.token);
    const link = await access.users.checkLink(token);
    if (!link.valid) {
      return kit.render(request, reply, 'message', { title: tr.t('set-password.invalid.title'), message: tr.t('set-password.invalid.body'), link: { href: '/forgot-password', label: tr.t('forgot.title') } }, 400);
    }
    return kit.render(request, reply, 'set-password', { title: tr.t(link.purpose === 'invitation' ? 'set-password.title.invitation' : 'set-password.title.reset'), token, email: link.email, minLength: minPasswordLength });
  });

  app.post<{ Body: Form }>('/set-password', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const token = text(request.body.token);
    const render = (errors: Record<string, string>, status: number) =>
      kit.render(request, reply, 'set-password', { title: tr.t('set-password.title.reset'), token, email: null, minLength: minPasswordLength, errors }, status);
    if (text(request.body.password) !== text(request.body.confirm)) return render({ confirm: tr.t('errors.password-mismatch') }, 400);
    try {
      await access.users.setPassword(token, request.body.password, actorOf(request));
    } catch (error) {
      const { errors, status } = kit.fieldErrors(request, error);
      return render(errors, status);
    }
    return reply.redirect('/sign-in?done=password-set', 303);
  });
}
