/**
 * The statement explorer: the xAPI statement query (agent, verb, activity, registration, since, until,
 * related_*), run through the LRS's own query service in-process, its statements flattened into table rows.
 *
 * The LRS answers about every learner of every country: the explorer is for grants without country limits
 * (admins, analysts of all countries). An analyst limited to countries is refused here rather than shown a page
 * filtered after the fact, whose `more` paging would hide how much was withheld.
 */
import type { Grant, LrsPrincipal } from '../../access/index.js';
import { forbidden, invalid } from '../../errors.js';
import type { UserRecord } from '../../store/ports.js';
import { pickLanguage } from '../transcript-service.js';

/** The LRS's query service, as the composition root adapts it (GET /xapi/statements without HTTP). */
export interface StatementQueryPort {
  /** A query page: the parameters of GET /statements (strings); rejects with the LRS's validation errors. */
  query(params: Readonly<Record<string, string>>, principal: LrsPrincipal, languages: readonly string[]): Promise<{ readonly statements: readonly string[]; readonly more: string }>;
  /** The page after, from the token of a `more` link. */
  more(token: string, principal: LrsPrincipal, languages: readonly string[]): Promise<{ readonly statements: readonly string[]; readonly more: string }>;
}

export interface ExplorerDeps {
  readonly statements: StatementQueryPort;
  readonly publicUrl: string;
}

/** The form's fields: the xAPI query parameters the explorer passes on. */
export const explorerParameters = ['agent', 'verb', 'activity', 'registration', 'since', 'until', 'related_activities', 'related_agents', 'ascending', 'limit'] as const;
export type ExplorerParameter = (typeof explorerParameters)[number];
export type ExplorerQuery = Partial<Record<ExplorerParameter | 'more', string>>;

export const EXPLORER_PAGE_SIZE = 25;
const EXPLORER_MAX_PAGE = 200;

export interface ExplorerRow {
  readonly id: string;
  readonly timestamp: string;
  readonly stored: string;
  readonly actor: string;
  readonly verb: string;
  readonly verbId: string;
  readonly object: string;
  readonly objectId: string;
  readonly registration: string | null;
  /** The result's parts present, in this order: success, completion, score (scaled), response, duration. */
  readonly result: ReadonlyArray<{ readonly key: 'success' | 'completion' | 'score' | 'response' | 'duration'; readonly value: string }>;
}

export interface ExplorerPage {
  readonly rows: readonly ExplorerRow[];
  /** The token of the next page, or null. */
  readonly more: string | null;
}

interface Agentish {
  objectType?: string;
  name?: string;
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: { homePage?: string; name?: string };
  member?: Agentish[];
}

interface ExplorerStatement {
  id: string;
  actor?: Agentish;
  verb?: { id?: string; display?: Record<string, string> };
  object?: Agentish & { id?: string; definition?: { name?: Record<string, string> } };
  result?: { success?: boolean; completion?: boolean; score?: { scaled?: number; raw?: number }; response?: string; duration?: string };
  context?: { registration?: string };
  timestamp?: string;
  stored?: string;
}

function agentLabel(agent: Agentish | undefined): string {
  if (!agent) return '';
  const id = agent.mbox?.replace(/^mailto:/, '') ?? agent.account?.name ?? agent.openid ?? agent.mbox_sha1sum ?? '';
  if (agent.name && id) return `${agent.name} (${id})`;
  return agent.name ?? (id || (agent.member ?? []).map(agentLabel).join(', '));
}

/** An `agent` field as typed: JSON, or an e-mail address (the common case), made an Agent. */
function agentParameter(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return trimmed;
  if (/^[^\s@]+@[^\s@]+$/.test(trimmed)) return JSON.stringify({ mbox: `mailto:${trimmed.replace(/^mailto:/, '')}` });
  throw invalid('bad-query-parameter', 'agent must be an e-mail address or a JSON Agent, e.g. {"mbox":"mailto:officer@example.org"}', { parameter: 'agent' });
}

export function createStatementExplorer(deps: ExplorerDeps) {
  function principalOf(reader: Pick<UserRecord, 'id' | 'name'>): LrsPrincipal {
    return {
      credentialId: `explorer:${reader.id}`,
      name: `statement explorer (${reader.name})`,
      scopes: ['statements/read'],
      authority: { objectType: 'Agent', name: reader.name, account: { homePage: deps.publicUrl, name: reader.id } },
    };
  }

  function toRow(text: string, language: string): ExplorerRow {
    const statement = JSON.parse(text) as ExplorerStatement;
    const object = statement.object ?? {};
    const objectType = object.objectType ?? 'Activity';
    const objectLabel =
      objectType === 'Activity'
        ? pickLanguage(object.definition?.name, language) || (object.id ?? '')
        : objectType === 'Agent' || objectType === 'Group'
          ? agentLabel(object)
          : `${objectType} ${object.id ?? ''}`.trim();
    const result = statement.result ?? {};
    const parts: Array<ExplorerRow['result'][number]> = [];
    if (typeof result.success === 'boolean') parts.push({ key: 'success', value: String(result.success) });
    if (typeof result.completion === 'boolean') parts.push({ key: 'completion', value: String(result.completion) });
    if (typeof result.score?.scaled === 'number') parts.push({ key: 'score', value: String(result.score.scaled) });
    else if (typeof result.score?.raw === 'number') parts.push({ key: 'score', value: String(result.score.raw) });
    if (typeof result.response === 'string') parts.push({ key: 'response', value: result.response });
    if (typeof result.duration === 'string') parts.push({ key: 'duration', value: result.duration });
    const verbId = statement.verb?.id ?? '';
    return {
      id: statement.id,
      timestamp: statement.timestamp ?? '',
      stored: statement.stored ?? '',
      actor: agentLabel(statement.actor),
      verb: pickLanguage(statement.verb?.display, language) || verbId.replace(/^.*[/#]/, ''),
      verbId,
      object: objectLabel,
      objectId: object.id ?? '',
      registration: statement.context?.registration ?? null,
      result: parts,
    };
  }

  return {
    /** A page of statements for a reader whose `records.read` grant is unlimited. */
    async explore(reader: Pick<UserRecord, 'id' | 'name' | 'language'>, grant: Grant, query: ExplorerQuery): Promise<ExplorerPage> {
      if (grant.scope !== 'all') {
        throw forbidden('explorer-forbidden', 'the statement explorer shows the statements of every country: it needs a grant without country limits');
      }
      const language = reader.language || 'en';
      const principal = principalOf(reader);
      let page: { readonly statements: readonly string[]; readonly more: string };
      if (query.more) page = await deps.statements.more(query.more, principal, [language]);
      else {
        const params: Record<string, string> = {};
        for (const name of explorerParameters) {
          const value = query[name]?.trim();
          if (value) params[name] = name === 'agent' ? agentParameter(value) : value;
        }
        // A checkbox left unticked sends nothing; ticked, "true".
        const limit = Number(params.limit ?? EXPLORER_PAGE_SIZE);
        params.limit = String(Number.isInteger(limit) && limit > 0 ? Math.min(limit, EXPLORER_MAX_PAGE) : EXPLORER_PAGE_SIZE);
        page = await deps.statements.query(params, principal, [language]);
      }
      const token = page.more ? new URL(page.more, 'http://lrs.invalid').searchParams.get('more') : null;
      return { rows: page.statements.map((text) => toRow(text, language)), more: token };
    },
  };
}

export type StatementExplorer = ReturnType<typeof createStatementExplorer>;
