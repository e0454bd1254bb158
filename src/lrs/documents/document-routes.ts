import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../../errors.js';
import { isIri, isUuid } from '../../shared/json-schema.js';
import { parseTimestampMs } from '../../shared/xapi-formats.js';
import type { ActivityStore, DocumentKey, DocumentKind } from '../../store/ports.js';
import { actorIdentity } from '../statements/statement-keys.js';
import { parseAgentParameter } from '../statements/statement-query.js';
import type { Actor } from '../statements/statement-types.js';
import { registerBodyParsers, singleValuedQuery } from '../xapi-protocol.js';
import type { DocumentService, Preconditions } from './document-service.js';

interface DocumentResource {
  readonly path: string;
  readonly kind: DocumentKind;
  readonly idParameter: 'stateId' | 'profileId';
  readonly usesActivity: boolean;
  readonly usesAgent: boolean;
  readonly usesRegistration: boolean;
  readonly tag: string;
}

const resources: readonly DocumentResource[] = [
  { path: '/activities/state', kind: 'state', idParameter: 'stateId', usesActivity: true, usesAgent: true, usesRegistration: true, tag: 'xAPI state' },
  { path: '/activities/profile', kind: 'activity-profile', idParameter: 'profileId', usesActivity: true, usesAgent: false, usesRegistration: false, tag: 'xAPI activity profile' },
  { path: '/agents/profile', kind: 'agent-profile', idParameter: 'profileId', usesActivity: false, usesAgent: true, usesRegistration: false, tag: 'xAPI agent profile' },
];

const bad = (parameter: string, message: string) => invalid('bad-query-parameter', message, { parameter });

/** Checks the query of a document request and turns it into a key; `documentId` is '' when absent. */
function documentKey(resource: DocumentResource, params: Record<string, string>, allowSince: boolean): { key: DocumentKey; sinceMs?: number } {
  const allowed = new Set([resource.idParameter, ...(resource.usesActivity ? ['activityId'] : []), ...(resource.usesAgent ? ['agent'] : []), ...(resource.usesRegistration ? ['registration'] : []), ...(allowSince ? ['since'] : [])]);
  const unknown = Object.keys(params).find((name) => !allowed.has(name));
  if (unknown) throw bad(unknown, `unknown or misplaced query parameter "${unknown}" for ${resource.path}`);
  let activityId = '';
  if (resource.usesActivity) {
    activityId = params.activityId ?? '';
    if (!activityId) throw bad('activityId', 'the activityId parameter is required');
    if (!isIri(activityId)) throw bad('activityId', `activityId must be an IRI, got "${activityId}"`);
  }
  let agent = '';
  if (resource.usesAgent) {
    if (params.agent === undefined) throw bad('agent', 'the agent parameter is required');
    agent = actorIdentity(parseAgentParameter(params.agent) as Actor) as string;
  }
  let registration = '';
  if (resource.usesRegistration && params.registration !== undefined) {
    if (!isUuid(params.registration)) throw bad('registration', `registration must be a UUID, got "${params.registration}"`);
    registration = params.registration.toLowerCase();
  }
  let sinceMs: number | undefined;
  if (params.since !== undefined) {
    const ms = parseTimestampMs(params.since);
    if (ms === null) throw bad('since', `since must be an ISO 8601 timestamp, got "${params.since}"`);
    sinceMs = ms;
  }
  const key: DocumentKey = { kind: resource.kind, activityId, agent, registration, documentId: params[resource.idParameter] ?? '' };
  return sinceMs === undefined ? { key } : { key, sinceMs };
}

function preconditionsOf(request: FastifyRequest): Preconditions {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const ifMatch = header('if-match');
  const ifNoneMatch = header('if-none-match');
  return { ...(ifMatch !== undefined && { ifMatch }), ...(ifNoneMatch !== undefined && { ifNoneMatch }) };
}

function incomingOf(request: FastifyRequest) {
  const body = request.body;
  const content = Buffer.isBuffer(body) ? body : body === undefined || body === null ? Buffer.alloc(0) : Buffer.from(String(body));
  return { content, contentType: String(request.headers['content-type'] ?? 'application/octet-stream') };
}

const describedOnly = () => () => true;

