import { conflict } from '../../errors.js';
import type { CatalogStore } from '../ports.js';
import { courseDocumentOf, lastVersionPlan, toCourseRecord, toVersionRecord, versionDocumentOf } from './catalog-queries.js';
import { isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, type CourseDocument, type CourseVersionDocument } from './documents-model.js';

/** Two uploads numbering the same course at once: the unique (courseId, number) index refuses one; it numbers again. */
const MAX_NUMBERING_ATTEMPTS = 5;

export function createMongoCatalogStore(context: MongoContext): CatalogStore {
  const courses = () => context.collection<CourseDocument>(collectionNames.courses);
  const versions = () => context.collection<CourseVersionDocument>(collectionNames.courseVersions);
  return {
    async addVersion({ course, version }) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await context.transaction(async (session) => {
            let stored = await courses().findOne({ _id: course.id }, { session });
            if (!stored) {
              if (await courses().findOne({ slug: course.slug }, { session })) {
                throw conflict('course-slug-taken', `the course slug "${course.slug}" is taken`, { parameter: 'course' });
              }
              stored = courseDocumentOf(course);
              await courses().insertOne(stored, { session });
            }
            const plan = lastVersionPlan(course.id);
            const [last] = await versions().find(plan.filter, { session, sort: plan.sort, limit: plan.limit }).toArray();
            const document = versionDocumentOf({ ...version, courseId: course.id, number: (last?.number ?? 0) + 1 });
            await versions().insertOne(document, { session });
            return { course: toCourseRecord(stored), version: toVersionRecord(document) };
          });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {};
          if ('slug' in pattern) throw conflict('course-slug-taken', `the course slug "${course.slug}" is taken`, { parameter: 'course' });
          if (attempt >= MAX_NUMBERING_ATTEMPTS) throw error;
        }
      }
    },
    async courseBySlug(slug) {
      const found = await courses().findOne({ slug });
      return found ? toCourseRecord(found) : null;
    },
    async courseById(id) {
      const found = await courses().findOne({ _id: id });
      return found ? toCourseRecord(found) : null;
    },
    async courseBySourceIdentifier(identifier) {
      const [found] = await courses().find({ sourceIdentifier: identifier }, { sort: { createdMs: 1 }, limit: 1 }).toArray();
      return found ? toCourseRecord(found) : null;
    },
    async listCourses() {
      return (await courses().find({}, { sort: { slug: 1 } }).toArray()).map(toCourseRecord);
    },
    async versions(courseId) {
      return (await versions().find({ courseId }, { sort: { number: 1 } }).toArray()).map(toVersionRecord);
    },
    async version(versionId) {
      const found = await versions().findOne({ _id: versionId });
      return found ? toVersionRecord(found) : null;
    },
    async retireVersion(versionId, atMs) {
      const { modifiedCount } = await versions().updateOne({ _id: versionId, retiredMs: null }, { $set: { retiredMs: atMs } });
      return modifiedCount > 0;
    },
  };
}
