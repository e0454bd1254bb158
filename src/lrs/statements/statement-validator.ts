/**
 * xAPI statement validation: the JSON Schema under `schemas/xapi/` first, then
 * the rules a schema cannot express. Strictness follows the ADL LRS
 * conformance test suite (1.0.3).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { getAjv } from '../../shared/json-schema.js';

export type XapiVersion = '1.0.3' | '2.0.0';

export interface StatementProblem {
  /** JSON Pointer inside the validated value, e.g. "/actor/mbox"; "" for the root. */
  readonly path: string;
  /** A short English sentence naming the property. */
  readonly message: string;
}

const SCHEMA_BASE = 'https://cadet.dev/schemas/xapi/';
const STATEMENT_SCHEMA_ID = `${SCHEMA_BASE}statement-1.0.3.json`;
const ACTOR_SCHEMA_ID = `${SCHEMA_BASE}actor.json`;

export const VOIDED_VERB_ID = 'http://adlnet.gov/expapi/verbs/voided';

const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

/** Interaction component lists and the interaction types that may use them. */
const COMPONENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  choices: ['choice', 'sequencing'],
  scale: ['likert'],
  source: ['matching'],
  target: ['matching'],
  steps: ['performance'],
};

type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------
// Compiled schemas (compiled once, at first use)
// ---------------------------------------------------------------------------

const compiled = new Map<string, ValidateFunction>();

function validatorFor(id: string): ValidateFunction {
  let fn = compiled.get(id);
  if (fn === undefined) {
    fn = getAjv().getSchema(id);
    if (fn === undefined) throw new Error(`JSON schema ${id} is not loaded`);
    compiled.set(id, fn);
  }
  return fn;
}

// ---------------------------------------------------------------------------
// Paths and messages
// ---------------------------------------------------------------------------

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function child(path: string, key: string | number): string {
  return `${path}/${escapePointer(String(key))}`;
}

/**
 * "/context/contextActivities/parent/0/id" -> "context.contextActivities.parent[0].id".
 * The root is called `rootName`; for actors ("agent") the name also prefixes paths.
 */
function displayName(pointer: string, rootName: string): string {
  if (pointer === '') return rootName;
  let out = rootName === 'agent' ? rootName : '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = unescapePointer(raw);
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const FORMAT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  iri: 'an IRI',
  irl: 'an IRL',
  'mailto-iri': 'a mailto: IRI',
  uuid: 'a UUID',
  'language-tag': 'a language tag',
  'iso8601-duration': 'an ISO 8601 duration',
  'iso8601-timestamp': 'an ISO 8601 timestamp',
};

function typeDescription(type: unknown): string {
  const one = (t: string): string =>
    ({ object: 'an object', array: 'an array', integer: 'an integer' })[t] ?? `a ${t}`;
  return Array.isArray(type) ? type.map((t) => one(String(t))).join(' or ') : one(String(type));
}

function problemFromAjv(error: ErrorObject, rootName: string): StatementProblem {
  const params = error.params as Record<string, unknown>;
  let path = error.instancePath;
  const name = (): string => displayName(path, rootName);

  if (error.keyword === 'required') {
    path = child(path, String(params['missingProperty']));
    return { path, message: `${name()} is required` };
  }
  if (error.keyword === 'additionalProperties') {
    path = child(path, String(params['additionalProperty']));
    return { path, message: `${name()} is not allowed` };
  }
  if (error.propertyName !== undefined) {
    // A propertyNames failure: point at the offending key.
    const parent = name();
    path = child(path, error.propertyName);
    const what = error.keyword === 'format' ? FORMAT_DESCRIPTIONS[String(params['format'])] : undefined;
    return {
      path,
      message: `${parent} key ${JSON.stringify(error.propertyName)} must be ${what ?? 'valid'}`,
    };
  }
  const template = (error.parentSchema as Record<string, unknown> | undefined)?.['x-error'];
  if (typeof template === 'string') {
    return { path, message: template.replace(/\{path\}/g, name()) };
  }
  switch (error.keyword) {
    case 'type':
      return { path, message: `${name()} must be ${typeDescription(params['type'])}` };
    case 'const':
      return { path, message: `${name()} must be ${JSON.stringify(params['allowedValue'])}` };
    case 'enum':
      return {
        path,
        message: `${name()} must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`,
      };
    case 'format':
      return { path, message: `${name()} must be ${FORMAT_DESCRIPTIONS[String(params['format'])] ?? `a valid ${String(params['format'])}`}` };
    case 'minLength':
    case 'minItems':
      return { path, message: `${name()} must not be empty` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `${name()} must be ${String(params['comparison'])} ${String(params['limit'])}` };
    case 'not':
    case 'false schema':
      return { path, message: `${name()} is not allowed` };
    default:
      return { path, message: `${name()} is invalid (${error.message ?? error.keyword})` };
  }
}

