import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, unauthenticated } from '../../errors.js';
import type { UserRecord } from '../../store/ports.js';
import type { Actor } from '../access-settings.js';
import { TooManyAttempts } from '../login-throttle.js';
import type { Grant } from '../policy.js';

/** Who is acting, for the audit trail. */
export const actorOf = (request: FastifyRequest): Actor => ({ userId: request.access?.user?.id ?? null, ip: request.ip });

/** The signed-in user; the guard has already refused anonymous requests on routes that call this. */
export function userOf(request: FastifyRequest): UserRecord {
  const user = request.access?.user;
  if (!user) throw unauthenticated('sign-in-required', 'sign in first');
  return user;
}

export function grantOf(request: FastifyRequest): Grant {
  const grant = request.access?.grant;
  if (!grant) throw unauthenticated('sign-in-required', 'sign in first');
  return grant;
}

/** The field a client error is about: from an `AppError`'s data, or from a Fastify schema-validation error. */
export function fieldOf(error: FastifyError | AppError): string | undefined {
  if (error instanceof AppError) return typeof error.data.parameter === 'string' ? error.data.parameter : undefined;
  const first = error.validation?.[0];
  if (!first) return undefined;
  const missing = (first.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (first.params as { additionalProperty?: string }).additionalProperty;
  const path = first.instancePath.replace(/^\//, '');
  return [path, missing].filter(Boolean).join('/') || undefined;
}

/**
 * JSON errors for the /api routes: like the app's handler (AppError kinds mapped once, by `errors.ts`), but every
 * client error names its field, and a 401 carries no `WWW-Authenticate: Basic` (which would make browsers prompt).
 */
export async function sendApiError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...error.data });
  if (error instanceof TooManyAttempts) {
    return reply.code(429).header('Retry-After', String(error.retryAfterSeconds)).send({ error: error.code, message: error.message, retryAfterSeconds: error.retryAfterSeconds });
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    const parameter = fieldOf(error);
    return reply.code(status).send({ error: error.validation ? 'validation' : (error.code ?? 'bad-request'), message: error.message, ...(parameter && { parameter }) });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: 'internal', message: 'the server could not complete the request; it has been logged' });
}

// Schemas shared by the API routes, for validation and the OpenAPI document.

export const security = [{ session: [] }];

export const roleGrantSchema = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: {
    role: { enum: ['learner', 'author', 'analyst', 'approver', 'admin'] },
    countries: { type: 'array', items: { type: 'string', description: 'ISO 3166-1 alpha-2' } },
  },
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    country: { type: 'string' },
    agency: { type: 'string' },
    language: { type: 'string' },
    roles: { type: 'array', items: roleGrantSchema },
    status: { enum: ['active', 'suspended'] },
    hasPassword: { type: 'boolean' },
    lockedUntil: { type: ['string', 'null'] },
    created: { type: 'string' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, parameter: { type: 'string' } },
  additionalProperties: true,
} as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
