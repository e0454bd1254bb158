/** Pure mappings for courses and their versions. */
import type { CourseRecord, CourseVersionRecord } from '../ports.js';
import type { CourseDocument, CourseVersionDocument } from './documents-model.js';

export const courseDocumentOf = (course: CourseRecord): CourseDocument => ({
  _id: course.id,
  slug: course.slug,
  activityId: course.activityId,
  sourceIdentifier: course.sourceIdentifier,
  format: course.format,
  title: { ...course.title },
  createdMs: course.createdMs,
});

export const toCourseRecord = (doc: CourseDocument): CourseRecord => ({
  id: doc._id,
  slug: doc.slug,
  activityId: doc.activityId,
  sourceIdentifier: doc.sourceIdentifier,
  format: doc.format,
  title: doc.title,
  createdMs: doc.createdMs,
});

export const versionDocumentOf = (version: CourseVersionRecord): CourseVersionDocument => ({
  _id: version.id,
  courseId: version.courseId,
  number: version.number,
  format: version.format,
  model: JSON.stringify(version.model),
  sequencing: version.sequencing === null || version.sequencing === undefined ? null : JSON.stringify(version.sequencing),
  filesKey: version.filesKey,
  fileCount: version.fileCount,
  sizeBytes: version.sizeBytes,
  sha256: version.sha256,
  warnings: JSON.stringify(version.warnings),
  createdMs: version.createdMs,
  createdBy: version.createdBy,
  retiredMs: version.retiredMs,
});

export const toVersionRecord = (doc: CourseVersionDocument): CourseVersionRecord => ({
  id: doc._id,
  courseId: doc.courseId,
  number: doc.number,
  format: doc.format,
  model: JSON.parse(doc.model),
  sequencing: doc.sequencing === null ? null : JSON.parse(doc.sequencing),
  filesKey: doc.filesKey,
  fileCount: doc.fileCount,
  sizeBytes: doc.sizeBytes,
  sha256: doc.sha256,
  warnings: JSON.parse(doc.warnings) as unknown[],
  createdMs: doc.createdMs,
  createdBy: doc.createdBy,
  retiredMs: doc.retiredMs,
});

/** The course's last version number: the next one is this plus one. */
export const lastVersionPlan = (courseId: string) => ({ filter: { courseId }, sort: { number: -1 } as const, limit: 1 });
