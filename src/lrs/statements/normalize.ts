import { sha256Hex } from '../../shared/canonical-json.js';
import { comparableStatement } from './statement-comparison.js';
import type { StatementRecord } from '../../store/ports.js';
import { statementKeys } from './statement-keys.js';
import type { Activity, Actor, Context, ContextActivities, Statement, SubStatement } from './statement-types.js';
import { VOIDED_VERB } from './statement-types.js';

export interface NormalizeContext {
  /** When the LRS stores the batch (epoch ms); the same for every statement of a batch. */
  readonly storedMs: number;
  /** The authority the LRS records (xAPI 1.0.3 §2.4.9: set by the LRS from the credential). */
  readonly authority: Actor;
  readonly credentialId: string | null;
  readonly newId: () => string;
  /** Whether the credential may update canonical activity definitions (the `define` scope). */
  readonly mayDefine: boolean;
  /** `version` recorded when the statement has none: 1.0.0 under xAPI 1.0.x, 2.0.0 under 2.0 (IEEE 9274.1.1 §4.2.4.1). */
  readonly defaultVersion: '1.0.0' | '2.0.0';
}

/** xAPI 1.0.3 §2.4.6.2: a single context activity is returned as an array of one. */
function contextWithArrays(context: Context | undefined): Context | undefined {
  const lists = context?.contextActivities;
  if (!context || !lists) return context;
  const arrays: ContextActivities = {};
  for (const [name, value] of Object.entries(lists) as Array<[keyof ContextActivities, Activity | Activity[]]>) {
    arrays[name] = Array.isArray(value) ? value : [value];
  }
  return { ...context, contextActivities: arrays };
}

function withContextActivityArrays(statement: Statement): Statement {
  const out: Statement = { ...statement };
  if (statement.context) out.context = contextWithArrays(statement.context);
  const object = statement.object as SubStatement;
  if (object.objectType === 'SubStatement' && object.context) out.object = { ...object, context: contextWithArrays(object.context) };
  return out;
}

/** Every activity with a definition in a statement: object, context activities, and the same in a sub-statement. */
function activityDefinitions(statement: Statement): Array<{ id: string; definition: Record<string, unknown> }> {
  const found: Array<{ id: string; definition: Record<string, unknown> }> = [];
  const visit = (node: { object: unknown; context?: Context }) => {
    const object = node.object as { objectType?: string; id?: string; definition?: Record<string, unknown> };
    if ((object.objectType === undefined || object.objectType === 'Activity') && object.id && object.definition) {
      found.push({ id: object.id, definition: object.definition });
    }
    for (const list of Object.values(node.context?.contextActivities ?? {})) {
      for (const activity of (Array.isArray(list) ? list : [list]) as Activity[]) {
        if (activity.definition) found.push({ id: activity.id, definition: activity.definition });
      }
    }
    if (object.objectType === 'SubStatement') visit(object as unknown as SubStatement);
  };
  visit(statement);
  return found;
}

/**
 * The pure step between validation and storage: completes what the LRS owns (`id`, `stored`, `authority`,
 * `version`, `timestamp`) and extracts everything the store indexes. No I/O; unit-tested without a database.
 */
export function normalizeStatement(input: Statement, context: NormalizeContext): StatementRecord {
  const stored = new Date(context.storedMs).toISOString();
  // The fingerprint covers what the client sent (xAPI 1.0.3 §2.2.1: a resent statement with the same id and
  // content is accepted without change; different content is a conflict). Properties the LRS sets are left out.
  const id = input.id ?? context.newId();
  const fingerprint = sha256Hex(comparableStatement({ ...input, id }));
  const statement: Statement = {
    ...withContextActivityArrays(input),
    id,
    timestamp: input.timestamp ?? stored,
    stored,
    authority: context.authority,
    version: input.version ?? context.defaultVersion,
  };
  const object = statement.object as { objectType?: string; id?: string };
  const isReference = object.objectType === 'StatementRef';
  return {
    id,
    body: JSON.stringify(statement),
    storedMs: context.storedMs,
    verbId: statement.verb.id,
    registration: statement.context?.registration?.toLowerCase() ?? null,
    refTarget: isReference ? (object.id as string) : null,
    isVoiding: isReference && statement.verb.id === VOIDED_VERB,
    credentialId: context.credentialId,
    keys: statementKeys(statement),
    fingerprint,
    definitions: context.mayDefine ? activityDefinitions(statement) : [],
  };
}
