import t from 'tap';
import type { Cmi5MoveOn, CourseModel, CourseNode } from '../../../src/packages/index.js';
import {
  checkAuStatement,
  cmi5ActivityIds,
  evaluateMoveOn,
  NO_PROGRESS,
  satisfiedRollup,
  satisfiedStatements,
  type Cmi5AuProgress,
} from '../../../src/runtime/cmi5/index.js';
import { assertValidXapi, auStatement, fakeDeps, LMS_COURSE_ID, learner, loadCourse, prePostTest, REGISTRATION, sessionFor, unitById } from './helpers.js';

const p = (flags: Partial<Cmi5AuProgress> = {}): Cmi5AuProgress => ({ ...NO_PROGRESS, ...flags });

t.test('13.1.4 moveOn, 9.3.3.0-3, 9.3.4.0-4: when an AU meets its moveOn criteria', async (t) => {
  const states: [string, Cmi5AuProgress][] = [
    ['nothing', p()],
    ['completed', p({ completed: true })],
    ['passed', p({ passed: true })],
    ['failed', p({ failed: true })],
    ['completed and passed', p({ completed: true, passed: true })],
    ['completed and failed', p({ completed: true, failed: true })],
    ['waived', p({ waived: true })],
  ];
  const expected: Record<Cmi5MoveOn, boolean[]> = {
    NotApplicable: [true, true, true, true, true, true, true],
    Passed: [false, false, true, false, true, false, true],
    Completed: [false, true, false, false, true, true, true],
    CompletedAndPassed: [false, false, false, false, true, false, true],
    CompletedOrPassed: [false, true, true, false, true, true, true],
  };
  for (const [moveOn, results] of Object.entries(expected) as [Cmi5MoveOn, boolean[]][]) {
    t.same(states.map(([, state]) => evaluateMoveOn(moveOn, state)), results, `${moveOn}: ${states.map(([name], i) => `${name}=${results[i]}`).join(', ')}`);
  }
  const course = await prePostTest();
  t.equal(evaluateMoveOn(unitById(course, 'block1/pre'), p({ completed: true })), false, 'an AU gives its own moveOn (Passed)');
  t.equal(evaluateMoveOn(unitById(course, 'block1/content'), p({ completed: true })), true, 'CompletedOrPassed');
});

t.test('9.3.9.0-1, 9.3.9.0-5: pre_post_test_framed (2 blocks, 6 AUs) rolls up block by block', async (t) => {
  const course = await prePostTest();
  const [block1, block2] = course.organizations[0]!.items;
  const progress = new Map<string, Cmi5AuProgress>();
  t.same(satisfiedRollup(course, progress), { satisfiedAus: [], newlySatisfied: [] }, 'nothing at registration: every AU needs passed or completed');

  progress.set(unitById(course, 'block1/pre').identifier, p({ failed: true }));
  progress.set(unitById(course, 'block1/content').identifier, p({ completed: true }));
  progress.set(unitById(course, 'block1/post').identifier, p({ passed: true }));
  t.same(satisfiedRollup(course, progress).newlySatisfied, [], 'a failed pre-test (moveOn Passed) keeps block 1 open');

  progress.set(unitById(course, 'block1/pre').identifier, p({ waived: true }));
  const afterBlock1 = satisfiedRollup(course, progress);
  t.same(afterBlock1.satisfiedAus.length, 3);
  t.same(afterBlock1.newlySatisfied, [{ kind: 'block', publisherId: block1!.identifier, title: block1!.title }], '9.3.9: a waived AU meets its criteria');
  const reported = new Set([block1!.identifier]);

  for (const suffix of ['block2/pre', 'block2/content', 'block2/post']) progress.set(unitById(course, suffix).identifier, p({ completed: true, passed: true }));
  t.same(satisfiedRollup(course, progress, reported).newlySatisfied.map((n) => [n.kind, n.publisherId]), [['block', block2!.identifier], ['course', course.identifier]], 'block 2 then the course, block 1 not again');
  reported.add(block2!.identifier).add(course.identifier);
  t.same(satisfiedRollup(course, progress, reported).newlySatisfied, [], 'nothing twice');
});

