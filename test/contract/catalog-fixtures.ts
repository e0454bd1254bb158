import type { NewCourseVersion } from '../../src/store/ports.js';

export const courseIri = 'https://academy.example/courses/xapi-demo';

/** A one-unit xAPI course version (the model holds what the records projection reads). */
export const newVersion = (versionId: string, over: { courseId?: string; slug?: string; sourceIdentifier?: string } = {}): NewCourseVersion => ({
  course: {
    id: over.courseId ?? 'c1', slug: over.slug ?? 'xapi-demo', activityId: courseIri, sourceIdentifier: over.sourceIdentifier ?? courseIri,
    format: 'xapi', title: { en: 'xAPI demo', fr: 'Démo xAPI' }, createdMs: 1000,
  },
  version: {
    id: versionId, format: 'xapi',
    model: { format: 'xapi', identifier: courseIri, title: { en: 'xAPI demo' }, units: [{ identifier: courseIri, title: { en: 'Unit' }, launch: 'index.html' }] },
    sequencing: null, filesKey: `files_${versionId}`, fileCount: 1, sizeBytes: 10, sha256: 'ef'.repeat(32), warnings: [{ code: 'w', message: 'a warning' }],
    createdMs: 2000, createdBy: 'author', retiredMs: null,
  },
});
