import type { Config } from '../config.js';
import type { Store } from './ports.js';
import { createSqliteStore } from './sqlite/index.js';

export type * from './ports.js';

/** Builds the store the configuration names. */
export function createStore(config: Pick<Config, 'store' | 'dataDir'>): Store {
  switch (config.store) {
    case 'sqlite':
      return createSqliteStore(config.dataDir);
  }
}
