import t from 'tap';
import type { FrameLocator, Page } from 'playwright-core';
import {
  addLearner,
  launch,
  launchBrowser,
  signIn,
  startE2eServer,
  statementsUntil,
  verbsOf,
  type E2eServer,
  type Learner,
  type Statement,
  playerData,
} from './helpers.js';
import { basicAuth } from '../fixtures/server-process.js';

/**
 * The four demo courses (content-packages/, imported by the server's first start) played by learners in Chromium
 * against a real `cadet serve`; each ends with what the LRS holds. One learner per course, so each course has a
 * registration of its own from its first launch.
 */
t.setTimeout(115_000);

const only = (statements: Statement[], verb: string) => statements.filter((s) => s.verb.id.endsWith(`/${verb}`));
const interactionTypes = (statements: Statement[], verb: string) => only(statements, verb).map((s) => s.object.definition?.interactionType);

/** The SCO inside the player (#player-frame, content origin). */
const scoOf = (page: Page): FrameLocator => page.frameLocator('#player-frame');

async function heading(sco: FrameLocator | Page, title: string): Promise<void> {
  await sco.getByRole('heading', { level: 1, name: title }).waitFor();
}

async function lrsGet(e2e: E2eServer, path: string): Promise<Response> {
  return fetch(new URL(path, e2e.appUrl), { headers: { authorization: basicAuth(e2e.lrs.key, e2e.lrs.secret), 'x-experience-api-version': '1.0.3' } });
}

const agentOf = (e2e: E2eServer, learner: Learner) => ({ objectType: 'Agent', account: { homePage: e2e.appUrl, name: learner.id } });

