import t from 'tap';
import type { Frame, Page } from 'playwright-core';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { buildActivityTree } from '../../src/runtime/sequencing/activity-tree.js';
import { availableChildren } from '../../src/runtime/sequencing/randomization.js';
import { sequencingFixture } from '../runtime/sequencing/helpers.js';
import { addLearner, frameMatching, importPackage, launch, launchBrowser, signIn, startE2eServer, statementsUntil, verbsOf, waitFor, type Statement } from './helpers.js';

/**
 * Rustici's Golf "Sequencing Random Test" (SCORM 2004 3rd edition) in Chromium against a real `cadet serve`: the
 * four content SCOs by flow, then the post-test, whose tests come in a random order per registration and attempt.
 * A failed test ends (cmi.exit ""), its post-condition rule exits the post-test, whose own rule retries it: the
 * player delivers the first test of the new attempt. Passing it ends the course (exitAll), and the transcript's
 * completion comes from the course's rollup as the LMS stated it.
 */
t.setTimeout(150_000);

const CONTENT = ['playing', 'etiquette', 'handicapping', 'havingfun'];

/** The SCO's launch page for a `content=` parameter, once its script has initialised. */
async function scoFrame(page: Page, content: RegExp): Promise<Frame> {
  const frame = await frameMatching(page, new RegExp(`/shared/launchpage\\.html\\?content=${content.source}`), 20_000);
  await waitFor(() => frame.evaluate(() => typeof (window as any).currentPage === 'number').catch(() => false), 'the SCO to start');
  return frame;
}

async function toLastPage(sco: Frame): Promise<void> {
  while (!(await sco.isDisabled('#butNext'))) {
    const page = await sco.evaluate(() => (window as any).currentPage as number);
    await sco.click('#butNext');
    await waitFor(async () => (await sco.evaluate(() => (window as any).currentPage as number)) === page + 1, `page ${page + 1}`);
  }
}

/** The test page of an assessment SCO; answers right (from its own question list) or not at all, and submits. */
async function takeTest(sco: Frame, pass: boolean): Promise<void> {
  const quiz = await waitFor(() => sco.childFrames().find((frame) => /assessmenttemplate\.html/.test(frame.url())), 'the assessment page');
  await quiz.waitForSelector('#frmTest');
  // The questions are built by the page's script: submitting before it ran does nothing.
  await waitFor(() => quiz.evaluate(() => Array.isArray((window as any).test?.Questions) && document.readyState === 'complete').catch(() => false), 'the test script');
  if (pass) {
    await quiz.evaluate(() => {
      const questions = (window as any).test.Questions as Array<{ Id: string; Type: string; Answers: string[] | null; CorrectAnswer: unknown }>;
      for (const question of questions) {
        if (question.Type === 'choice') (document.getElementById(`question_${question.Id}_${question.Answers!.indexOf(String(question.CorrectAnswer))}`) as HTMLInputElement).checked = true;
        else if (question.Type === 'true-false') (document.getElementById(`question_${question.Id}_${question.CorrectAnswer ? 'True' : 'False'}`) as HTMLInputElement).checked = true;
        else (document.getElementById(`question_${question.Id}_Text`) as HTMLInputElement).value = String(question.CorrectAnswer);
      }
    });
  }
  await quiz.click('input[type="button"][value="Submit Answers"], input[value*="Submit"]');
  // The results replace the page in the same frame: poll its text (a selector wait begun while the frame navigates
  // can miss the new document).
  // Unanswered, a test scores what its default answers happen to get right (the Etiquette test: 33): failed all the same.
  const score = pass ? /Score: 100\b/ : /Score: \d+/;
  await waitFor(() => quiz.evaluate(() => document.body?.innerText ?? '').then((text) => score.test(text), () => false), String(score), 30_000);
}

const testNumberOf = (sco: Frame) => /content=assessment(\d)/.exec(sco.url())![1]!;