/** State, Activity Profile and Agent Profile resources, plus the Activities and Agents resources. */
export function registerDocumentRoutes(app: FastifyInstance, service: DocumentService, activities: ActivityStore): void {
  app.register(async (scope) => {
    // Documents are stored byte-exact whatever their type, so JSON arrives as bytes here too.
    scope.removeAllContentTypeParsers();
    registerBodyParsers(scope);

    for (const resource of resources) {
      const id = resource.idParameter;
      const schema = (summary: string) => ({ tags: [resource.tag], summary });

      const get = async (request: FastifyRequest, reply: FastifyReply) => {
        const params = singleValuedQuery(request);
        const { key, sinceMs } = documentKey(resource, params, params[id] === undefined);
        if (params[id] === undefined) return reply.send(await service.list(request.principal!, key, sinceMs));
        const document = await service.get(request.principal!, key);
        return reply
          .header('ETag', document.etag)
          .header('Last-Modified', new Date(document.updatedMs).toUTCString())
          .type(document.contentType)
          .send(document.content);
      };
      const requireId = (params: Record<string, string>) => {
        if (params[id] === undefined) throw bad(id, `the ${id} parameter is required`);
      };
      const put = async (request: FastifyRequest, reply: FastifyReply) => {
        const params = singleValuedQuery(request);
        requireId(params);
        const { key } = documentKey(resource, params, false);
        await service.put(request.principal!, key, incomingOf(request), preconditionsOf(request), request.xapiVersion ?? '1.0.3');
        return reply.code(204).send();
      };
      const post = async (request: FastifyRequest, reply: FastifyReply) => {
        if (request.alternateMethod === 'GET') return get(request, reply);
        if (request.alternateMethod === 'PUT') return put(request, reply);
        if (request.alternateMethod === 'DELETE') return remove(request, reply);
        const params = singleValuedQuery(request);
        requireId(params);
        const { key } = documentKey(resource, params, false);
        await service.post(request.principal!, key, incomingOf(request), preconditionsOf(request));
        return reply.code(204).send();
      };
      const remove = async (request: FastifyRequest, reply: FastifyReply) => {
        const params = singleValuedQuery(request);
        const { key } = documentKey(resource, params, false);
        if (params[id] !== undefined) await service.delete(request.principal!, key, preconditionsOf(request));
        else if (resource.kind === 'state') await service.deleteAll(request.principal!, key);
        else throw bad(id, `the ${id} parameter is required`);
        return reply.code(204).send();
      };

      const options = { validatorCompiler: describedOnly };
      scope.get(resource.path, { ...options, schema: schema(`Get one document, or the ids of the documents (with since)`) }, get);
      scope.put(resource.path, { ...options, schema: schema('Store a document (If-Match / If-None-Match to overwrite)') }, put);
      scope.post(resource.path, { ...options, schema: schema('Merge into a JSON document, or store a new one') }, post);
      scope.delete(resource.path, { ...options, schema: schema(resource.kind === 'state' ? 'Delete one document, or all for the activity and agent' : 'Delete a document') }, remove);
    }

    scope.get('/activities', { validatorCompiler: describedOnly, schema: { tags: ['xAPI activities'], summary: 'The canonical definition of an activity' } }, async (request) => {
      const params = singleValuedQuery(request);
      const unknown = Object.keys(params).find((name) => name !== 'activityId');
      if (unknown) throw bad(unknown, `unknown query parameter "${unknown}"`);
      const activityId = params.activityId;
      if (!activityId) throw bad('activityId', 'the activityId parameter is required');
      if (!isIri(activityId)) throw bad('activityId', `activityId must be an IRI, got "${activityId}"`);
      const definition = await activities.definition(activityId);
      return { objectType: 'Activity', id: activityId, ...(definition && { definition }) };
    });

    scope.get('/agents', { validatorCompiler: describedOnly, schema: { tags: ['xAPI agents'], summary: 'The Person object of an agent' } }, async (request) => {
      const params = singleValuedQuery(request);
      const unknown = Object.keys(params).find((name) => name !== 'agent');
      if (unknown) throw bad(unknown, `unknown query parameter "${unknown}"`);
      if (params.agent === undefined) throw bad('agent', 'the agent parameter is required');
      const agent = parseAgentParameter(params.agent);
      if (agent.objectType === 'Group') throw bad('agent', 'agent must be an Agent, not a Group');
      // xAPI 1.0.3 §2.4.2: a Person lists every identifier known for the person; agents are not linked across
      // identifiers here, so the Person holds the one asked about.
      return {
        objectType: 'Person',
        ...(agent.name !== undefined && { name: [agent.name] }),
        ...(agent.mbox !== undefined && { mbox: [agent.mbox] }),
        ...(agent.mbox_sha1sum !== undefined && { mbox_sha1sum: [agent.mbox_sha1sum] }),
        ...(agent.openid !== undefined && { openid: [agent.openid] }),
        ...(agent.account !== undefined && { account: [agent.account] }),
      };
    });
  });
}
