import type { Migration } from './index.js';

/** The catalog: courses and their versions (files live in the package file store). */
export const catalogMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE courses (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        activity_id TEXT NOT NULL,
        source_identifier TEXT NOT NULL,
        format TEXT NOT NULL,
        title TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX courses_source ON courses (source_identifier);
      CREATE TABLE course_versions (
        id TEXT PRIMARY KEY,
        course_id TEXT NOT NULL REFERENCES courses (id),
        number INTEGER NOT NULL,
        format TEXT NOT NULL,
        model TEXT NOT NULL,
        sequencing TEXT,
        files_key TEXT NOT NULL,
        file_count INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        warnings TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        created_by TEXT,
        retired_ms INTEGER,
        UNIQUE (course_id, number)
      );
    `,
  },
];
