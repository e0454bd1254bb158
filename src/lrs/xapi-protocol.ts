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
/** What /about lists. Requests name any 1.0.x or 2.0.x; answers name 1.0.3 or 2.0.0 accordingly. */
export const supportedVersions = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0'] as const;

/** The version a header value asks for, or null when it names none this LRS speaks. */
export function versionOf(value: unknown): XapiVersion | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (/^1\.0(\.\d+)?$/.test(trimmed)) return '1.0.3';
  if (/^2\.0(\.\d+)?$/.test(trimmed)) return '2.0.0';
  return null;
}

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
export function setProtocolHeaders(request: FastifyRequest, reply: FastifyReply, fallback: XapiVersion): void {
  reply.header(VERSION_HEADER, versionOf(request.headers['x-experience-api-version']) ?? fallback);
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

/** xAPI 1.0.3 §6.2: every request but /about names the version; 1.0.x and 2.0.x are accepted. */
export function checkVersionHeader(request: FastifyRequest, reply: FastifyReply): XapiVersion {
  const value = request.headers['x-experience-api-version'];
  if (value === undefined) throw invalid('version-header-missing', `the ${VERSION_HEADER} header is required`, { header: VERSION_HEADER });
  const version = versionOf(value);
  if (!version) {
    throw invalid('version-header-unsupported', `${VERSION_HEADER} "${String(value)}" is not supported; use 1.0.x or 2.0.x`, { header: VERSION_HEADER });
  }
  // The alternate syntax may have brought the header in from the form: answer in the version finally asked for.
  reply.header(VERSION_HEADER, version);
  return version;
}

/** The media type of the request body, lower case, without parameters. */
export function mediaTypeOf(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

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
  if (mediaTypeOf(request) !== 'application/x-www-form-urlencoded') {
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
  if (versionOf(request.headers['x-experience-api-version']) === '2.0.0') {
    throw invalid('alternate-syntax-removed', 'xAPI 2.0 removed the alternate request syntax (method= in a form POST)', { parameter: 'method' });
  }
  request.query = params;
  request.alternateMethod = method;
  // The form's own Content-Type describes the form, not `content`; without a Content-Type field, content is JSON.
  if (!Object.keys(form).some((name) => name.toLowerCase() === 'content-type')) request.headers['content-type'] = 'application/json';
  if (content === undefined || content === '') {
    request.body = undefined;
    return;
  }
  // As raw bytes, like any body: each resource decides how to read it (documents are stored byte-exact).
  request.body = Buffer.from(content, 'utf8');
}

/**
 * Body parsers of the xAPI scope. JSON is Fastify's own; form bodies serve the alternate request syntax; any
 * other type arrives as raw bytes, because documents take any content type and the statement resource answers
 * a wrong type with 400 naming the header (xAPI 1.0.3 §2.1.2), which it can do only if the body gets through.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
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
