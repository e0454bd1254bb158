import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, invalid } from '../errors.js';
import type { CourseRecord, CourseVersionRecord, PackageFileStore } from '../store/ports.js';
import type { CatalogService, ImportOutcome } from './catalog-service.js';
import type { CourseModel } from './course-model.js';

export interface PackageRoutesDeps {
  readonly catalog: CatalogService;
  readonly files: Pick<PackageFileStore, 'stagingDirectory'>;
  readonly maxBytes: number;
}

/** What the API answers about a course. */
export function courseView(course: CourseRecord, versions: readonly CourseVersionRecord[]) {
  const current = [...versions].reverse().find((version) => version.retiredMs === null) ?? null;
  return {
    slug: course.slug,
    title: course.title,
    format: course.format,
    activityId: course.activityId,
    created: new Date(course.createdMs).toISOString(),
    currentVersion: current?.number ?? null,
    versions: versions.map((version) => versionView(version)),
  };
}

export function versionView(version: CourseVersionRecord) {
  const model = version.model as CourseModel;
  return {
    number: version.number,
    created: new Date(version.createdMs).toISOString(),
    retired: version.retiredMs === null ? null : new Date(version.retiredMs).toISOString(),
    files: version.fileCount,
    bytes: version.sizeBytes,
    sha256: version.sha256,
    units: model.units.map((unit) => ({ identifier: unit.identifier, title: unit.title, launchUrl: unit.launchUrl, external: unit.external ?? false })),
    warnings: version.warnings,
  };
}

/** The answer to an import, for the API and the CLI alike. */
export function importView(outcome: ImportOutcome) {
  if (!outcome.ok) return { ok: false as const, errors: outcome.errors, warnings: outcome.warnings };
  return {
    ok: true as const,
    course: outcome.course.slug,
    version: outcome.version.number,
    format: outcome.model.format,
    title: outcome.course.title,
    activityId: outcome.course.activityId,
    units: versionView(outcome.version).units,
    warnings: outcome.warnings,
  };
}

const tags = ['courses'];

/** Authors' API: upload packages (multipart, streamed to disk), list and read courses, retire versions. */
export function registerPackageRoutes(app: FastifyInstance, { catalog, files, maxBytes }: PackageRoutesDeps): void {
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024 } });

    scope.post(
      '/packages',
      {
        config: { policy: 'courses.manage' },
        schema: {
          tags,
          summary: 'Upload a package (multipart/form-data: `file`, optional `course` slug); 201 with the new version, 422 with every problem',
          consumes: ['multipart/form-data'],
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        if (!request.isMultipart()) throw new AppError('unsupported-media-type', 'package-upload-type', 'upload the package as multipart/form-data with a `file` field', { header: 'Content-Type' });
        const staging = await files.stagingDirectory();
        const uploaded = `${staging}.upload`;
        let fileName: string | null = null;
        let slug: string | undefined;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              if (part.fieldname === 'course' && typeof part.value === 'string' && part.value.trim()) slug = part.value.trim();
              continue;
            }
            if (part.fieldname !== 'file' || fileName !== null) {
              part.file.resume();
              throw invalid('package-upload-field', 'send exactly one file, in the `file` field', { parameter: part.fieldname });
            }
            fileName = part.filename || 'package.zip';
            await pipeline(part.file, fs.createWriteStream(uploaded));
            if (part.file.truncated) {
              throw new AppError('payload-too-large', 'package-too-large', `the package is larger than ${maxBytes} bytes (PACKAGE_MAX_BYTES)`, { parameter: 'file' });
            }
          }
          if (fileName === null) throw invalid('package-upload-missing', 'the upload has no `file` field', { parameter: 'file' });
          const source = fileName.toLowerCase().endsWith('.xml') ? { xmlPath: uploaded } : { zipPath: uploaded };
          const outcome = await catalog.importPackage(source, { ...(slug !== undefined && { slug }), importedBy: request.access?.user?.id ?? null });
          return reply.code(outcome.ok ? 201 : 422).send(importView(outcome));
        } finally {
          await fs.promises.rm(uploaded, { force: true });
        }
      },
    );

    scope.get('/courses', { config: { policy: 'signed-in' }, schema: { tags, summary: 'The courses, with their versions' } }, async () => {
      const courses = await catalog.listCourses();
      return Promise.all(courses.map(async (course) => courseView(course, (await catalog.course(course.slug)).versions)));
    });

    scope.get<{ Params: { slug: string } }>('/courses/:slug', { config: { policy: 'signed-in' }, schema: { tags, summary: 'One course and its versions' } }, async (request) => {
      const { course, versions } = await catalog.course(request.params.slug);
      return courseView(course, versions);
    });

    scope.post<{ Params: { slug: string; number: string } }>(
      '/courses/:slug/versions/:number/retire',
      { config: { policy: 'courses.manage' }, schema: { tags, summary: 'Retire a version: new registrations no longer get it' } },
      async (request, reply) => {
        const number = Number(request.params.number);
        if (!Number.isInteger(number) || number < 1) throw invalid('version-number', 'the version is a positive integer', { parameter: 'number' });
        await catalog.retireVersion(request.params.slug, number);
        return reply.code(204).send();
      },
    );
  });
}
