/** The xAPI SCORM Profile's example statements and JSON Schemas from ../shared/fixtures, and a validator for them. */
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';

type Json = Record<string, any>;

export function profileStatement(file: string): Json {
  return JSON.parse(readFileSync(sharedFixture('xapi', 'statements', 'scorm-profile', file), 'utf8')) as Json;
}

export function profileStatementFiles(): string[] {
  return readdirSync(sharedFixture('xapi', 'statements', 'scorm-profile')).filter((f) => f.endsWith('.json'));
}

const schemaDir = () => sharedFixture('xapi', 'document-schemas', 'scorm-profile');

/**
 * The profile's schemas are draft-04 style (`id`, tuple `items`): compiled by a lenient ajv of their own.
 * `scorm.profile.objectives.schema.json` is invalid JSON upstream (line 76) and is not used.
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();

export function profileSchema(name: string): ValidateFunction {
  let fn = compiled.get(name);
  if (fn === undefined) {
    const schema = JSON.parse(readFileSync(`${schemaDir()}/scorm.profile.${name}.schema.json`, 'utf8')) as Json;
    delete schema['$schema'];
    delete schema['id'];
    fn = ajv.compile(schema);
    compiled.set(name, fn);
  }
  return fn;
}

/** The statement-pattern schemas of the profile that a statement must satisfy, by verb and object type. */
export function patternSchemasFor(statement: Json): string[] {
  const verb = String(statement['verb']['id']).replace('http://adlnet.gov/expapi/verbs/', '');
  const onSco = statement['object']['definition']?.['type'] === 'http://adlnet.gov/expapi/activities/lesson';
  const names = ['reporting.learner.activity.during.attempt'];
  if (!onSco) return names;
  switch (verb) {
    case 'initialized':
      return [...names, 'initializing.attempt'];
    case 'resumed':
      return [...names, 'resuming.attempt'];
    case 'suspended':
      return [...names, 'suspending.attempt', ...(statement['result']?.['duration'] ? ['session.time'] : [])];
    case 'terminated':
      return [...names, 'terminating.attempt', ...(statement['result']?.['duration'] ? ['session.time'] : [])];
    case 'completed':
      return [...names, 'completion.status'];
    case 'passed':
    case 'failed':
      return [...names, 'success.status'];
    case 'scored':
      return statement['result']?.['score']?.['scaled'] === undefined ? names : [...names, 'score'];
    case 'progressed':
      return [...names, 'progress.measure'];
    case 'commented':
      return [...names, 'comments.from.learner'];
    default:
      return names;
  }
}
