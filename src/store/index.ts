import path from 'node:path';
import type { Config } from '../config.js';
import type { Store } from './ports.js';
import { createSqliteStore } from './sqlite/index.js';

export type * from './ports.js';
export { migrateDataDirToMongo, type MigrationProgress } from './mongo/migrate-from-sqlite.js';

/**
 * Builds the embedded store synchronously. STORE=mongodb must connect first: use `openStore`.
 */
export function createStore(config: Pick<Config, 'store' | 'dataDir'> & Partial<Pick<Config, 'sqliteSynchronous'>>): Store {
  switch (config.store) {
    case 'sqlite':
      return createSqliteStore(config.dataDir, { synchronous: config.sqliteSynchronous ?? 'full' });
    case 'mongodb':
      throw new Error('STORE=mongodb connects asynchronously: build it with openStore(config)');
  }
}

/** Builds the store the configuration names; with MongoDB, connects and creates indexes first (rejects naming the hosts). */
export async function openStore(config: Pick<Config, 'store' | 'dataDir' | 'mongodbUri' | 'mongodbDatabase'> & Partial<Pick<Config, 'sqliteSynchronous'>>): Promise<Store> {
  switch (config.store) {
    case 'sqlite':
      return createSqliteStore(config.dataDir, { synchronous: config.sqliteSynchronous ?? 'full' });
    case 'mongodb': {
      // Loaded only when chosen: an embedded deployment never loads the MongoDB driver.
      const { openMongoStore } = await import('./mongo/index.js');
      return openMongoStore({
        uri: config.mongodbUri,
        ...(config.mongodbDatabase !== '' && { database: config.mongodbDatabase }),
        // Extraction of uploads happens on local disk before the files go to GridFS.
        stagingDirectory: path.join(config.dataDir, 'staging'),
      });
    }
  }
}
