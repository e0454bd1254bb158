import { conflict } from '../../errors.js';
import type { CatalogStore, CourseRecord, CourseVersionRecord } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface CourseRow {
  id: string;
  slug: string;
  activity_id: string;
  source_identifier: string;
  format: CourseRecord['format'];
  title: string;
  created_ms: number;
}

interface VersionRow {
  id: string;
  course_id: string;
  number: number;
  format: CourseRecord['format'];
  model: string;
  sequencing: string | null;
  files_key: string;
  file_count: number;
  size_bytes: number;
  sha256: string;
  warnings: string;
  created_ms: number;
  created_by: string | null;
  retired_ms: number | null;
}

const toCourse = (row: CourseRow): CourseRecord => ({
  id: row.id,
  slug: row.slug,
  activityId: row.activity_id,
  sourceIdentifier: row.source_identifier,
  format: row.format,
  title: JSON.parse(row.title) as Record<string, string>,
  createdMs: row.created_ms,
});

const toVersion = (row: VersionRow): CourseVersionRecord => ({
  id: row.id,
  courseId: row.course_id,
  number: row.number,
  format: row.format,
  model: JSON.parse(row.model),
  sequencing: row.sequencing === null ? null : JSON.parse(row.sequencing),
  filesKey: row.files_key,
  fileCount: row.file_count,
  sizeBytes: row.size_bytes,
  sha256: row.sha256,
  warnings: JSON.parse(row.warnings) as unknown[],
  createdMs: row.created_ms,
  createdBy: row.created_by,
  retiredMs: row.retired_ms,
});

export function createSqliteCatalogStore(db: Sqlite, writes: WriteQueue): CatalogStore {
  const sql = {
    courseById: db.prepare('SELECT * FROM courses WHERE id = ?'),
    courseBySlug: db.prepare('SELECT * FROM courses WHERE slug = ?'),
    courseBySource: db.prepare('SELECT * FROM courses WHERE source_identifier = ? ORDER BY created_ms LIMIT 1'),
    courses: db.prepare('SELECT * FROM courses ORDER BY slug'),
    insertCourse: db.prepare(
      'INSERT INTO courses (id, slug, activity_id, source_identifier, format, title, created_ms) VALUES (@id, @slug, @activityId, @sourceIdentifier, @format, @title, @createdMs)',
    ),
    lastNumber: db.prepare('SELECT COALESCE(MAX(number), 0) AS n FROM course_versions WHERE course_id = ?'),
    insertVersion: db.prepare(
      `INSERT INTO course_versions (id, course_id, number, format, model, sequencing, files_key, file_count, size_bytes, sha256, warnings, created_ms, created_by, retired_ms)
       VALUES (@id, @courseId, @number, @format, @model, @sequencing, @filesKey, @fileCount, @sizeBytes, @sha256, @warnings, @createdMs, @createdBy, NULL)`,
    ),
    versions: db.prepare('SELECT * FROM course_versions WHERE course_id = ? ORDER BY number'),
    version: db.prepare('SELECT * FROM course_versions WHERE id = ?'),
    retire: db.prepare('UPDATE course_versions SET retired_ms = ? WHERE id = ? AND retired_ms IS NULL'),
  };
  return {
    addVersion({ course, version }) {
      return writes.run(() => {
        let stored = sql.courseById.get(course.id) as CourseRow | undefined;
        if (!stored) {
          if (sql.courseBySlug.get(course.slug)) throw conflict('course-slug-taken', `the course slug "${course.slug}" is taken`, { parameter: 'course' });
          sql.insertCourse.run({ ...course, title: JSON.stringify(course.title) });
          stored = sql.courseById.get(course.id) as CourseRow;
        }
        const number = (sql.lastNumber.get(course.id) as { n: number }).n + 1;
        sql.insertVersion.run({
          ...version,
          courseId: course.id,
          number,
          model: JSON.stringify(version.model),
          sequencing: version.sequencing === null || version.sequencing === undefined ? null : JSON.stringify(version.sequencing),
          warnings: JSON.stringify(version.warnings),
        });
        return { course: toCourse(stored), version: toVersion(sql.version.get(version.id) as VersionRow) };
      });
    },
    async courseBySlug(slug) {
      const row = sql.courseBySlug.get(slug) as CourseRow | undefined;
      return row ? toCourse(row) : null;
    },
    async courseById(id) {
      const row = sql.courseById.get(id) as CourseRow | undefined;
      return row ? toCourse(row) : null;
    },
    async courseBySourceIdentifier(identifier) {
      const row = sql.courseBySource.get(identifier) as CourseRow | undefined;
      return row ? toCourse(row) : null;
    },
    async listCourses() {
      return (sql.courses.all() as CourseRow[]).map(toCourse);
    },
    async versions(courseId) {
      return (sql.versions.all(courseId) as VersionRow[]).map(toVersion);
    },
    async version(versionId) {
      const row = sql.version.get(versionId) as VersionRow | undefined;
      return row ? toVersion(row) : null;
    },
    retireVersion(versionId, atMs) {
      return writes.run(() => sql.retire.run(atMs, versionId).changes > 0);
    },
  };
}
