import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogService, CourseModel, LaunchableUnit } from '../../packages/index.js';
import type { RuntimeService } from '../../runtime/index.js';
import { AppError, userOf } from '../access-exports.js';
import type { FieldErrors, PageKit } from '../page-kit.js';
import { localized, localizedTitle } from './language-map.js';

type Form = Record<string, string | string[] | undefined>;
const hidden = { hide: true };
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** What a learner's registration in a course says to the pages: which version they are on, and whether it is finished. */
export interface RegistrationSummary {
  readonly versionId: string;
  readonly completedMs: number | null;
}

/** Extra sources a page's Content-Security-Policy allows (the rest stays `default-src 'none'`). */
export interface PageSources {
  /** Scripts from `/static/` and `fetch`/XHR to the app's own origin. */
  readonly scripts?: boolean;
  /** Origins a form may be redirected to: a launch answers 303 to the content origin (CSP3 `form-action` covers redirects). */
  readonly formTargets?: readonly string[];
}

export interface CoursePagesDeps {
  readonly catalog: Pick<CatalogService, 'listCourses' | 'course' | 'retireVersion'>;
  /** The same launch as `POST /api/courses/:slug/launch`. */
  readonly runtime: Pick<RuntimeService, 'launch'>;
  /** The learner's newest registration in a course, finished or not; null when none (Start or Continue). */
  readonly latestRegistration: (userId: string, courseId: string) => Promise<RegistrationSummary | null>;
  /** CONTENT_URL: where launches go. */
  readonly contentUrl: string;
  /** PACKAGE_MAX_BYTES: shown on the upload form and checked before sending. */
  readonly maxPackageBytes: number;
}

type Course = Awaited<ReturnType<CoursePagesDeps['catalog']['course']>>;
type Version = Course['versions'][number];

/** The newest version not retired: the one new registrations get (catalog-service `currentVersion`). */
const currentOf = (versions: readonly Version[]) => [...versions].reverse().find((version) => version.retiredMs === null) ?? null;

/** A unit the learner can open: visible, and a SCO, an asset or a unit with a launch URL (as the player's table of contents). */
const isLaunchable = (unit: LaunchableUnit) => unit.isVisible && (unit.scormType !== undefined || unit.launchUrl !== '');

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * The learner's catalog and course pages, with launch forms that call the runtime like the API does, and the
 * authors' page: upload (a script posting to `POST /api/packages`, which takes multipart only with the
 * `X-CSRF-Token` header) and retiring versions.
 */
