/** The shapes of xAPI objects the LRS reads after validation (`schemas/xapi/`). Loose on purpose: validation made them safe. */

export type LanguageMap = Record<string, string>;

export interface Account {
  homePage: string;
  name: string;
}

export interface Actor {
  objectType?: 'Agent' | 'Group';
  name?: string;
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: Account;
  member?: Actor[];
}

export interface Verb {
  id: string;
  display?: LanguageMap;
}

export interface ActivityDefinition {
  name?: LanguageMap;
  description?: LanguageMap;
  [key: string]: unknown;
}

export interface Activity {
  objectType?: 'Activity';
  id: string;
  definition?: ActivityDefinition;
}

export interface StatementRef {
  objectType: 'StatementRef';
  id: string;
}

export interface ContextActivities {
  parent?: Activity[] | Activity;
  grouping?: Activity[] | Activity;
  category?: Activity[] | Activity;
  other?: Activity[] | Activity;
}

export interface Context {
  registration?: string;
  instructor?: Actor;
  team?: Actor;
  contextActivities?: ContextActivities;
  [key: string]: unknown;
}

export interface SubStatement {
  objectType: 'SubStatement';
  actor: Actor;
  verb: Verb;
  object: StatementObject;
  context?: Context;
  [key: string]: unknown;
}

export type StatementObject = Activity | Actor | StatementRef | SubStatement;

export interface Statement {
  id?: string;
  actor: Actor;
  verb: Verb;
  object: StatementObject;
  result?: Record<string, unknown>;
  context?: Context;
  timestamp?: string;
  stored?: string;
  authority?: Actor;
  version?: string;
  attachments?: Array<Record<string, unknown>>;
}

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';
