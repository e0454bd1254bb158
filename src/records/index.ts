/**
 * The records context: projections of the statements (registration progress), transcripts; certificates and
 * reports come next. Its public module.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/ports.js';
import { registerTranscriptRoutes } from './transcript-routes.js';
import { createTranscriptService } from './transcript-service.js';

export { courseCompletion, projectionPlan, projectRegistration, summarizeProgress } from './progress-projection.js';
export type { ProjectionPlan, ProgressAccumulator } from './progress-projection.js';
export type { Transcript, TranscriptCourse, TranscriptService, TranscriptUnit } from './transcript-service.js';

export interface RecordsDeps {
  readonly store: Pick<Store, 'records' | 'catalog' | 'users'>;
  readonly now?: () => number;
}

export function createRecords({ store, now }: RecordsDeps) {
  const transcripts = createTranscriptService({ records: store.records, catalog: store.catalog, users: store.users, ...(now && { now }) });
  return {
    transcripts,
    /** Rebuilds every projection from the statements (`cadet rebuild-projections`). */
    rebuildProjections: () => store.records.rebuild(),
    /** The JSON API, to mount at `/api`. */
    routes: async (app: FastifyInstance) => registerTranscriptRoutes(app, { transcripts }),
  };
}

export type Records = ReturnType<typeof createRecords>;