export function registerCoursePages(app: FastifyInstance, kit: PageKit, deps: CoursePagesDeps, allow: (request: FastifyRequest, sources: PageSources) => void): void {
  const { catalog, runtime, latestRegistration } = deps;
  const contentOrigin = originOf(deps.contentUrl) ?? deps.contentUrl;

  const dateFormat = (lang: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
  const when = (ms: number, lang: string) => ({ iso: new Date(ms).toISOString(), text: dateFormat(lang).format(ms) });

  /**
   * What a learner sees of a course: the version they are on (an open registration keeps its version, DESIGN.md),
   * else the current one; null when there is nothing to launch.
   */
  async function learnerView(userId: string, lang: string, { course, versions }: Course) {
    const registration = await latestRegistration(userId, course.id);
    const open = registration && registration.completedMs === null ? registration : null;
    const version = (open && versions.find((candidate) => candidate.id === open.versionId)) || currentOf(versions);
    if (!version) return null;
    const model = version.model as CourseModel;
    const units = model.units.filter((unit) => unit.isVisible);
    return {
      slug: course.slug,
      format: course.format,
      title: localizedTitle(course.title, lang, course.slug),
      description: localized(model.description, lang),
      action: open ? 'continue' : registration ? 'restart' : 'start',
      units: units.map((unit) => ({
        identifier: unit.identifier,
        title: localizedTitle(unit.title, lang, unit.identifier),
        description: localized(unit.description, lang),
        launchable: isLaunchable(unit),
        // The learner's progress in the unit, once the records context reports it (`courses.unit-status.*`).
        status: null as string | null,
      })),
      targets: [contentOrigin, ...units.filter((unit) => unit.external).map((unit) => originOf(unit.launchUrl))].filter((origin): origin is string => origin !== null),
    };
  }

  app.get('/courses', { config: { policy: 'courses.take' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const user = userOf(request);
    const listed = await catalog.listCourses();
    const views = await Promise.all(listed.map(async (course) => learnerView(user.id, tr.lang, await catalog.course(course.slug))));
    const courses = views.filter((view) => view !== null);
    courses.sort((a, b) => a.title.text.localeCompare(b.title.text, tr.lang));
    allow(request, { formTargets: [...new Set(courses.flatMap((course) => course.targets))] });
    return kit.render(request, reply, 'courses', { title: tr.t('courses.title'), courses });
  });

  app.get<{ Params: { slug: string } }>('/courses/:slug', { config: { policy: 'courses.take' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const found = await catalog.course(request.params.slug);
    const course = await learnerView(userOf(request).id, tr.lang, found);
    if (course) allow(request, { formTargets: course.targets });
    // The layout's <h1> is the course title; a title in another language is marked in the page body instead.
    const title = course?.title.text ?? localizedTitle(found.course.title, tr.lang, found.course.slug).text;
    return kit.render(request, reply, 'course', {
      title,
      slug: found.course.slug,
      course,
      launchableCount: course ? course.units.filter((unit) => unit.launchable).length : 0,
    });
  });

  // The form twin of POST /api/courses/:slug/launch: same service, and the answer is where to go.
  app.post<{ Params: { slug: string }; Body: Form | undefined }>('/courses/:slug/launch', { config: { policy: 'courses.take' }, schema: hidden }, async (request, reply) => {
    const user = userOf(request);
    const unit = text(request.body?.unit);
    const launched = await runtime.launch({ id: user.id, name: user.name }, request.params.slug, unit ? { unit } : {});
    return reply.redirect(launched.url, 303);
  });

  const sizeFormat = (bytes: number, lang: string) =>
    new Intl.NumberFormat(lang, { style: 'unit', unit: bytes >= 1e6 ? 'megabyte' : 'kilobyte', maximumFractionDigits: 1 }).format(bytes >= 1e6 ? bytes / 1e6 : bytes / 1e3);

  async function authorPage(request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldErrors; notice?: string | null } = {}, status = 200) {
    const tr = kit.translatorFor(request);
    // The courses are few (an academy's catalogue); one query per course for its versions is fine.
    const listed = await catalog.listCourses();
    const courses = await Promise.all(
      listed.map(async (record) => {
        const { course, versions } = await catalog.course(record.slug);
        const current = currentOf(versions);
        return {
          slug: course.slug,
          format: course.format,
          title: localizedTitle(course.title, tr.lang, course.slug),
          activityId: course.activityId,
          versions: [...versions].reverse().map((version) => ({
            number: version.number,
            created: when(version.createdMs, tr.lang),
            files: version.fileCount,
            size: sizeFormat(version.sizeBytes, tr.lang),
            units: (version.model as CourseModel).units.length,
            warnings: version.warnings.length,
            state: version.retiredMs !== null ? 'retired' : version === current ? 'current' : 'available',
            retired: version.retiredMs === null ? null : when(version.retiredMs, tr.lang),
          })),
        };
      }),
    );
    courses.sort((a, b) => a.title.text.localeCompare(b.title.text, tr.lang));
    allow(request, { scripts: true });
    const uploadMessages = Object.fromEntries(
      ['sending', 'checking', 'done', 'failed', 'too-large', 'refused', 'rejected', 'network', 'choose-file', 'imported', 'course', 'version', 'format', 'units', 'warnings', 'refresh'].map((key) => [
        key,
        tr.t(`upload.js.${key}`, { max: sizeFormat(deps.maxPackageBytes, tr.lang) }),
      ]),
    );
    const formats = Object.fromEntries(['scorm12', 'scorm2004', 'xapi', 'cmi5'].map((format) => [format, tr.t(`format.${format}`)]));
    return kit.render(
      request,
      reply,
      'author-courses',
      {
        title: tr.t('author.title'),
        courses,
        maxBytes: deps.maxPackageBytes,
        maxSize: sizeFormat(deps.maxPackageBytes, tr.lang),
        uploadMessages: { ...uploadMessages, formats },
        errors: extra.errors ?? {},
        notice: extra.notice ?? null,
      },
      status,
    );
  }

  app.get<{ Querystring: { retired?: string; version?: string } }>('/author/courses', { config: { policy: 'courses.manage' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    // The notice after a retire names the course and version from the store, never text from the URL.
    let notice: string | null = null;
    const number = Number(request.query.version);
    if (typeof request.query.retired === 'string' && Number.isInteger(number)) {
      const found = await catalog.course(request.query.retired).catch(() => null);
      const version = found?.versions.find((candidate) => candidate.number === number);
      if (found && version && version.retiredMs !== null) {
        notice = tr.t('author.retired-notice', { version: version.number, course: localizedTitle(found.course.title, tr.lang, found.course.slug).text });
      }
    }
    return authorPage(request, reply, { notice });
  });

  app.post<{ Params: { slug: string; number: string } }>('/author/courses/:slug/versions/:number/retire', { config: { policy: 'courses.manage' }, schema: hidden }, async (request, reply) => {
    const { slug } = request.params;
    const number = Number(request.params.number);
    try {
      if (!Number.isInteger(number) || number < 1) throw new AppError('validation', 'version-number', 'the version is a positive integer', { parameter: 'number' });
      await catalog.retireVersion(slug, number);
    } catch (error) {
      // The page lists every course's forms: the message goes at the top.
      const { errors, status } = kit.fieldErrors(request, error);
      return authorPage(request, reply, { errors: { _form: Object.values(errors)[0] } }, status);
    }
    return reply.redirect(`/author/courses?retired=${encodeURIComponent(slug)}&version=${number}#course-${encodeURIComponent(slug)}`, 303);
  });
}