t.test('9.6.1.1-3: at registration, NotApplicable AUs can satisfy blocks and the course', async (t) => {
  const simple = await loadCourse('aicc-spec-examples/simple-cmi5.xml');
  t.equal(simple.units[0]!.cmi5?.moveOn, 'NotApplicable');
  const deps = fakeDeps();
  const registrationSession = deps.newId();
  const { newlySatisfied, statements } = satisfiedStatements(simple, new Map(), new Set(), { ids: cmi5ActivityIds(LMS_COURSE_ID), actor: learner, registration: REGISTRATION, sessionId: registrationSession }, deps);
  t.same(newlySatisfied.map((n) => n.kind), ['course'], 'an AU without moveOn defaults to NotApplicable: the course is satisfied at once');
  t.equal(statements.length, 1);
  assertValidXapi(t, statements[0]!, 'satisfied at registration');
});

t.test('9.3.9.0-1: nested blocks are reported innermost first (AICC complex example)', async (t) => {
  const complex = await loadCourse('aicc-spec-examples/complex-cmi5.xml');
  const everything = new Map(complex.units.map((u) => [u.identifier, p({ completed: true, passed: true })]));
  const { newlySatisfied } = satisfiedRollup(complex, everything);
  const blocks: string[] = [];
  const postOrder = (node: CourseNode): void => {
    node.children.forEach(postOrder);
    if (node.unit === undefined) blocks.push(node.identifier);
  };
  complex.organizations[0]!.items.forEach(postOrder);
  t.ok(blocks.length >= 5, `${blocks.length} blocks, some nested`);
  t.same(newlySatisfied.map((n) => n.publisherId), [...blocks, complex.identifier]);
  t.equal(newlySatisfied.at(-1)?.kind, 'course');

  const lastUnit = complex.units.at(-1)!;
  const missingOne = new Map(everything);
  missingOne.delete(lastUnit.identifier);
  const partial = satisfiedRollup(complex, missingOne);
  if (lastUnit.cmi5?.moveOn !== 'NotApplicable') t.notOk(partial.newlySatisfied.some((n) => n.kind === 'course'), 'one AU short: no course');
});

t.test('9.3.3.0-3, 9.3.4.0-4: from AU statements to satisfied statements in one session', async (t) => {
  const course: CourseModel = await prePostTest();
  const ids = cmi5ActivityIds(LMS_COURSE_ID);
  const progress = new Map<string, Cmi5AuProgress>();
  const reported = new Set<string>();
  const sent: string[] = [];
  for (const unit of course.units) {
    let session = sessionFor(unit);
    const moveOn = unit.cmi5!.moveOn;
    for (const verb of moveOn === 'Passed' ? (['passed', 'terminated'] as const) : (['completed', 'terminated'] as const)) {
      const verdict = checkAuStatement(auStatement(session, verb), session);
      if (!verdict.ok) return t.fail(`${unit.identifier} ${verb}: ${verdict.requirement} ${verdict.message}`);
      session = verdict.session;
      if (!verdict.progressChanged) continue;
      progress.set(unit.identifier, session.progress);
      const out = satisfiedStatements(course, progress, reported, { ids, actor: learner, registration: REGISTRATION, sessionId: session.sessionId }, fakeDeps());
      for (const node of out.newlySatisfied) reported.add(node.publisherId);
      for (const s of out.statements) sent.push((s.object as { id: string }).id);
    }
  }
  const [block1, block2] = course.organizations[0]!.items;
  t.same(sent, [ids.block(block1!.identifier), ids.block(block2!.identifier), ids.course], 'each block when its last AU is satisfied, then the course, once each');
});
