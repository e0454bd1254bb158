import type { FastifyInstance } from 'fastify';
import { actorOf, countryCodes, grantOf, userOf, type Access } from '../access-exports.js';
import type { PageKit } from '../page-kit.js';

type Form = Record<string, string | string[] | undefined>;
const hidden = { hide: true };
const fields = ['name', 'email', 'agency', 'country', 'position', 'reason'] as const;
const statuses = ['pending', 'approved', 'rejected', 'all'] as const;

export function registerAccessRequestPages(app: FastifyInstance, access: Access, kit: PageKit): void {
  const countriesFor = (request: Parameters<PageKit['translatorFor']>[0]) => {
    const tr = kit.translatorFor(request);
    return countryCodes.map((code) => ({ value: code, label: tr.country(code) })).sort((a, b) => a.label.localeCompare(b.label, tr.lang));
  };

  app.get('/request-access', { config: { policy: 'public' }, schema: hidden }, async (request, reply) =>
    kit.render(request, reply, 'request-access', { title: kit.translatorFor(request).t('request.title'), countries: countriesFor(request) }),
  );

  app.post<{ Body: Form }>('/request-access', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const values = Object.fromEntries(fields.map((f) => [f, typeof request.body[f] === 'string' ? request.body[f] : '']));
    try {
      await access.accessRequests.submit({ ...values, language: tr.lang }, actorOf(request));
    } catch (error) {
      const { errors, status } = kit.fieldErrors(request, error);
      return kit.render(request, reply, 'request-access', { title: tr.t('request.title'), countries: countriesFor(request), values, errors }, status);
    }
    return reply.redirect('/request-access/sent', 303);
  });

  app.get('/request-access/sent', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    return kit.render(request, reply, 'message', { title: tr.t('request.sent.title'), message: tr.t('request.sent.body') });
  });

  app.get<{ Querystring: { status?: string } }>('/access-requests', { config: { policy: 'access-requests.review' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const status = statuses.find((s) => s === request.query.status) ?? 'pending';
    const requests = await access.accessRequests.queue(grantOf(request), status === 'all' ? undefined : status);
    return kit.render(request, reply, 'access-requests', {
      title: tr.t('queue.title'),
      status,
      statuses,
      requests,
      staleDays: access.settings.accessRequestStaleDays,
    });
  });

  const decided = (request: Parameters<PageKit['translatorFor']>[0], reply: Parameters<PageKit['render']>[1]) => async (error: unknown) => {
    const { errors, status } = kit.fieldErrors(request, error);
    const tr = kit.translatorFor(request);
    return kit.render(request, reply, 'message', { title: tr.t('queue.title'), message: Object.values(errors)[0], link: { href: '/access-requests', label: tr.t('queue.back') } }, status);
  };

  app.post<{ Params: { id: string } }>('/access-requests/:id/approve', { config: { policy: 'access-requests.review' }, schema: hidden }, async (request, reply) => {
    try {
      await access.accessRequests.approve(request.params.id, grantOf(request), userOf(request), request.ip);
    } catch (error) {
      return decided(request, reply)(error);
    }
    return reply.redirect('/access-requests', 303);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/access-requests/:id/reject', { config: { policy: 'access-requests.review' }, schema: hidden }, async (request, reply) => {
    try {
      await access.accessRequests.reject(request.params.id, request.body.reason, grantOf(request), userOf(request), request.ip);
    } catch (error) {
      return decided(request, reply)(error);
    }
    return reply.redirect('/access-requests', 303);
  });
}
