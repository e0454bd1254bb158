import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../../errors.js';
import type { AttachmentRecord } from '../../store/ports.js';
import { buildMultipartMixed, parseMultipartMixed, type MultipartPart } from './multipart.js';
import { acceptedLanguages } from './statement-format.js';
import { parseStatementRequest } from './statement-query.js';
import type { StatementResult, StatementService, SingleStatementResult } from './statement-service.js';
import { mediaTypeOf, singleValuedQuery } from '../xapi-protocol.js';

const tags = ['xAPI statements'];
const statementQueryDoc = {
  type: 'object',
  properties: {
    statementId: { type: 'string', format: 'uuid' },
    voidedStatementId: { type: 'string', format: 'uuid' },
    agent: { type: 'string', description: 'JSON Agent or identified Group' },
    verb: { type: 'string' },
    activity: { type: 'string' },
    registration: { type: 'string', format: 'uuid' },
    related_activities: { type: 'boolean' },
    related_agents: { type: 'boolean' },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 0 },
    format: { enum: ['ids', 'exact', 'canonical'] },
    attachments: { type: 'boolean' },
    ascending: { type: 'boolean' },
    more: { type: 'string', description: 'Continuation token from a previous page' },
  },
} as const;
const versionHeaderDoc = {
  type: 'object',
  properties: { 'x-experience-api-version': { type: 'string', description: '1.0.0 to 1.0.3' } },
  required: ['x-experience-api-version'],
} as const;

/**
 * These routes check their input in the xAPI pipeline (statement-query.ts, statement-validator.ts), which
 * knows the spec's rules and names the offending path; the route schemas only describe them for OpenAPI.
 */
const describedOnly = () => () => true;

function sendStatement(reply: FastifyReply, result: SingleStatementResult, attachments: boolean): FastifyReply {
  reply.header('Last-Modified', new Date(result.storedMs).toUTCString());
  return sendJson(reply, result.statement, attachments ? result.attachments : null);
}

function sendPage(reply: FastifyReply, result: StatementResult): FastifyReply {
  reply.header('Last-Modified', new Date(result.lastStoredMs ?? Date.now()).toUTCString());
  const json = `{"statements":[${result.statements.join(',')}],"more":${JSON.stringify(result.more)}}`;
  return sendJson(reply, json, result.withAttachments ? result.attachments : null);
}

/** With `attachments=true` the answer is multipart/mixed: the statements, then each attachment (xAPI 1.0.3 §2.1.11). */
function sendJson(reply: FastifyReply, json: string, attachments: readonly AttachmentRecord[] | null): FastifyReply {
  if (!attachments) return reply.type('application/json; charset=utf-8').send(json);
  const { contentType, body } = buildMultipartMixed([
    { headers: { 'Content-Type': 'application/json' }, body: json },
    ...attachments.map((attachment) => ({
      headers: {
        'Content-Type': attachment.contentType,
        'Content-Transfer-Encoding': 'binary',
        'X-Experience-API-Hash': attachment.sha2,
      },
      body: attachment.content,
    })),
  ]);
  return reply.type(contentType).send(body);
}

/**
 * A statement request body: JSON, or multipart/mixed whose first part is the JSON and whose other parts are
 * attachments (xAPI 1.0.3 §2.1.11). Any other type is refused naming the header.
 */
function statementBody(request: FastifyRequest): { body: unknown; parts: MultipartPart[] } {
  const type = mediaTypeOf(request);
  if (type === 'application/json') {
    if (!Buffer.isBuffer(request.body)) return { body: request.body, parts: [] };
    try {
      return { body: JSON.parse(request.body.toString('utf8')), parts: [] };
    } catch {
      throw invalid('invalid-json', 'the statement is not valid JSON', { path: '' });
    }
  }
  if (type !== 'multipart/mixed') {
    throw invalid('statement-content-type', `statements must be sent as application/json or multipart/mixed, not "${type || 'no Content-Type'}"`, { header: 'Content-Type' });
  }
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from(String(request.body ?? ''));
  const [first, ...parts] = parseMultipartMixed(raw, String(request.headers['content-type']));
  if (!first || (first.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() !== 'application/json') {
    throw invalid('malformed-multipart', 'the first part of a multipart/mixed statement request must be the application/json statements', { header: 'Content-Type' });
  }
  try {
    return { body: JSON.parse(first.body.toString('utf8')), parts };
  } catch {
    throw invalid('invalid-json', 'the first multipart part is not valid JSON', { path: '' });
  }
}

export function registerStatementRoutes(app: FastifyInstance, service: StatementService): void {
  const consistentThrough = async (_request: FastifyRequest, reply: FastifyReply) => {
    // Writes are visible as soon as they are acknowledged, so the store is consistent through now.
    reply.header('X-Experience-API-Consistent-Through', new Date().toISOString());
  };

  async function get(request: FastifyRequest, reply: FastifyReply) {
    const principal = request.principal!;
    const languages = acceptedLanguages(request.headers['accept-language']);
    const params = singleValuedQuery(request);
    if (params.more !== undefined) {
      const other = Object.keys(params).find((name) => name !== 'more');
      if (other) throw invalid('bad-query-parameter', `${other} cannot be used with more`, { parameter: other });
      return sendPage(reply, await service.more(params.more, principal, languages));
    }
    const parsed = parseStatementRequest(params);
    const result = await service.read(parsed, principal, languages);
    if ('statement' in result) return sendStatement(reply, result, parsed.kind === 'single' && parsed.attachments);
    return sendPage(reply, result);
  }

  async function put(request: FastifyRequest, reply: FastifyReply) {
    const params = singleValuedQuery(request);
    const statementId = params.statementId;
    if (statementId === undefined) throw invalid('statement-id-required', 'PUT /statements needs the statementId parameter', { parameter: 'statementId' });
    const other = Object.keys(params).find((name) => name !== 'statementId');
    if (other) throw invalid('bad-query-parameter', `unknown query parameter "${other}"`, { parameter: other });
    const { body, parts } = statementBody(request);
    await service.store(body, request.principal!, { statementId, version: request.xapiVersion, parts });
    return reply.code(204).send();
  }

  async function post(request: FastifyRequest, reply: FastifyReply) {
    switch (request.alternateMethod) {
      case 'GET':
        return get(request, reply);
      case 'PUT':
        return put(request, reply);
      case 'DELETE':
        throw invalid('method-not-allowed', 'statements cannot be deleted (void them instead)', { parameter: 'method' });
      default: {
        const params = singleValuedQuery(request);
        const name = Object.keys(params)[0];
        if (name) throw invalid('bad-query-parameter', `unknown query parameter "${name}"`, { parameter: name });
        const { body, parts } = statementBody(request);
        const ids = await service.store(body, request.principal!, { version: request.xapiVersion, parts });
        return reply.code(200).send(ids);
      }
    }
  }

  const common = { onRequest: consistentThrough, validatorCompiler: describedOnly };
  app.get('/statements', { ...common, schema: { tags, summary: 'Get one statement or query statements', querystring: statementQueryDoc, headers: versionHeaderDoc } }, get);
  app.put('/statements', { ...common, schema: { tags, summary: 'Store one statement with a given id', querystring: { type: 'object', properties: { statementId: { type: 'string', format: 'uuid' } }, required: ['statementId'] }, headers: versionHeaderDoc } }, put);
  app.post('/statements', { ...common, schema: { tags, summary: 'Store a statement or a batch (all or nothing); also the alternate request syntax with ?method=', headers: versionHeaderDoc } }, post);
}
