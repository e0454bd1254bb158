import t from 'tap';
import type { Frame, Page } from 'playwright-core';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import {
  addLearner,
  frameMatching,
  importPackage,
  launch,
  launchBrowser,
  playerData,
  signIn,
  startE2eServer,
  statementsOf,
  statementsUntil,
  verbsOf,
  waitFor,
  type Statement,
} from './helpers.js';

/**
 * Rustici's Golf "Run-time Basic Calls" SCOs (SCORM 1.2 and 2004 3rd edition) in Chromium, launched by a learner
 * against a real `cadet serve`: page, leave, relaunch and resume, finish; then what the LRS holds.
 * The Golf SCOs bookmark with lesson_location / cmi.location but write no suspend_data: the test writes some
 * through the SCO's own SetValue wrapper, as a SCO would, to check that it comes back on resume.
 */
t.setTimeout(110_000);

/** The SCO's launch page inside the player (content origin), once its script has initialised. */
async function scoFrame(page: Page): Promise<Frame> {
  const frame = await frameMatching(page, /\/shared\/launchpage\.html/);
  await waitFor(() => frame.evaluate(() => typeof (window as any).currentPage === 'number').catch(() => false), 'the SCO to start');
  return frame;
}

const currentPage = (sco: Frame) => sco.evaluate(() => (window as any).currentPage as number);

async function next(sco: Frame, expected: number): Promise<void> {
  await sco.click('#butNext');
  await waitFor(async () => (await currentPage(sco)) === expected, `page ${expected}`);
}

/** Next until the last page (the assessment), where the SCO disables Next. */
async function toLastPage(sco: Frame): Promise<void> {
  while (!(await sco.isDisabled('#butNext'))) await next(sco, (await currentPage(sco)) + 1);
}

/** The Golf assessment (last page): every question answered right from the page's own question list, submitted. */
async function passAssessment(sco: Frame): Promise<void> {
  const quiz = await waitFor(() => sco.childFrames().find((frame) => /assessmenttemplate\.html/.test(frame.url())), 'the assessment page');
  await quiz.waitForSelector('#frmTest');
  await quiz.evaluate(() => {
    const questions = (window as any).test.Questions as Array<{ Id: string; Type: string; Answers: string[] | null; CorrectAnswer: unknown }>;
    for (const question of questions) {
      if (question.Type === 'choice') (document.getElementById(`question_${question.Id}_${question.Answers!.indexOf(String(question.CorrectAnswer))}`) as HTMLInputElement).checked = true;
      else if (question.Type === 'true-false') (document.getElementById(`question_${question.Id}_${question.CorrectAnswer ? 'True' : 'False'}`) as HTMLInputElement).checked = true;
      else (document.getElementById(`question_${question.Id}_Text`) as HTMLInputElement).value = String(question.CorrectAnswer);
    }
  });
  await quiz.click('input[type="button"][value="Submit Answers"], input[value*="Submit"]');
  await quiz.waitForSelector('text=Score: 100');
}

const only = (statements: Statement[], verb: string) => statements.filter((s) => s.verb.id.endsWith(`/${verb}`));

