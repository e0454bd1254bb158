import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LrsPrincipal } from '../access/index.js';
import { invalid } from '../errors.js';
import type { XapiVersion } from './statements/statement-validator.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: LrsPrincipal;
    xapiVersion?: XapiVersion;
    /** Set when the request used the alternate request syntax (xAPI 1.0.3 §1.3: `method` in a form POST). */
    alternateMethod?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  }
}

export const VERSION_HEADER = 'X-Experience-API-Version';
export const supportedVersions = ['1.0.0', '1.0.1', '1.0.2', '1.0.3'] as const;

const allowedHeaders = [
  'Authorization', 'Content-Type', 'Content-Length', 'X-Experience-API-Version', 'If-Match', 'If-None-Match', 'Accept-Language',
].join(', ');
const exposedHeaders = [
  'ETag', 'Last-Modified', 'Location', 'X-Experience-API-Version', 'X-Experience-API-Consistent-Through', 'WWW-Authenticate',
].join(', ');

/**
 * Headers every xAPI response carries. CORS lets content served from any origin call the LRS with its own
 * Authorization header; it never allows credentials (cookies), see DESIGN.md "Runtime flow and isolation".
 */
export function setProtocolHeaders(reply: FastifyReply): void {
  reply.header(VERSION_HEADER, '1.0.3');
  reply.header('Access-Control-Allow-Origin', '*');
  reply.header('Access-Control-Expose-Headers', exposedHeaders);
}

export function answerPreflight(reply: FastifyReply): void {
  reply
    .header('Access-Control-Allow-Methods', 'GET, HEAD, PUT, POST, DELETE, OPTIONS')
    .header('Access-Control-Allow-Headers', allowedHeaders)
    .header('Access-Control-Max-Age', '86400')
    .code(204)
    .send();
}

/** xAPI 1.0.3 §6.2: every request but /about names the version; 1.0.x is accepted. */
export function checkVersionHeader(request: FastifyRequest): XapiVersion {
  const value = request.headers['x-experience-api-version'];
  if (value === undefined) throw invalid('version-header-missing', `the ${VERSION_HEADER} header is required`, { header: VERSION_HEADER });
  if (typeof value !== 'string' || !/^1\.0(\.\d+)?$/.test(value.trim())) {
    throw invalid('version-header-unsupported', `${VERSION_HEADER} "${String(value)}" is not supported; use one of ${supportedVersions.join(', ')}`, { header: VERSION_HEADER });
  }
  return '1.0.3';
}

/** Query parameters as single strings; a parameter given twice is refused rather than guessed at. */
export function singleValuedQuery(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) throw invalid('duplicate-parameter', `query parameter ${name} is given more than once`, { parameter: name });
    out[name] = String(value);
  }
  return out;
}

const headerFields = new Map(
  ['Authorization', 'X-Experience-API-Version', 'Content-Type', 'Content-Length', 'If-Match', 'If-None-Match'].map((h) => [h.toLowerCase(), h]),
);

/**
 * The alternate request syntax (xAPI 1.0.3 §1.3): a form POST with `?method=X` whose fields carry the headers,
 * the query parameters and the body (`content`). Rewrites the request in place before authentication.
 */
export function applyAlternateSyntax(request: FastifyRequest): void {
  const query = singleValuedQuery(request);
  if (query.method === undefined) return;
  const method = query.method.toUpperCase();
  if (method !== 'GET' && method !== 'PUT' && method !== 'POST' && method !== 'DELETE') {
    throw invalid('alternate-method', `method must be GET, PUT, POST or DELETE, got "${query.method}"`, { parameter: 'method' });
  }
  const extra = Object.keys(query).find((name) => name !== 'method');
  if (extra) throw invalid('alternate-query', `with the alternate request syntax only "method" may be in the query string, not "${extra}"`, { parameter: extra });
  const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw invalid('alternate-content-type', 'the alternate request syntax needs Content-Type application/x-www-form-urlencoded', { header: 'Content-Type' });
  }
  const form = (request.body ?? {}) as Record<string, string>;
  const params: Record<string, string> = {};
  let content: string | undefined;
  for (const [name, value] of Object.entries(form)) {
    const header = headerFields.get(name.toLowerCase());
    if (header) request.headers[header.toLowerCase()] = value;
    else if (name === 'content') content = value;
    else params[name] = value;
  }
  request.query = params;
  request.alternateMethod = method;
  if (content === undefined || content === '') {
    request.body = undefined;
    return;
  }
  const contentType = String(request.headers['content-type'] ?? 'application/json').toLowerCase();
  if (contentType.startsWith('application/x-www-form-urlencoded') || contentType.includes('json')) {
    try {
      request.body = JSON.parse(content);
    } catch {
      throw invalid('invalid-json', 'the content field is not valid JSON', { parameter: 'content' });
    }
  } else {
    request.body = content;
  }
}

/** Parses form bodies; a field given twice is refused. */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(body as string)) {
      if (name in fields) {
        done(invalid('duplicate-field', `form field ${name} is given more than once`, { parameter: name }), undefined);
        return;
      }
      fields[name] = value;
    }
    done(null, fields);
  });
}
