import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, allScopes, roleNames, userOf, type Access } from '../access-exports.js';
import type { FieldErrors, PageKit } from '../page-kit.js';

type Form = Record<string, string | string[] | undefined>;
const hidden = { hide: true };
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : []);
const countryList = (value: unknown) =>
  (typeof value === 'string' ? value : '')
    .split(/[\s,;]+/)
    .map((c) => c.trim())
    .filter(Boolean);

/** User administration, LRS credentials and the mail outbox: the admin's pages. */
export function registerAdminPages(app: FastifyInstance, access: Access, kit: PageKit): void {
  async function usersPage(request: FastifyRequest, reply: FastifyReply, errors: FieldErrors = {}, status = 200) {
    const tr = kit.translatorFor(request);
    const users = await access.users.list();
    return kit.render(request, reply, 'users', { title: tr.t('users.title'), users, roleNames, me: userOf(request).id, errors, now: access.now() }, status);
  }

  app.get('/users', { config: { policy: 'users.manage' }, schema: hidden }, async (request, reply) => usersPage(request, reply));

  const change = async (request: FastifyRequest, reply: FastifyReply, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      // The page lists many users' forms: the message goes at the top, naming no single field.
      const { errors, status } = kit.fieldErrors(request, error);
      return usersPage(request, reply, { _form: Object.values(errors)[0] }, status);
    }
    return reply.redirect('/users', 303);
  };

  app.post<{ Params: { id: string } }>('/users/:id/suspend', { config: { policy: 'users.manage' }, schema: hidden }, async (request, reply) =>
    change(request, reply, () => access.users.setStatus(request.params.id, 'suspended', actorOf(request))),
  );
  app.post<{ Params: { id: string } }>('/users/:id/reactivate', { config: { policy: 'users.manage' }, schema: hidden }, async (request, reply) =>
    change(request, reply, () => access.users.setStatus(request.params.id, 'active', actorOf(request))),
  );
  // The form sends the checked roles, and a country list for the roles that take one.
  app.post<{ Params: { id: string }; Body: Form }>('/users/:id/roles', { config: { policy: 'users.manage' }, schema: hidden }, async (request, reply) => {
    const roles = list(request.body.roles).map((role) => {
      const countries = countryList(request.body[`countries_${role}`]);
      return countries.length > 0 ? { role, countries } : { role };
    });
    return change(request, reply, () => access.users.setRoles(request.params.id, roles, actorOf(request)));
  });

  async function credentialsPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const tr = kit.translatorFor(request);
    const credentials = await access.credentials.list();
    return kit.render(request, reply, 'credentials', { title: tr.t('credentials.title'), credentials, scopes: allScopes, issued: null, ...extra }, status);
  }

  app.get('/credentials', { config: { policy: 'credentials.manage' }, schema: hidden }, async (request, reply) => credentialsPage(request, reply));

  app.post<{ Body: Form }>('/credentials', { config: { policy: 'credentials.manage' }, schema: hidden }, async (request, reply) => {
    try {
      const issued = await access.credentials.issue(typeof request.body.name === 'string' ? request.body.name : '', list(request.body.scopes));
      await access.audit.append({ atMs: access.now(), actorId: userOf(request).id, action: 'credential.issued', subject: `credential:${issued.key}`, ip: request.ip, detail: { name: issued.name, scopes: issued.scopes } });
      // The secret is shown in this answer only, so no redirect.
      return credentialsPage(request, reply, { issued }, 201);
    } catch (error) {
      const { errors, status } = kit.fieldErrors(request, error);
      return credentialsPage(request, reply, { errors, values: { name: request.body.name } }, status);
    }
  });

  app.post<{ Params: { key: string } }>('/credentials/:key/revoke', { config: { policy: 'credentials.manage' }, schema: hidden }, async (request, reply) => {
    try {
      await access.credentials.revoke(request.params.key);
    } catch (error) {
      const { errors, status } = kit.fieldErrors(request, error);
      return credentialsPage(request, reply, { errors }, status);
    }
    await access.audit.append({ atMs: access.now(), actorId: userOf(request).id, action: 'credential.revoked', subject: `credential:${request.params.key}`, ip: request.ip, detail: {} });
    return reply.redirect('/credentials', 303);
  });

  app.get('/outbox', { config: { policy: 'mail.read' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    return kit.render(request, reply, 'outbox', { title: tr.t('outbox.title'), messages: await (access.outbox.delivery ?? access.outbox).list(200) });
  });
}
