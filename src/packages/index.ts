/**
 * Public surface of the packages context (DESIGN.md: contexts import each other only through
 * their index). The pure core: safe extraction, format detection and parsing into one course
 * model. Storage of versions and files is the caller's job.
 */
export { inspectPackage } from './import-package.js';
export type { InspectOptions, InspectResult, PackageSource } from './import-package.js';
export type {
  Cmi5LaunchMethod,
  Cmi5MoveOn,
  Cmi5UnitProperties,
  CompletionThreshold,
  CourseMetadata,
  CourseModel,
  CourseNode,
  CourseObjective,
  LanguageMap,
  LaunchableUnit,
  Organization,
  PackageFormat,
  Scorm2004Edition,
  Sequencing,
  SharedDataMap,
} from './course-model.js';
export { collectUnits } from './course-model.js';
export type { Problem } from './problem.js';
export { DEFAULT_EXTRACT_LIMITS } from './safe-extract.js';
export type { ExtractLimits } from './safe-extract.js';
export { formatLabel } from './detect.js';
export { toScormAgainSequencing } from './scorm-again-sequencing.js';
export { createCatalogService, firstTitle, isSlug, slugify } from './catalog-service.js';
export type { CatalogService, ImportOutcome } from './catalog-service.js';
export { courseView, importView, registerPackageRoutes, versionView } from './package-routes.js';
export { importDemoCourses } from './demo-courses.js';
export { cmi5ActivityIds, unitActivityId } from './activity-ids.js';
export type { Cmi5ActivityIds } from './activity-ids.js';
