/** CatalogStore contract. */
import { AppError } from '../../src/errors.js';
import { newVersion } from './catalog-fixtures.js';
import { contract } from './targets.js';

contract('catalog', async (t, open) => {
  const store = await open();
  const first = await store.catalog.addVersion(newVersion('v1'));
  t.match(first, { course: { id: 'c1', slug: 'xapi-demo', title: { en: 'xAPI demo', fr: 'Démo xAPI' } }, version: { id: 'v1', courseId: 'c1', number: 1, sequencing: null } });
  t.same(first.version.warnings, [{ code: 'w', message: 'a warning' }]);
  const second = await store.catalog.addVersion(newVersion('v2'));
  t.equal(second.version.number, 2, 'numbered after the last');
  const taken = await store.catalog.addVersion(newVersion('v3', { courseId: 'c2' })).catch((e: unknown) => e);
  t.ok(taken instanceof AppError && taken.code === 'course-slug-taken', 'a new course with a taken slug');
  t.equal(await store.catalog.version('v3'), null, 'nothing of it stored');
  await store.catalog.addVersion(newVersion('v4', { courseId: 'c0', slug: 'a-first', sourceIdentifier: 'other' }));
  t.same((await store.catalog.listCourses()).map((c) => c.slug), ['a-first', 'xapi-demo'], 'by slug');
  t.equal((await store.catalog.courseBySlug('xapi-demo'))?.id, 'c1');
  t.equal((await store.catalog.courseById('c0'))?.slug, 'a-first');
  t.equal((await store.catalog.courseBySourceIdentifier('other'))?.id, 'c0');
  t.equal(await store.catalog.courseBySlug('nope'), null);
  t.same((await store.catalog.versions('c1')).map((v) => v.number), [1, 2]);
  t.same((await store.catalog.version('v1'))?.model, newVersion('v1').version.model, 'the model as given');
  t.equal(await store.catalog.retireVersion('v1', 5000), true);
  t.equal(await store.catalog.retireVersion('v1', 6000), false, 'already retired');
  t.equal(await store.catalog.retireVersion('nope', 6000), false);
  t.equal((await store.catalog.version('v1'))?.retiredMs, 5000);
  const concurrent = await Promise.all([store.catalog.addVersion(newVersion('v5')), store.catalog.addVersion(newVersion('v6'))]);
  t.same(concurrent.map((r) => r.version.number).sort(), [3, 4], 'two uploads at once get distinct numbers');
});
