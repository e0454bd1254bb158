import { createHash, randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError, invalid, notFound } from '../errors.js';
import type { CatalogStore, CourseRecord, CourseVersionRecord, PackageFileStore } from '../store/ports.js';
import type { CourseModel } from './course-model.js';
import { inspectPackage, type InspectOptions, type PackageSource } from './import-package.js';
import type { Problem } from './problem.js';
import { toScormAgainSequencing } from './scorm-again-sequencing.js';

export interface CatalogServiceDeps {
  readonly catalog: CatalogStore;
  readonly files: PackageFileStore;
  readonly publicUrl: string;
  readonly inspectOptions?: InspectOptions;
  readonly now?: () => number;
}

export type ImportOutcome =
  | { readonly ok: true; readonly course: CourseRecord; readonly version: CourseVersionRecord; readonly model: CourseModel; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly errors: readonly Problem[]; readonly warnings: readonly Problem[] };

/** A URL-safe slug from a title: lower-case ASCII words joined by dashes, at most 60 characters. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'course';
}

export const isSlug = (value: string): boolean => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value) && value.length <= 60;

/** A title to show when the reader's language is not known: English first, else the first language. */
export const firstTitle = (title: Readonly<Record<string, string>>): string => title.en ?? title['en-US'] ?? title['en-GB'] ?? Object.values(title)[0] ?? '';

/** Feeds a file to a hash through one reused 64 KiB buffer: a 200 MB package costs no more memory than a small one. */
async function hashFile(hash: ReturnType<typeof createHash>, file: string, buffer: Buffer): Promise<void> {
  const handle = await fsp.open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

async function sha256Of(source: PackageSource): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  if ('directory' in source) {
    // A folder has no bytes of its own: hash its files' names and contents in a stable order.
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, `${prefix}${entry.name}/`);
        else if (entry.isFile()) {
          hash.update(`${prefix}${entry.name}\0`);
          await hashFile(hash, full, buffer);
        }
      }
    };
    await walk(source.directory, '');
  } else {
    await hashFile(hash, 'zipPath' in source ? source.zipPath : source.xmlPath, buffer);
  }
  return hash.digest('hex');
}

async function sizeOf(directory: string, files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await fsp.stat(path.join(directory, file))).size;
  return total;
}

/**
 * Courses and their versions: a package becomes a new version of the course it belongs to (the one named by
 * slug, else the one with the same package identifier, else a new course). All or nothing: a failed import
 * leaves no course, no version and no files.
 */
export function createCatalogService({ catalog, files, publicUrl, inspectOptions = {}, now = Date.now }: CatalogServiceDeps) {
  async function freeSlug(title: string): Promise<string> {
    const base = slugify(title);
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base.slice(0, 56)}-${n}`;
      if (!(await catalog.courseBySlug(candidate))) return candidate;
    }
  }

  async function courseFor(model: CourseModel, slug: string | undefined): Promise<CourseRecord> {
    if (slug !== undefined) {
      if (!isSlug(slug)) throw invalid('course-slug', `a course slug is lower-case letters, digits and dashes, at most 60 characters; got "${slug}"`, { parameter: 'course' });
      const existing = await catalog.courseBySlug(slug);
      if (existing) {
        if (existing.format !== model.format) {
          throw new AppError('conflict', 'course-format-changed', `course ${slug} is a ${existing.format} course; this package is ${model.format}`, { parameter: 'course' });
        }
        return existing;
      }
    } else {
      const existing = await catalog.courseBySourceIdentifier(model.identifier);
      if (existing && existing.format === model.format) return existing;
    }
    const chosen = slug ?? (await freeSlug(firstTitle(model.title) || model.identifier));
    return {
      id: randomUUID(),
      slug: chosen,
      // xAPI packages name their course activity. SCORM courses get one from the platform (DESIGN.md), and so do
      // cmi5 courses: the LMS's course id must differ from the publisher's (cmi5 §9.4, §9.3.9.0-8).
      activityId: model.format === 'xapi' && model.identifierIsIri ? model.identifier : `${publicUrl}/courses/${chosen}`,
      sourceIdentifier: model.identifier,
      format: model.format,
      title: model.title,
      createdMs: now(),
    };
  }

  return {
    /** Imports a zip, a folder or a bare cmi5 course structure as a new course version. */
    async importPackage(source: PackageSource, options: { slug?: string; importedBy?: string | null } = {}): Promise<ImportOutcome> {
      const staging = await files.stagingDirectory();
      const inspected = await inspectPackage(source, staging, inspectOptions);
      if (!inspected.ok) return { ok: false, errors: inspected.errors, warnings: inspected.warnings };
      const filesKey = randomUUID();
      try {
        const course = await courseFor(inspected.model, options.slug);
        const version = {
          id: randomUUID(),
          format: inspected.model.format,
          model: inspected.model,
          sequencing: toScormAgainSequencing(inspected.model) ?? null,
          filesKey,
          fileCount: inspected.files.length,
          sizeBytes: await sizeOf(staging, inspected.files),
          sha256: await sha256Of(source),
          warnings: inspected.warnings,
          createdMs: now(),
          createdBy: options.importedBy ?? null,
          retiredMs: null,
        };
        await files.adopt(filesKey, staging);
        try {
          const added = await catalog.addVersion({ course, version });
          return { ok: true, course: added.course, version: added.version, model: inspected.model, warnings: inspected.warnings };
        } catch (error) {
          await files.remove(filesKey);
          throw error;
        }
      } finally {
        await fsp.rm(staging, { recursive: true, force: true });
      }
    },

    listCourses: () => catalog.listCourses(),

    async course(slug: string): Promise<{ course: CourseRecord; versions: readonly CourseVersionRecord[] }> {
      const course = await catalog.courseBySlug(slug);
      if (!course) throw notFound('course-not-found', `no course with slug ${slug}`, { parameter: 'slug' });
      return { course, versions: await catalog.versions(course.id) };
    },

    /** The version new registrations get: the newest one not retired. */
    async currentVersion(courseId: string): Promise<CourseVersionRecord | null> {
      const versions = await catalog.versions(courseId);
      return [...versions].reverse().find((version) => version.retiredMs === null) ?? null;
    },

    async retireVersion(slug: string, number: number): Promise<void> {
      const { versions } = await this.course(slug);
      const version = versions.find((candidate) => candidate.number === number);
      if (!version) throw notFound('version-not-found', `course ${slug} has no version ${number}`, { parameter: 'version' });
      await catalog.retireVersion(version.id, now());
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