function runSchema(id: string, value: unknown, rootName: string): StatementProblem | null {
  const validate = validatorFor(id);
  if (validate(value)) return null;
  const first = validate.errors?.[0];
  return first === undefined
    ? { path: '', message: `${rootName} is invalid` }
    : problemFromAjv(first, rootName);
}

// ---------------------------------------------------------------------------
// Rules beyond the schema. Every function below runs on schema-valid data.
// ---------------------------------------------------------------------------

class Checker {
  constructor(
    private readonly version: XapiVersion,
    private readonly rootName: string,
  ) {}

  private problem(path: string, message: (name: string) => string): StatementProblem {
    return { path, message: message(displayName(path, this.rootName)) };
  }

  private name(path: string): string {
    return displayName(path, this.rootName);
  }

  /** An Agent or Group in any position (actor, object, instructor, team, authority, member). */
  actor(value: JsonObject, path: string): StatementProblem | null {
    return value['objectType'] === 'Group' ? this.group(value, path) : this.agent(value, path);
  }

  agent(value: JsonObject, path: string): StatementProblem | null {
    const ifis = IFI_KEYS.filter((k) => value[k] !== undefined);
    if (ifis.length === 0) {
      return this.problem(path, (n) => `${n} must have an inverse functional identifier (mbox, mbox_sha1sum, openid or account)`);
    }
    if (ifis.length > 1) {
      return this.problem(path, (n) => `${n} must have exactly one inverse functional identifier, found ${ifis.join(', ')}`);
    }
    return null;
  }

  group(value: JsonObject, path: string): StatementProblem | null {
    const ifis = IFI_KEYS.filter((k) => value[k] !== undefined);
    if (ifis.length > 1) {
      return this.problem(path, (n) => `${n} must have at most one inverse functional identifier, found ${ifis.join(', ')}`);
    }
    const members = value['member'] as JsonObject[] | undefined;
    if (ifis.length === 0 && (members === undefined || members.length === 0)) {
      return this.problem(child(path, 'member'), (n) => `${n} is required (and must not be empty) in an anonymous Group`);
    }
    for (const [i, m] of (members ?? []).entries()) {
      const p = this.agent(m, child(child(path, 'member'), i));
      if (p !== null) return p;
    }
    return null;
  }

  authority(value: JsonObject, path: string): StatementProblem | null {
    const p = this.actor(value, path);
    if (p !== null) return p;
    if (value['objectType'] !== 'Group') return null;
    if (IFI_KEYS.some((k) => value[k] !== undefined)) {
      return this.problem(path, (n) => `${n} must be an Agent or an anonymous Group (an identified Group is not allowed)`);
    }
    const members = value['member'] as unknown[];
    if (members.length !== 2) {
      return this.problem(child(path, 'member'), (n) => `${n} must list exactly two Agents when the authority is a Group`);
    }
    return null;
  }

  activity(value: JsonObject, path: string): StatementProblem | null {
    const def = value['definition'] as JsonObject | undefined;
    if (def === undefined) return null;
    const defPath = child(path, 'definition');
    const type = def['interactionType'] as string | undefined;
    const used = ['correctResponsesPattern', ...Object.keys(COMPONENT_TYPES)].filter((k) => def[k] !== undefined);
    if (type === undefined && used.length > 0) {
      return this.problem(child(defPath, 'interactionType'), (n) => `${n} is required when ${this.name(child(defPath, used[0]))} is present`);
    }
    for (const [key, types] of Object.entries(COMPONENT_TYPES)) {
      const list = def[key] as JsonObject[] | undefined;
      if (list === undefined) continue;
      const p = child(defPath, key);
      if (type === undefined || !types.includes(type)) {
        return this.problem(p, (n) => `${n} is not allowed when interactionType is ${JSON.stringify(type)} (only ${types.join(', ')})`);
      }
      const seen = new Set<string>();
      for (const [i, component] of list.entries()) {
        const id = component['id'] as string;
        if (seen.has(id)) {
          return this.problem(child(child(p, i), 'id'), (n) => `${n} duplicates the id ${JSON.stringify(id)}; interaction component ids must be distinct`);
        }
        seen.add(id);
      }
    }
    return null;
  }

  result(value: JsonObject, path: string): StatementProblem | null {
    const score = value['score'] as JsonObject | undefined;
    if (score === undefined) return null;
    const sp = child(path, 'score');
    const { raw, min, max } = score as { raw?: number; min?: number; max?: number };
    if (min !== undefined && max !== undefined && !(min < max)) {
      return this.problem(child(sp, 'max'), (n) => `${n} must be greater than ${this.name(child(sp, 'min'))}`);
    }
    if (raw !== undefined && min !== undefined && raw < min) {
      return this.problem(child(sp, 'raw'), (n) => `${n} must not be less than ${this.name(child(sp, 'min'))}`);
    }
    if (raw !== undefined && max !== undefined && raw > max) {
      return this.problem(child(sp, 'raw'), (n) => `${n} must not be greater than ${this.name(child(sp, 'max'))}`);
    }
    return null;
  }

