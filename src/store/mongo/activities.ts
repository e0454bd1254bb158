import type { ClientSession } from 'mongodb';
import { mergeActivityDefinition } from '../activity-definitions.js';
import type { ActivityStore, StatementRecord } from '../ports.js';
import type { MongoContext } from './database.js';
import { collectionNames, type ActivityDocument } from './documents-model.js';

/** Canonical activity definitions: read, merged (`mergeActivityDefinition`, shared with SQLite), written back. */
export function createMongoActivityStore(context: MongoContext): ActivityStore & {
  readonly mergeWithin: (definitions: StatementRecord['definitions'], session: ClientSession) => Promise<void>;
} {
  const activities = () => context.collection<ActivityDocument>(collectionNames.activities);
  return {
    async definition(activityId) {
      const found = await activities().findOne({ _id: activityId });
      return found ? (JSON.parse(found.definition) as Record<string, unknown>) : null;
    },
    /** Inside the statement batch's transaction: the read and the write see no other writer in between. */
    async mergeWithin(definitions, session) {
      for (const { id, definition } of definitions) {
        const current = await activities().findOne({ _id: id }, { session });
        const merged = mergeActivityDefinition(current ? (JSON.parse(current.definition) as Record<string, unknown>) : null, definition);
        await activities().updateOne({ _id: id }, { $set: { definition: JSON.stringify(merged) } }, { upsert: true, session });
      }
    },
  };
}
