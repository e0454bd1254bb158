import type { Activity, Actor, Context, Statement, StatementObject } from './statement-types.js';

/**
 * Filter keys: one string per value a statement can be found by through GET /statements
 * (xAPI 1.0.3 §2.1.3 "Query Parameters"). Stored in one index, so every parameter is served by it.
 * `related_agents` / `related_activities` widen the match, so their keys are supersets of the plain ones.
 */
export const keyOf = {
  agent: (identity: string) => `agent|${identity}`,
  relatedAgent: (identity: string) => `ragent|${identity}`,
  verb: (iri: string) => `verb|${iri}`,
  activity: (iri: string) => `activity|${iri}`,
  relatedActivity: (iri: string) => `ractivity|${iri}`,
  registration: (uuid: string) => `registration|${uuid.toLowerCase()}`,
};

/**
 * The identity of an Agent or identified Group: its objectType and its one inverse functional identifier
 * (xAPI 1.0.3 §2.4.2.1: equal when the same IFI is used and the objectType is the same).
 * Null for an anonymous Group.
 */
export function actorIdentity(actor: Actor): string | null {
  const type = actor.objectType ?? 'Agent';
  if (actor.mbox !== undefined) return `${type}|mbox|${actor.mbox}`;
  if (actor.mbox_sha1sum !== undefined) return `${type}|mbox_sha1sum|${actor.mbox_sha1sum.toLowerCase()}`;
  if (actor.openid !== undefined) return `${type}|openid|${actor.openid}`;
  if (actor.account !== undefined) return `${type}|account|${actor.account.homePage}|${actor.account.name}`;
  return null;
}

const isActor = (object: StatementObject): object is Actor =>
  'objectType' in object && (object.objectType === 'Agent' || object.objectType === 'Group');

const isActivity = (object: StatementObject): object is Activity =>
  !('objectType' in object) || object.objectType === undefined || object.objectType === 'Activity';

/** An actor matches itself and, for a Group, each of its members. */
function identitiesOf(actor: Actor | undefined): string[] {
  if (!actor) return [];
  const own = actorIdentity(actor);
  const members = actor.objectType === 'Group' ? (actor.member ?? []).map(actorIdentity) : [];
  return [own, ...members].filter((identity): identity is string => identity !== null);
}

function contextActivityIds(context: Context | undefined): string[] {
  const lists = context?.contextActivities;
  if (!lists) return [];
  const ids: string[] = [];
  for (const value of [lists.parent, lists.grouping, lists.category, lists.other]) {
    if (value === undefined) continue;
    for (const activity of Array.isArray(value) ? value : [value]) ids.push(activity.id);
  }
  return ids;
}

/** Agents and activities a statement (or sub-statement) mentions anywhere, for the related_* parameters. */
function relatedOf(statement: { actor: Actor; object: StatementObject; context?: Context; authority?: Actor }) {
  const agents = [
    ...identitiesOf(statement.actor),
    ...identitiesOf(statement.authority),
    ...identitiesOf(statement.context?.instructor),
    ...identitiesOf(statement.context?.team),
  ];
  const activities = contextActivityIds(statement.context);
  const object = statement.object;
  if (isActor(object)) agents.push(...identitiesOf(object));
  else if (isActivity(object)) activities.push(object.id);
  else if (object.objectType === 'SubStatement') {
    const nested = relatedOf(object);
    agents.push(...nested.agents);
    activities.push(...nested.activities);
  }
  return { agents, activities };
}

/** Every filter key a stored statement matches on its own (inherited keys are added by the store). */
export function statementKeys(statement: Statement): string[] {
  const keys = new Set<string>();
  const direct = [...identitiesOf(statement.actor), ...(isActor(statement.object) ? identitiesOf(statement.object) : [])];
  for (const identity of direct) keys.add(keyOf.agent(identity));
  const related = relatedOf(statement);
  for (const identity of [...direct, ...related.agents]) keys.add(keyOf.relatedAgent(identity));
  keys.add(keyOf.verb(statement.verb.id));
  if (isActivity(statement.object)) {
    keys.add(keyOf.activity(statement.object.id));
    keys.add(keyOf.relatedActivity(statement.object.id));
  }
  for (const id of related.activities) keys.add(keyOf.relatedActivity(id));
  if (statement.context?.registration) keys.add(keyOf.registration(statement.context.registration));
  return [...keys];
}