t.test('Golf SCORM 1.2 and 2004 with a real server', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const e2e = await startE2eServer(t);
  await importPackage(e2e, sharedFixture('scorm12', 'singlescobasic.zip'), 'golf-12');
  await importPackage(e2e, sharedFixture('scorm2004', 'RuntimeBasicCalls_SCORM20043rdEdition.zip'), 'golf-2004');
  const learner = await addLearner(e2e, 'Golf Learner');
  const session = await signIn(t, browser, e2e, learner);
  const { page } = session;

  t.test('SCORM 1.2: page, leave, resume at the same page with the same suspend_data, finish', async (t) => {
    const first = await launch(session, e2e, 'golf-12');
    t.match(first.url, `${e2e.contentUrl}/player/`, 'the launch opens the player on the content origin');
    t.equal((await playerData(page)).initialCmi['cmi.core.entry'], 'ab-initio', 'a new attempt starts ab-initio');
    let sco = await scoFrame(page);
    t.equal(await currentPage(sco), 0);
    for (const n of [1, 2, 3]) await next(sco, n);
    await sco.evaluate(() => (window as any).ScormProcessSetValue('cmi.suspend_data', 'golf:seen=0,1,2,3'));

    // The learner leaves: the SCO's unload handler suspends, the player beacons the terminate commit.
    await page.goto(`${e2e.appUrl}/health`);
    let statements = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('suspended'), 'suspended');
    t.same(verbsOf(statements), ['initialized', 'suspended'], 'the first session: initialized, then suspended');

    const second = await launch(session, e2e, 'golf-12');
    t.equal(second.registration, first.registration, 'the relaunch continues the registration');
    const resumed = (await playerData(page)).initialCmi;
    t.match(resumed, { 'cmi.core.entry': 'resume', 'cmi.core.lesson_location': '3', 'cmi.suspend_data': 'golf:seen=0,1,2,3', 'cmi.core.lesson_status': 'incomplete' }, 'the player loads where the attempt stood');
    sco = await scoFrame(page);
    t.equal(await currentPage(sco), 3, 'the SCO resumes on the page it was left at');
    t.equal(await sco.evaluate(() => (window as any).ScormProcessGetValue('cmi.suspend_data')), 'golf:seen=0,1,2,3', 'and reads its suspend_data back');
    t.equal(await sco.evaluate(() => (window as any).ScormProcessGetValue('cmi.core.entry')), 'resume');

    await toLastPage(sco);
    await passAssessment(sco);
    // The SCO finishes (a passed course exits normally); a single SCO: the player goes back to the course page.
    await sco.click('#butExit');
    await page.waitForURL(`${e2e.appUrl}/courses/golf-12`);
    statements = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('terminated'), 'terminated');
    t.same(verbsOf(statements), ['initialized', 'suspended', 'resumed', 'scored', 'completed', 'passed', 'terminated'], 'suspended, resumed, then scored, completed, passed and terminated');
    for (const verb of ['initialized', 'suspended', 'resumed', 'passed', 'terminated']) t.equal(only(statements, verb).length, 1, `one ${verb}`);
    const passed = only(statements, 'passed')[0];
    t.match(passed.result, { success: true, score: { raw: 100, min: 0, max: 100, scaled: 1 } }, 'passed with the score the SCO reported');
    const terminated = only(statements, 'terminated')[0];
    t.match(terminated.result, { success: true, completion: true, score: { raw: 100 } });
    t.match(terminated.result?.duration, /^PT/, 'with the session time');
    t.ok(statements.every((s) => s.actor.account?.name === learner.id && s.context?.registration === first.registration), 'all as the learner, in the registration');
  });

  t.test('SCORM 2004: bookmark in cmi.location, Exit with suspendAll, resume, finish with exitAll', async (t) => {
    const first = await launch(session, e2e, 'golf-2004');
    t.equal((await playerData(page)).initialCmi['cmi.entry'], 'ab-initio');
    let sco = await scoFrame(page);
    for (const n of [1, 2, 3, 4, 5]) await next(sco, n);
    await sco.evaluate(() => (window as any).ScormProcessSetValue('cmi.suspend_data', '{"seen":[0,1,2,3,4,5]}'));
    // "Save your progress to resume later?" (accepted): cmi.exit suspend and adl.nav.request suspendAll; the
    // player honours the request by leaving for the course page.
    await sco.click('#butExit');
    await page.waitForURL(`${e2e.appUrl}/courses/golf-2004`);
    let statements = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('suspended'), 'suspended');
    t.same(verbsOf(statements), ['initialized', 'suspended'], 'suspendAll ends the session as suspended');

    const second = await launch(session, e2e, 'golf-2004');
    t.equal(second.registration, first.registration);
    t.match((await playerData(page)).initialCmi, { 'cmi.entry': 'resume', 'cmi.location': '5', 'cmi.suspend_data': '{"seen":[0,1,2,3,4,5]}', 'cmi.completion_status': 'incomplete' }, 'the player loads the bookmark and suspend data');
    sco = await scoFrame(page);
    t.equal(await currentPage(sco), 5, 'the SCO resumes at its bookmark');
    t.equal(await sco.evaluate(() => (window as any).ScormProcessGetValue('cmi.suspend_data')), '{"seen":[0,1,2,3,4,5]}');
    await toLastPage(sco);
    await passAssessment(sco);
    await sco.click('#butExit');
    await page.waitForURL(`${e2e.appUrl}/courses/golf-2004`);
    const all = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('terminated'), 'terminated');
    // The course's own statements are the LMS's rollup of its single SCO (SN RB.1.5): completed and passed too.
    const courseIri = `${e2e.appUrl}/courses/golf-2004`;
    t.same(verbsOf(all.filter((s) => s.object.id === courseIri)), ['completed', 'passed'], 'the LMS stated the course completed and passed (rollup)');
    statements = all.filter((s) => s.object.id !== courseIri);
    for (const verb of ['initialized', 'suspended', 'resumed', 'completed', 'passed', 'terminated']) t.equal(only(statements, verb).length, 1, `one ${verb}`);
    const verbs = verbsOf(statements);
    t.ok(verbs.indexOf('suspended') < verbs.indexOf('resumed') && verbs.indexOf('resumed') < verbs.indexOf('passed') && verbs.at(-1) === 'terminated', `in order: ${verbs.join(' ')}`);
    t.match(only(statements, 'passed')[0].result, { success: true, score: { scaled: 1, raw: 100, min: 0, max: 100 } }, 'passed with the SCO\'s score');
    t.match(only(statements, 'terminated')[0].result, { success: true, completion: true, score: { scaled: 1 } }, 'the attempt ends completed and passed');
    t.equal(only(statements, 'completed')[0].result?.completion, true);

    // The attempt ended (exitAll, normal exit): the next launch starts ab-initio.
    await launch(session, e2e, 'golf-2004');
    t.equal((await playerData(page)).initialCmi['cmi.entry'], 'ab-initio', 'a finished attempt is not resumed');
    await page.goto('about:blank');
  });
});
