import { accessMigrations } from './access.js';
import { catalogMigrations } from './catalog.js';
import { certificatesMigrations } from './certificates.js';
import { lrsMigrations } from './lrs.js';
import { recordsMigrations } from './records.js';
import { reportsMigrations } from './reports.js';
import { runtimeMigrations } from './runtime.js';

/**
 * Schema migrations, one ordered, append-only list per context (so contexts evolve their tables apart).
 * Never edit a migration that has shipped: add the next version.
 */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const migrationsByScope: Readonly<Record<string, readonly Migration[]>> = {
  lrs: lrsMigrations,
  access: accessMigrations,
  catalog: catalogMigrations,
  runtime: runtimeMigrations,
  records: recordsMigrations,
  reports: reportsMigrations,
  certificates: certificatesMigrations,
};
