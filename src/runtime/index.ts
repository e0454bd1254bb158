import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { LrsPrincipal } from '../access/index.js';
import { firstTitle, type CatalogService } from '../packages/index.js';
import type { CatalogStore, PackageFileStore, RuntimeStore, StatementRecord, UserStore } from '../store/ports.js';
import { buildContentServer } from './content-server.js';
import { createLaunchTokens } from './launch-tokens.js';
import { playerAssets, renderPlayerPage } from './player/index.js';
import { registerRuntimeRoutes } from './runtime-routes.js';
import { createRuntimeService, type Learner, type ScormAttemptState, type ScormTranslator } from './runtime-service.js';
import { initialCmi } from './scorm-initial-cmi.js';
import { readCmi, translateCommit, type ScormCmiState } from './scorm-to-xapi/index.js';

export type { LaunchClaims } from './launch-tokens.js';
export type { RuntimeService } from './runtime-service.js';
/** The course's SCORM 2004 status by sequencing rollup, from a registration's attempts (null for other formats). */
export { courseStatus, type ActivityStatus } from './sequencing/index.js';

export interface RuntimeDeps {
  readonly catalog: CatalogService;
  readonly store: { readonly catalog: Pick<CatalogStore, 'version' | 'courseById'>; readonly runtime: RuntimeStore; readonly packageFiles: PackageFileStore; readonly users: Pick<UserStore, 'get'> };
  readonly prepareStatements: (statements: unknown[], principal: LrsPrincipal) => { records: StatementRecord[] };
  readonly publicUrl: string;
  readonly contentUrl: string;
  readonly tokenSecret: string;
  readonly tokenTtlMinutes: number;
  readonly logLevel: string;
  readonly now?: () => number;
}

/** The SCORM → xAPI translation of src/runtime/scorm-to-xapi, as the runtime service uses it. */
const scormTranslator: ScormTranslator = {
  // A malformed commit throws ScormCommitError, an AppError: 400 naming the element.
  read: (version, body) => readCmi(version, body),
  translate: (before, after, event, context) =>
    translateCommit(before as ScormCmiState | null, after as ScormCmiState, event, { ...context, actor: context.actor as never }, randomUUID),
  empty: (version) => readCmi(version, { cmi: version === 'scorm12' ? { core: {} } : {} }),
  ends: (state) => (state as ScormCmiState).exit !== 'suspend' && (state as ScormCmiState).navRequest !== 'suspendAll',
};


/**
 * The runtime context: launch tokens, the runtime service, its routes on the app origin, and the content origin
 * server (package files and the SCORM player).
 */
export function createRuntime(deps: RuntimeDeps) {
  const now = deps.now ?? Date.now;
  const tokens = createLaunchTokens({ secret: deps.tokenSecret, ttlMs: deps.tokenTtlMinutes * 60_000, now });
  const service = createRuntimeService({
    catalog: deps.catalog,
    catalogStore: deps.store.catalog,
    runtime: deps.store.runtime,
    tokens,
    prepareStatements: deps.prepareStatements,
    translator: scormTranslator,
    publicUrl: deps.publicUrl,
    contentUrl: deps.contentUrl,
    now,
  });

  async function learnerById(userId: string): Promise<Learner> {
    const user = await deps.store.users.get(userId);
    return { id: userId, name: user?.name ?? 'Learner' };
  }

  async function playerPage(token: string): Promise<string> {
    const launch = await service.player(token, async (userId) => (await learnerById(userId)).name);
    const version = launch.model.format === 'scorm2004' ? 'scorm2004' : 'scorm12';
    const previous = launch.attempt.state === null ? null : ((launch.attempt.state as ScormAttemptState).cmi as ScormCmiState);
    const query = `token=${encodeURIComponent(token)}`;
    return renderPlayerPage({
      title: firstTitle(launch.course.title),
      lang: 'en',
      dir: 'ltr',
      scormVersion: version,
      launchUrl: launch.launchUrl,
      commitUrl: `${deps.publicUrl}/api/runtime/commit?${query}`,
      navigateUrl: `${deps.publicUrl}/api/runtime/navigate?${query}`,
      exitUrl: `${deps.publicUrl}/courses/${launch.course.slug}`,
      initialCmi: initialCmi(version, launch.unit, { id: launch.claims.userId, name: launch.learnerName }, previous, launch.objectives),
      lastCommitSequence: launch.attempt.commitSequence,
      sequencing: launch.sequencing ?? null,
      // The organization tree as the sequencing rules show it now (src/runtime/sequencing tableOfContents).
      toc: launch.toc.map((entry) => ({
        identifier: entry.identifier,
        title: firstTitle(entry.title),
        depth: entry.depth,
        launchable: entry.launchable,
        current: entry.current,
        ...(entry.status !== undefined && { status: entry.status }),
        ...(entry.disabled && { disabled: true }),
      })),
      assetsBaseUrl: `${deps.contentUrl}/player/assets/`,
      attemptId: launch.attempt.id,
    });
  }

  const assets = new Map(playerAssets.map((asset) => [asset.name, { content: fs.readFileSync(asset.file), contentType: asset.contentType }]));

  return {
    service,
    /** Launch, commit and navigate on the app origin (mount under `/api`). */
    routes: async (app: FastifyInstance) => registerRuntimeRoutes(app, { runtime: service, contentOrigin: new URL(deps.contentUrl).origin, learnerById }),
    /** The content origin's server (listen on CONTENT_PORT). */
    contentServer: () => buildContentServer({ runtime: service, files: deps.store.packageFiles, playerPage, playerAssets: assets, logLevel: deps.logLevel }),
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