t.test('demo courses with a real server', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const e2e = await startE2eServer(t);

  t.test('scorm12-evidence-handling: the quiz answered right → passed with its score, one responded per interaction', async (t) => {
    const learner = await addLearner(e2e, 'Evidence Learner');
    const session = await signIn(t, browser, e2e, learner);
    const { page } = session;
    const launched = await launch(session, e2e, 'scorm12-evidence-handling');
    const sco = scoOf(page);
    await heading(sco, 'Evidence handling basics');
    for (const title of ['Protecting the scene', 'Collecting and packaging', 'Chain of custody', 'Knowledge check']) {
      await sco.getByRole('button', { name: 'Next' }).click();
      await heading(sco, title);
    }
    await sco.getByLabel('A paper bag, after the shirt has air-dried').check();
    await sco.getByLabel('False', { exact: true }).check();
    await sco.getByLabel('The record of every person').fill('Custody');
    await sco.getByLabel('Mobile phone').selectOption({ label: 'Faraday bag' });
    await sco.getByLabel('Broken glass').selectOption({ label: 'Rigid box' });
    await sco.getByLabel('Dried blood swab').selectOption({ label: 'Paper envelope' });
    await sco.getByLabel('How many minutes').fill('150');
    await sco.getByRole('button', { name: 'Submit answers' }).click();
    t.match(await sco.locator('#results-summary').textContent(), /You scored 100%\. You passed\./);
    await sco.getByRole('button', { name: 'Save and exit' }).click();
    // A single SCO that finished: the player goes back to the course page on the app origin.
    await page.waitForURL(`${e2e.appUrl}/courses/scorm12-evidence-handling`);

    const statements = await statementsUntil(e2e, launched.registration, (s) => verbsOf(s).includes('terminated'), 'terminated');
    t.same(interactionTypes(statements, 'responded'), ['choice', 'true-false', 'fill-in', 'matching', 'numeric'], 'one responded per interaction, with its interactionType');
    const responded = only(statements, 'responded');
    t.same(responded.map((s) => s.result?.success), [true, true, true, true, true], 'each one correct');
    t.same(responded.map((s) => s.result?.response), ['b', 'false', 'Custody', '1[.]a[,]2[.]b[,]3[.]c', '150'], 'with the learner\'s responses, in xAPI syntax');
    t.match(only(statements, 'passed'), [{ result: { success: true, score: { raw: 100, min: 0, max: 100, scaled: 1 } } }], 'passed with the score');
    t.match(only(statements, 'terminated'), [{ result: { success: true, completion: true, score: { raw: 100 } } }]);
    t.equal(verbsOf(statements)[0], 'initialized');
  });

  t.test('scorm2004-interview-techniques: lesson then test, with continue, previous and choice; the course passed', async (t) => {
    const learner = await addLearner(e2e, 'Interview Learner');
    const session = await signIn(t, browser, e2e, learner);
    const { page } = session;
    const sco = scoOf(page);
    /** Waits for the player of a unit (after a navigation the page is a new player document). */
    const onUnit = async (unit: string, title: string) => {
      await page.waitForFunction((id) => document.querySelector('#player-toc [aria-current="page"]')?.getAttribute('data-target') === id, unit);
      await heading(sco, title);
    };
    const choose = (unit: string) => page.locator(`#player-toc [data-target="${unit}"]`).click();

    const launched = await launch(session, e2e, 'scorm2004-interview-techniques');
    t.equal(launched.unit, 'ITEM-LESSON', 'the course opens on its first SCO, the lesson');
    await onUnit('ITEM-LESSON', 'Interview techniques');
    t.ok(await page.locator('#player-next').isHidden(), 'hideLMSUI continue: the SCO has its own Next');
    t.ok(await page.locator('#player-previous').isHidden(), 'hideLMSUI previous');
    t.same(await page.locator('#player-toc button[data-target]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-target'))), ['ITEM-LESSON', 'ITEM-TEST'], 'the table of contents lists both SCOs (choice is allowed)');
    await sco.getByRole('button', { name: 'Next' }).click();
    await heading(sco, 'Planning and preparation');

    // Choice of the test before the lesson is satisfied: the test's precondition rule says "disabled". The entry is
    // aria-disabled but still a button (playwright will not click it unforced): clicking it shows why.
    await page.locator('#player-toc [data-target="ITEM-TEST"]').click({ force: true });
    const refused = await Promise.race([
      page.locator('#player-status[data-kind="error"]').waitFor().then(() => true),
      page.waitForFunction(() => document.querySelector('#player-toc [aria-current="page"]')?.getAttribute('data-target') === 'ITEM-TEST').then(() => false),
    ]);
    t.ok(refused, 'choosing the test before the lesson is satisfied is refused (precondition "disabled")');
    t.match(await page.locator('#player-status').textContent(), /"Test" is not available yet/, 'with the reason from the server');
    t.equal(await page.locator('#player-toc [data-target="ITEM-TEST"]').getAttribute('aria-disabled'), 'true', 'the table of contents showed the test disabled');
    // The player asked the sequencer before it ended the lesson: the lesson is still running where the learner was.
    await sco.getByRole('button', { name: 'Next' }).click();
    await heading(sco, 'Engage and explain');
    t.equal(await page.locator('#player-toc [aria-current="page"]').getAttribute('data-target'), 'ITEM-LESSON', 'still on the lesson page');
    for (const title of ['Account, closure and evaluation', 'Summary']) {
      await sco.getByRole('button', { name: 'Next' }).click();
      await heading(sco, title);
    }
    // The SCO asks for "continue": the sequencer's next activity is the test.
    await sco.getByRole('button', { name: 'Continue to the test' }).click();
    await onUnit('ITEM-TEST', 'Test: interview techniques');
    await sco.getByLabel('Tell me everything you remember').check();

    // Choice back to the lesson, then choice of the test again (allowed now that the lesson is satisfied).
    await choose('ITEM-LESSON');
    await onUnit('ITEM-LESSON', 'Interview techniques');
    await choose('ITEM-TEST');
    await onUnit('ITEM-TEST', 'Test: interview techniques');
    t.ok(await sco.getByLabel('Tell me everything you remember').isChecked(), 'the test resumes with its draft answer');
    await sco.getByLabel('Reviewing the evidence').check();
    await sco.getByLabel('Deciding the order of the topics').check();
    await sco.getByLabel('Checking whether an interpreter').check();
    await sco.getByLabel('False', { exact: true }).check();
    await sco.getByLabel('In the PEACE model').fill('account');
    await sco.getByRole('button', { name: 'Move up: Planning and preparation' }).click();
    await sco.getByRole('button', { name: 'Move up: Engage and explain' }).click();
    await sco.getByRole('button', { name: 'Move up: Engage and explain' }).click();
    await sco.getByRole('button', { name: 'Move down: Evaluate' }).click();
    await sco.getByLabel('4 – Confident').check();
    await sco.getByRole('button', { name: 'Submit answers' }).click();
    t.match(await sco.locator('#results-summary').textContent(), /5 of 5 scored questions correctly \(100%\)\. You passed\./);
    // exitAll: the player leaves for the course page.
    await sco.getByRole('button', { name: 'Finish the course' }).click();
    await page.waitForURL(`${e2e.appUrl}/courses/scorm2004-interview-techniques`);

    const statements = await statementsUntil(e2e, launched.registration, (s) => only(s, 'passed').some((p) => p.object.id.endsWith('/ITEM-TEST')) && only(s, 'terminated').some((p) => p.object.id.endsWith('/ITEM-TEST')), 'the test passed and terminated');
    const about = (unit: string, verb: string) => only(statements, verb).filter((s) => s.object.id.endsWith(`/${unit}`));
    t.equal(about('ITEM-LESSON', 'completed').length, 1, 'the lesson completed');
    t.match(about('ITEM-TEST', 'passed'), [{ result: { success: true, score: { scaled: 1, raw: 5, min: 0, max: 5 } } }], 'the test passed with its score');
    t.same(interactionTypes(statements.filter((s) => s.context?.contextActivities?.parent?.some((p) => p.id.endsWith('/ITEM-TEST'))), 'responded'), ['choice', 'choice', 'true-false', 'fill-in', 'sequencing', 'likert'], 'the test\'s interactions');
    t.match(about('ITEM-TEST', 'terminated'), [{ result: { success: true, completion: true } }], 'exitAll ends the test attempt');

    const transcript = await session.page.request.get(`${e2e.appUrl}/api/users/${learner.id}/transcript`);
    t.equal(transcript.status(), 200, 'the learner reads their transcript');
    const course = ((await transcript.json()) as { courses: Array<{ registration: string; status: string; success: string; units: Array<{ id: string; success: string }> }> }).courses.find((c) => c.registration === launched.registration);
    t.match(course, { status: 'completed', success: 'passed' }, 'the course is completed and passed');
    // SCORM 2004: the course's status is the rollup, as the LMS stated it (one statement per change).
    const rollup = statements.filter((s) => s.object.id === `${e2e.appUrl}/courses/scorm2004-interview-techniques`);
    // The learner went back to the finished lesson: a new attempt, left in progress, and the latest attempt is what
    // rolls up (SN §4.2). So the course is satisfied (the test) but its completion rule (every child completed) is not
    // met: the LMS stated passed only, and the transcript counts the course completed because it passed.
    t.same(verbsOf(rollup), ['passed'], 'the LMS stated the course passed, once');
    t.match(rollup, [{ result: { success: true, score: { scaled: 1 } }, context: { registration: launched.registration, extensions: { 'https://cadet.dev/xapi/extensions/sequencing-rollup': 'ORG-INTERVIEW-TECHNIQUES' } } }]);
  });

  t.test('xapi-cybercrime-response: statements from the content with its launch token; bookmark resume', async (t) => {
    const learner = await addLearner(e2e, 'Cyber Learner');
    const session = await signIn(t, browser, e2e, learner);
    const { page } = session;
    const first = await launch(session, e2e, 'xapi-cybercrime-response');
    const launchUrl = new URL(first.url);
    t.equal(launchUrl.origin, e2e.contentUrl, 'the content runs on the content origin');
    t.match(launchUrl.searchParams.get('auth'), /^Bearer /, 'with the launch token as its LRS credential');
    await heading(page, 'Cybercrime first response');
    await page.getByRole('button', { name: 'Next' }).click();
    await heading(page, 'The digital scene');
    await page.getByRole('button', { name: 'Save and exit' }).click();
    await page.getByRole('heading', { name: 'Your progress is saved' }).waitFor();
    let statements = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('terminated'), 'terminated');
    t.same(verbsOf(statements), ['initialized', 'experienced', 'experienced', 'terminated']);
    t.ok(statements.every((s) => s.actor.account?.name === learner.id), 'as the learner');

    const activityId = 'https://cadet.dev/demo/xapi-cybercrime-response';
    const bookmark = await lrsGet(e2e, `/xapi/activities/state?activityId=${encodeURIComponent(activityId)}&agent=${encodeURIComponent(JSON.stringify(agentOf(e2e, learner)))}&registration=${first.registration}&stateId=bookmark`);
    t.equal(bookmark.status, 200, 'the bookmark is in the State API');
    t.equal(((await bookmark.json()) as { page: string }).page, 'digital-scene');

    const second = await launch(session, e2e, 'xapi-cybercrime-response');
    t.equal(second.registration, first.registration, 'the relaunch continues the registration');
    await heading(page, 'The digital scene');
    t.pass('the relaunch resumes on the bookmarked page');
    for (const title of ['Live devices and volatile data', 'Seizing and packaging devices', 'Knowledge check']) {
      await page.getByRole('button', { name: 'Next' }).click();
      await heading(page, title);
    }
    await page.getByLabel('Isolate it from the networks').check();
    await page.getByLabel('False', { exact: true }).check();
    await page.getByLabel('Data held in a computer').fill('RAM');
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Move down: Hand the devices over' }).click();
    await page.getByRole('button', { name: 'Move up: Photograph and note' }).click();
    await page.getByLabel('Smartphone, switched on').selectOption('faraday');
    await page.getByLabel('Laptop, switched off').selectOption('leave-off');
    await page.getByLabel('External hard drive').selectOption('anti-static');
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByText('You answered 5 of 5 questions correctly. You passed.').waitFor();
    statements = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('passed'), 'passed');
    t.same(interactionTypes(statements, 'answered'), ['choice', 'true-false', 'fill-in', 'sequencing', 'matching'], 'one answered per question');
    t.ok(only(statements, 'answered').every((s) => s.result?.success === true), 'all correct');
    t.match(only(statements, 'completed'), [{ object: { id: activityId }, result: { completion: true } }]);
    t.match(only(statements, 'passed'), [{ object: { id: activityId }, result: { success: true, score: { scaled: 1, raw: 5, min: 0, max: 5 } } }]);
    t.ok(statements.every((s) => s.context?.registration === first.registration), 'every statement in the registration');
    await page.goto('about:blank');
    await statementsUntil(e2e, first.registration, (s) => only(s, 'terminated').length === 2, 'the second terminated');
  });

  t.test('cmi5-interpol-notices: lesson AU completed, test AU passed → the LMS satisfies the block and the course', async (t) => {
    const learner = await addLearner(e2e, 'Notices Learner');
    const session = await signIn(t, browser, e2e, learner);
    const { page } = session;
    const lesson = await launch(session, e2e, 'cmi5-interpol-notices', 'https://cadet.dev/demo/cmi5-interpol-notices/au/lesson');
    for (const title of ['Interpol notices', 'The colours of notices', 'Diffusions and the National Central Bureau', 'When you get a hit']) {
      if (title !== 'Interpol notices') await page.getByRole('button', { name: 'Next' }).click();
      await heading(page, title);
    }
    let statements = await statementsUntil(e2e, lesson.registration, (s) => verbsOf(s).includes('completed'), 'the lesson completed');
    await page.getByRole('button', { name: 'Exit' }).click();
    await page.waitForURL(`${e2e.appUrl}/courses/cmi5-interpol-notices`);
    statements = await statementsUntil(e2e, lesson.registration, (s) => verbsOf(s).includes('terminated'), 'the lesson terminated');
    t.same(verbsOf(statements), ['launched', 'initialized', 'progressed', 'progressed', 'progressed', 'completed', 'terminated'], 'the LMS\'s launched, then the lesson AU\'s session');
    t.equal(only(statements, 'satisfied').length, 0, 'the block is not satisfied by the lesson alone');

    const test = await launch(session, e2e, 'cmi5-interpol-notices', 'https://cadet.dev/demo/cmi5-interpol-notices/au/test');
    t.equal(test.registration, lesson.registration, 'one registration for the course');
    await page.locator('main[data-ready="true"]').waitFor();
    await page.getByLabel('Yellow Notice').check();
    await page.getByLabel('False', { exact: true }).check();
    await page.getByLabel('Black Notice').selectOption('unidentified-bodies');
    await page.getByLabel('Purple Notice').selectOption('modus-operandi');
    await page.getByLabel('Orange Notice').selectOption('imminent-threat');
    await page.getByLabel('point of contact').fill('Bureau');
    await page.getByLabel('Contact the National Central Bureau').check();
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByText('You answered 5 of 5 questions correctly (100%). You passed.').waitFor();
    await page.getByRole('button', { name: 'Exit' }).click();
    await page.waitForURL(`${e2e.appUrl}/courses/cmi5-interpol-notices`);
    statements = await statementsUntil(e2e, lesson.registration, (s) => only(s, 'terminated').length === 2 && only(s, 'satisfied').length === 2, 'the test terminated and satisfied');

    const testAu = only(statements, 'passed')[0];
    t.match(testAu, { result: { success: true, score: { scaled: 1 } } }, 'the test AU passed');
    t.equal(testAu.context?.extensions?.['https://w3id.org/xapi/cmi5/context/extensions/masteryscore'], 0.8, 'against the masteryScore of LMS.LaunchData');
    t.same(interactionTypes(statements, 'answered'), ['choice', 'true-false', 'matching', 'fill-in', 'choice']);
    const satisfied = only(statements, 'satisfied');
    t.same(satisfied.map((s) => s.object.definition?.type).sort(), ['https://w3id.org/xapi/cmi5/activitytype/block', 'https://w3id.org/xapi/cmi5/activitytype/course'], 'satisfied: the block and the course');
    t.ok(satisfied.every((s) => s.actor.account?.name === learner.id && s.context?.registration === lesson.registration), 'for the learner, in the registration');
    t.ok(satisfied.every((s) => JSON.stringify(s.authority).includes('cadet runtime')), 'written by the LMS, not the AU');
    const verbs = verbsOf(statements);
    t.ok(verbs.indexOf('passed') < verbs.indexOf('satisfied'), 'after the passed that satisfied them');
    t.equal(only(statements, 'launched').length, 2, 'one launched per AU launch');
  });
});