  context(value: JsonObject, path: string, objectIsActivity: boolean): StatementProblem | null {
    for (const key of ['revision', 'platform']) {
      if (value[key] !== undefined && !objectIsActivity) {
        return this.problem(child(path, key), (n) => `${n} is only allowed when the object is an Activity`);
      }
    }
    for (const key of ['contextAgents', 'contextGroups']) {
      if (value[key] !== undefined && this.version === '1.0.3') {
        return this.problem(child(path, key), (n) => `${n} is not allowed in xAPI 1.0.3`);
      }
    }
    const instructor = value['instructor'] as JsonObject | undefined;
    if (instructor !== undefined) {
      const p = this.actor(instructor, child(path, 'instructor'));
      if (p !== null) return p;
    }
    const team = value['team'] as JsonObject | undefined;
    if (team !== undefined) {
      const p = this.group(team, child(path, 'team'));
      if (p !== null) return p;
    }
    const activities = value['contextActivities'] as Record<string, JsonObject | JsonObject[]> | undefined;
    for (const [key, v] of Object.entries(activities ?? {})) {
      const cp = child(child(path, 'contextActivities'), key);
      const list = Array.isArray(v) ? v.map((a, i) => [a, child(cp, i)] as const) : [[v, cp] as const];
      for (const [a, ap] of list) {
        const p = this.activity(a, ap);
        if (p !== null) return p;
      }
    }
    for (const [i, ca] of ((value['contextAgents'] as JsonObject[] | undefined) ?? []).entries()) {
      const p = this.agent(ca['agent'] as JsonObject, child(child(child(path, 'contextAgents'), i), 'agent'));
      if (p !== null) return p;
    }
    for (const [i, cg] of ((value['contextGroups'] as JsonObject[] | undefined) ?? []).entries()) {
      const p = this.group(cg['group'] as JsonObject, child(child(child(path, 'contextGroups'), i), 'group'));
      if (p !== null) return p;
    }
    return null;
  }

  object(value: JsonObject, path: string): StatementProblem | null {
    switch (value['objectType']) {
      case 'Agent':
      case 'Group':
        return this.actor(value, path);
      case 'SubStatement':
        return this.statementBody(value, path);
      case 'StatementRef':
        return null;
      default:
        return this.activity(value, path);
    }
  }

  /** What statements and sub-statements share: actor, verb/object, result, context. */
  statementBody(value: JsonObject, path: string): StatementProblem | null {
    const actor = this.actor(value['actor'] as JsonObject, child(path, 'actor'));
    if (actor !== null) return actor;
    const object = value['object'] as JsonObject;
    const objectProblem = this.object(object, child(path, 'object'));
    if (objectProblem !== null) return objectProblem;
    const result = value['result'] as JsonObject | undefined;
    if (result !== undefined) {
      const p = this.result(result, child(path, 'result'));
      if (p !== null) return p;
    }
    const context = value['context'] as JsonObject | undefined;
    if (context !== undefined) {
      const isActivity = object['objectType'] === undefined || object['objectType'] === 'Activity';
      const p = this.context(context, child(path, 'context'), isActivity);
      if (p !== null) return p;
    }
    return null;
  }

  statement(value: JsonObject): StatementProblem | null {
    const version = value['version'];
    if (typeof version === 'string') {
      const ok = this.version === '1.0.3' ? /^1\.0(\.\d+)?$/ : /^(1\.0|2\.0)(\.\d+)?$/;
      if (!ok.test(version)) {
        const expected = this.version === '1.0.3' ? '1.0.x' : '1.0.x or 2.0.x';
        return this.problem('/version', (n) => `${n} must be ${expected}`);
      }
    }
    const verb = value['verb'] as JsonObject;
    const object = value['object'] as JsonObject;
    if (verb['id'] === VOIDED_VERB_ID && object['objectType'] !== 'StatementRef') {
      return this.problem('/object', (n) => `${n} must be a StatementRef when verb.id is ${VOIDED_VERB_ID}`);
    }
    const body = this.statementBody(value, '');
    if (body !== null) return body;
    const authority = value['authority'] as JsonObject | undefined;
    if (authority !== undefined) return this.authority(authority, '/authority');
    return null;
  }
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Validates an xAPI statement (already parsed from JSON). Returns the first
 * problem found, or null when the statement is valid. `version` is the xAPI
 * version the statement is submitted under (X-Experience-API-Version).
 */
export function validateStatement(value: unknown, version: XapiVersion = '1.0.3'): StatementProblem | null {
  return runSchema(STATEMENT_SCHEMA_ID, value, 'statement') ?? new Checker(version, 'statement').statement(value as JsonObject);
}

/**
 * Validates an Agent or Group as used in the `agent` query parameter of the
 * Statement, State and Agent Profile resources. Paths are relative to the actor.
 */
export function validateActor(value: unknown): StatementProblem | null {
  return runSchema(ACTOR_SCHEMA_ID, value, 'agent') ?? new Checker('1.0.3', 'agent').actor(value as JsonObject, '');
}
