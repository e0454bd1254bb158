import type { Activity, Actor, Context, LanguageMap, Statement, StatementObject } from './statement-types.js';
import type { StatementFormat } from './statement-query.js';

/** `format=ids` (xAPI 1.0.3 §2.1.3): only what identifies agents, groups, activities and verbs. */
function actorIds(actor: Actor): Actor {
  const { objectType, mbox, mbox_sha1sum, openid, account, member } = actor;
  const identified = mbox ?? mbox_sha1sum ?? openid ?? account;
  const out: Actor = { objectType: objectType ?? 'Agent' };
  if (mbox !== undefined) out.mbox = mbox;
  if (mbox_sha1sum !== undefined) out.mbox_sha1sum = mbox_sha1sum;
  if (openid !== undefined) out.openid = openid;
  if (account !== undefined) out.account = account;
  // An anonymous Group is identified by its members.
  if (!identified && member) out.member = member.map(actorIds);
  return out;
}

const activityIds = (activity: Activity): Activity => ({ id: activity.id });

function contextIds(context: Context): Context {
  const out: Context = { ...context };
  if (context.instructor) out.instructor = actorIds(context.instructor);
  if (context.team) out.team = actorIds(context.team);
  if (context.contextActivities) {
    const lists: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(context.contextActivities)) {
      lists[name] = Array.isArray(value) ? value.map(activityIds) : activityIds(value as Activity);
    }
    out.contextActivities = lists;
  }
  return out;
}

function objectIds(object: StatementObject): StatementObject {
  const type = (object as { objectType?: string }).objectType;
  if (type === 'Agent' || type === 'Group') return actorIds(object as Actor);
  if (type === 'StatementRef') return object;
  if (type === 'SubStatement') return statementIds(object as unknown as Statement) as unknown as StatementObject;
  return activityIds(object as Activity);
}

function statementIds(statement: Statement): Statement {
  const out: Statement = {
    ...statement,
    actor: actorIds(statement.actor),
    verb: { id: statement.verb.id },
    object: objectIds(statement.object),
  };
  if (statement.authority) out.authority = actorIds(statement.authority);
  if (statement.context) out.context = contextIds(statement.context);
  return out;
}

/**
 * Picks one language from a map: the first of the reader's languages that the map has (exact tag, then
 * primary subtag), else `en`/`en-US`, else the map's first entry.
 */
export function pickLanguage(map: LanguageMap, languages: readonly string[]): LanguageMap {
  const tags = Object.keys(map);
  if (tags.length <= 1) return map;
  const lower = new Map(tags.map((tag) => [tag.toLowerCase(), tag]));
  for (const wanted of [...languages, 'en-US', 'en']) {
    const exact = lower.get(wanted.toLowerCase());
    if (exact) return { [exact]: map[exact] };
    const primary = wanted.toLowerCase().split('-')[0];
    const partial = tags.find((tag) => tag.toLowerCase().split('-')[0] === primary);
    if (partial) return { [partial]: map[partial] };
  }
  return { [tags[0]]: map[tags[0]] };
}

const languageMapKeys = new Set(['display', 'name', 'description']);

/** `format=canonical`: every language map (display, name, description objects) reduced to the reader's language. */
function canonical(value: unknown, languages: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, languages));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const isLanguageMap = languageMapKeys.has(key) && child !== null && typeof child === 'object' && !Array.isArray(child);
    if (key === 'extensions') out[key] = child;
    else if (isLanguageMap) out[key] = pickLanguage(child as LanguageMap, languages);
    else out[key] = canonical(child, languages);
  }
  return out;
}

/** Languages from an Accept-Language header, best first. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
}

/** Renders a stored statement body in the requested format. `exact` returns the stored text untouched. */
export function formatStatement(body: string, format: StatementFormat, languages: readonly string[]): string {
  if (format === 'exact') return body;
  const statement = JSON.parse(body) as Statement;
  if (format === 'ids') return JSON.stringify(statementIds(statement));
  return JSON.stringify(canonical(statement, languages));
}
