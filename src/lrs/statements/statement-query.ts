import { invalid } from '../../errors.js';
import { isIri, isUuid } from '../../shared/json-schema.js';
import { parseTimestampMs } from '../../shared/xapi-formats.js';
import { validateActor } from './statement-validator.js';
import { actorIdentity, keyOf } from './statement-keys.js';
import type { Actor } from './statement-types.js';

export type StatementFormat = 'ids' | 'exact' | 'canonical';

/** A GET /statements request, parsed and checked (xAPI 1.0.3 §2.1.3). */
export type StatementRequest =
  | { readonly kind: 'single'; readonly id: string; readonly voided: boolean; readonly format: StatementFormat; readonly attachments: boolean }
  | { readonly kind: 'query'; readonly query: StatementQuery };

export interface StatementQuery {
  readonly keys: readonly string[];
  readonly sinceMs?: number;
  readonly untilMs?: number;
  readonly ascending: boolean;
  /** 0 means "the server's maximum". */
  readonly limit: number;
  readonly format: StatementFormat;
  readonly attachments: boolean;
}

const queryParameters = new Set([
  'agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents',
  'since', 'until', 'limit', 'format', 'attachments', 'ascending',
]);
const singleParameters = new Set(['statementId', 'voidedStatementId', 'format', 'attachments']);

const bad = (parameter: string, message: string) => invalid('bad-query-parameter', message, { parameter });

function booleanParameter(params: Record<string, string>, name: string): boolean {
  const value = params[name];
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw bad(name, `${name} must be true or false, got "${value}"`);
  return value === 'true';
}

function formatParameter(params: Record<string, string>): StatementFormat {
  const value = params.format ?? 'exact';
  if (value !== 'ids' && value !== 'exact' && value !== 'canonical') {
    throw bad('format', `format must be ids, exact or canonical, got "${value}"`);
  }
  return value;
}

function timestampParameter(params: Record<string, string>, name: string): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const ms = parseTimestampMs(value);
  if (ms === null) throw bad(name, `${name} must be an ISO 8601 timestamp, got "${value}"`);
  return ms;
}

function iriParameter(params: Record<string, string>, name: string): string | undefined {
  const value = params[name];
  if (value !== undefined && !isIri(value)) throw bad(name, `${name} must be an IRI, got "${value}"`);
  return value;
}

/** Parses the `agent` parameter: a JSON Agent or identified Group. */
export function parseAgentParameter(value: string, name = 'agent'): Actor {
  let agent: unknown;
  try {
    agent = JSON.parse(value);
  } catch {
    throw bad(name, `${name} must be a JSON Agent or Group object`);
  }
  const problem = validateActor(agent);
  if (problem) throw bad(name, `${name} is not a valid Agent or Group: ${problem.message}`);
  if (actorIdentity(agent as Actor) === null) throw bad(name, `${name} must have an inverse functional identifier`);
  return agent as Actor;
}

/**
 * Checks every parameter of GET /statements and turns it into a request.
 * Unknown parameters are refused (400 naming them) rather than ignored, so a misspelt filter
 * never silently returns everything.
 */
export function parseStatementRequest(params: Record<string, string>): StatementRequest {
  const names = Object.keys(params);
  if (params.statementId !== undefined || params.voidedStatementId !== undefined) {
    if (params.statementId !== undefined && params.voidedStatementId !== undefined) {
      throw bad('statementId', 'statementId and voidedStatementId cannot be used together');
    }
    const name = params.statementId !== undefined ? 'statementId' : 'voidedStatementId';
    const other = names.find((n) => !singleParameters.has(n));
    if (other) throw bad(other, `${other} cannot be used with ${name}`);
    const id = params[name];
    if (!isUuid(id)) throw bad(name, `${name} must be a UUID, got "${id}"`);
    return { kind: 'single', id, voided: name === 'voidedStatementId', format: formatParameter(params), attachments: booleanParameter(params, 'attachments') };
  }
  const unknown = names.find((n) => !queryParameters.has(n));
  if (unknown) throw bad(unknown, `unknown query parameter "${unknown}"`);

  const relatedAgents = booleanParameter(params, 'related_agents');
  const relatedActivities = booleanParameter(params, 'related_activities');
  const keys: string[] = [];
  if (params.registration !== undefined) {
    if (!isUuid(params.registration)) throw bad('registration', `registration must be a UUID, got "${params.registration}"`);
    keys.push(keyOf.registration(params.registration));
  }
  if (params.agent !== undefined) {
    const identity = actorIdentity(parseAgentParameter(params.agent)) as string;
    keys.push(relatedAgents ? keyOf.relatedAgent(identity) : keyOf.agent(identity));
  }
  const activity = iriParameter(params, 'activity');
  if (activity !== undefined) keys.push(relatedActivities ? keyOf.relatedActivity(activity) : keyOf.activity(activity));
  const verb = iriParameter(params, 'verb');
  if (verb !== undefined) keys.push(keyOf.verb(verb));

  let limit = 0;
  if (params.limit !== undefined) {
    if (!/^\d+$/.test(params.limit)) throw bad('limit', `limit must be a non-negative integer, got "${params.limit}"`);
    limit = Number(params.limit);
  }
  const sinceMs = timestampParameter(params, 'since');
  const untilMs = timestampParameter(params, 'until');
  return {
    kind: 'query',
    query: {
      keys,
      ...(sinceMs !== undefined && { sinceMs }),
      ...(untilMs !== undefined && { untilMs }),
      ascending: booleanParameter(params, 'ascending'),
      limit,
      format: formatParameter(params),
      attachments: booleanParameter(params, 'attachments'),
    },
  };
}

/** What a `more` link carries: the query and where the next page starts. Not secret: scopes are re-applied on use. */
export interface StatementCursor {
  readonly query: StatementQuery;
  readonly throughSequence: number;
  readonly afterSequence: number;
}

export function encodeCursor(cursor: StatementCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(token: string): StatementCursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as StatementCursor;
    if (
      !Number.isInteger(cursor.throughSequence) ||
      !Number.isInteger(cursor.afterSequence) ||
      !Array.isArray(cursor.query?.keys) ||
      !cursor.query.keys.every((key) => typeof key === 'string')
    ) {
      throw new Error('shape');
    }
    return cursor;
  } catch {
    throw bad('more', 'the more token is not one this LRS issued');
  }
}