t.test('Golf RandomTest: post-condition retry of the post-test, then the course completed by rollup', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const e2e = await startE2eServer(t);
  await importPackage(e2e, sharedFixture('scorm2004', 'SequencingRandomTest_SCORM20043rdEdition.zip'), 'golf-random');
  const learner = await addLearner(e2e, 'Golf Learner');
  const session = await signIn(t, browser, e2e, learner);
  const { page } = session;
  const launched = await launch(session, e2e, 'golf-random');
  t.equal(launched.unit, 'playing_item');

  for (const [index, content] of CONTENT.entries()) {
    const sco = await scoFrame(page, new RegExp(content));
    await toLastPage(sco);
    const before = page.url();
    // The player's Next: a continue request, checked first, then the SCO is unloaded (it suspends itself).
    await page.click('#player-next');
    await page.waitForURL((url) => url.toString() !== before);
    t.pass(`${CONTENT[index]} completed, continue`);
  }

  const first = await scoFrame(page, /assessment\d/);
  const firstTest = testNumberOf(first);
  await takeTest(first, false);
  const failedPage = page.url();
  await page.click('#player-next');
  await page.waitForURL((url) => url.toString() !== failedPage);
  const second = await scoFrame(page, /assessment\d/);
  const secondTest = testNumberOf(second);
  // The order of each attempt of the post-test, drawn from the registration (randomization.ts): the first test of
  // attempt 1, then — the retry, not a continue to the next test — the first test of attempt 2.
  const posttest = buildActivityTree(await sequencingFixture('RandomTest_SCORM20043rdEdition')).byId.get('posttest_item')!;
  const orderOf = (attemptCount: number) => availableChildren(posttest, { attemptCount, active: false }, launched.registration).map((test) => test.id.replace('test_', ''));
  t.equal(firstTest, orderOf(0)[0], `the post-test starts with the first test of its randomized order (${orderOf(0).join(', ')})`);
  t.equal(secondTest, orderOf(1)[0], `the post-test was retried: the first test of its new attempt's order (${orderOf(1).join(', ')}) is delivered`);

  await takeTest(second, true);
  const passedPage = page.url();
  await page.click('#player-next');
  // The post-test is satisfied: its exitAll rule ends the course, and the player goes back to the course page.
  await page.waitForURL(`${e2e.appUrl}/courses/golf-random`);
  t.not(page.url(), passedPage);

  const course = `${e2e.appUrl}/courses/golf-random`;
  const statements = await statementsUntil(e2e, launched.registration, (s) => verbsOf(s.filter((x) => x.object.id === course)).includes('passed'), 'the course passed');
  const tests = (verb: string) => statements.filter((s: Statement) => s.verb.id.endsWith(`/${verb}`) && /\/test_\d$/.test(s.object.id));
  t.equal(tests('failed').length, 1, 'one test failed');
  t.equal(tests('passed').length, 1, 'one test passed');
  const attemptOf = (s: Statement) => s.context?.contextActivities?.grouping?.find((g) => g.id.includes('?attemptId='))?.id;
  t.not(attemptOf(tests('failed')[0]!), attemptOf(tests('passed')[0]!), 'in two attempts');
  const rollup = statements.filter((s) => s.object.id === course);
  t.same(verbsOf(rollup).filter((verb) => verb !== 'failed'), ['completed', 'passed'], 'completed and passed once each, in that order');
  t.ok(verbsOf(rollup).includes('completed') && verbsOf(rollup).includes('passed'), 'the LMS stated the course completed and passed (post-test satisfied)');
  t.equal(verbsOf(rollup)[0], 'failed', 'after the first test, the course was stated failed');

  const transcript = await session.page.request.get(`${e2e.appUrl}/api/users/${learner.id}/transcript`);
  const entry = ((await transcript.json()) as { courses: Array<{ registration: string; status: string; success: string }> }).courses.find((c) => c.registration === launched.registration);
  t.match(entry, { status: 'completed', success: 'passed' }, 'the transcript shows the rollup: completed and passed');
});
