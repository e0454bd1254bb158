/**
 * The player with real Rustici Golf SCOs: the SCO bookmarks pages, the player commits them with
 * increasing commitSequence, the suspend/terminate commit leaves by beacon when the learner goes
 * away, and a relaunch with that state resumes at the bookmarked page.
 */
import t, { type Test } from 'tap';
import type { Browser, Dialog, Page } from 'playwright-core';
import { launchBrowser } from '../../fixtures/browser.js';
import { extractFixture, flatten, frameWith, startHarness, waitFor, type Harness } from './player-harness.js';

const golfPages12 = ['Playing/Playing.html', 'Playing/Par.html', 'Playing/Scoring.html', 'Playing/OtherScoring.html', 'Playing/RulesOfGolf.html'];

/** Accepts the SCO's confirm() prompts and remembers them. */
function acceptDialogs(page: Page): string[] {
  const messages: string[] = [];
  page.on('dialog', (dialog: Dialog) => {
    messages.push(dialog.message());
    void dialog.accept();
  });
  return messages;
}

function watchErrors(t: Test, page: Page): void {
  page.on('pageerror', (error) => t.fail(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused/.test(message.text())) t.fail(`console: ${message.text()}`);
  });
}

async function startGolf(t: Test, browser: Browser, harness: Harness, options: Parameters<Harness['launch']>[0]) {
  const context = await browser.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  watchErrors(t, page);
  const dialogs = acceptDialogs(page);
  await page.goto(harness.launch(options));
  const sco = await frameWith(page, 'launchpage.html');
  await waitFor(() => sco.evaluate(() => typeof (window as any).currentPage === 'number' && (window as any).initialized === true).catch(() => false), 'the SCO to initialize');
  return { page, sco, dialogs };
}

t.test('SCORM 1.2 Golf: bookmarks commit in order, the suspend commit leaves by beacon, relaunch resumes', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm12', 'singlescobasic.zip');
  const harness = await startHarness(t, pkg, 'scorm12');
  const attempt = harness.attemptOf('item_1');

  const first = await startGolf(t, browser, harness, {
    lastCommitSequence: 4,
    initialCmi: {
      'cmi.core.student_id': 'learner-1',
      'cmi.core.student_name': 'Doe, Jane',
      'cmi.core.entry': 'ab-initio',
      'cmi.core.credit': 'credit',
      'cmi.core.lesson_mode': 'normal',
      'cmi.launch_data': '',
      'cmi.student_data.mastery_score': '70',
    },
  });
  t.same(first.dialogs, [], 'a first launch asks nothing');
  t.equal(await first.page.evaluate(() => (window as any).API.LMSGetValue('cmi.core.student_name')), 'Doe, Jane', 'initialCmi was loaded');
  t.equal(await first.page.evaluate(() => (window as any).API.LMSGetValue('cmi.student_data.mastery_score')), '70');

  for (let i = 0; i < 3; i++) {
    await first.sco.click('#butNext');
    await waitFor(async () => (await first.sco.evaluate(() => (window as any).currentPage)) === i + 1, `page ${i + 1}`);
  }
  // autocommitSeconds is 1 in the harness: a commit follows the bookmarks without the SCO asking.
  await waitFor(() => harness.commitsFor(attempt).some((commit) => flatten(commit.body.runtimeData)['cmi.core.lesson_location'] === '3'), 'an autocommit with the bookmark');
  const duringSession = harness.commitsFor(attempt);
  t.ok(duringSession.every((commit) => commit.contentType.startsWith('application/json') && !commit.terminate), 'session commits are JSON fetches, not terminate commits');
  t.ok(duringSession.every((commit) => commit.token === duringSession[0].token && commit.token?.startsWith('tok-')), 'the token travels in the query string');

  // The learner closes the course by going somewhere else: the SCO's onbeforeunload sets exit=suspend and calls LMSFinish.
  await first.page.goto(`${harness.appOrigin}/course`);
  const terminate = await waitFor(() => harness.commitsFor(attempt).find((commit) => commit.terminate), 'the terminate commit');
  t.match(terminate.contentType, /^text\/plain/, 'the terminate commit is a beacon (text/plain)');
  const finalData = flatten(terminate.body.runtimeData);
  t.equal(finalData['cmi.core.lesson_location'], '3', 'it carries the bookmark');
  t.equal(finalData['cmi.core.exit'], 'suspend', 'as a suspend');
  t.ok('cmi.suspend_data' in finalData, 'and suspend_data');
  t.equal(finalData['cmi.core.lesson_status'], 'incomplete');
  t.match(String(finalData['cmi.core.session_time']), /^\d{2,4}:\d{2}:\d{2}/, 'the SCO reported its session time');
  t.equal(terminate.body.completionStatus, 'incomplete', 'common commit fields are rendered');

  const sequences = harness.commitsFor(attempt).map((commit) => commit.sequence);
  t.equal(sequences[0], 5, 'numbering continues after lastCommitSequence');
  t.same(sequences, [...sequences].sort((a, b) => a - b), 'commits arrive in order');
  t.equal(new Set(sequences).size, sequences.length, 'each commit arrives once');
  t.equal(terminate.sequence, Math.max(...sequences), 'the terminate commit is the last one');

  // Relaunch with what the server would have kept (entry=resume).
  const resumed = await startGolf(t, browser, harness, {
    lastCommitSequence: terminate.sequence,
    initialCmi: {
      'cmi.core.student_id': 'learner-1',
      'cmi.core.student_name': 'Doe, Jane',
      'cmi.core.entry': 'resume',
      'cmi.core.credit': 'credit',
      'cmi.core.lesson_mode': 'normal',
      'cmi.core.lesson_location': String(finalData['cmi.core.lesson_location']),
      'cmi.core.lesson_status': String(finalData['cmi.core.lesson_status']),
      'cmi.core.total_time': '00:01:00',
      'cmi.suspend_data': String(finalData['cmi.suspend_data'] ?? ''),
    },
  });
  t.match(resumed.dialogs, [/resume from where you previously left off/], 'the SCO found the bookmark and offered to resume');
  t.equal(await resumed.sco.evaluate(() => (window as any).currentPage), 3, 'the SCO resumed at the bookmarked page');
  const content = await frameWith(resumed.page, golfPages12[3]);
  t.ok(content, `its content frame shows ${golfPages12[3]}`);
  t.equal(await resumed.page.evaluate(() => (window as any).API.LMSGetValue('cmi.core.entry')), 'resume');

  await resumed.sco.click('#butNext');
  const before = harness.commitsFor(attempt).length;
  await waitFor(() => harness.commitsFor(attempt).length > before, 'a commit of the resumed session');
  t.ok(harness.commitsFor(attempt).slice(before).every((commit) => commit.sequence > terminate.sequence), 'the resumed session numbers after the last accepted commit');
});

t.test('SCORM 2004 Golf: cmi.location bookmark, beacon on leaving, resume, and the SCO exit (suspendAll) goes to the course page', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm2004', 'RuntimeBasicCalls_SCORM20043rdEdition.zip');
  const harness = await startHarness(t, pkg, 'scorm2004');
  const attempt = harness.attemptOf('item_1');

  const first = await startGolf(t, browser, harness, {
    initialCmi: {
      'cmi.learner_id': 'learner-2',
      'cmi.learner_name': 'Roe, Richard',
      'cmi.entry': 'ab-initio',
      'cmi.credit': 'credit',
      'cmi.mode': 'normal',
      'cmi.scaled_passing_score': '0.7',
      'cmi.completion_threshold': '0.8',
    },
  });
  t.equal(await first.page.evaluate(() => (window as any).API_1484_11.GetValue('cmi.learner_name')), 'Roe, Richard');
  t.equal(await first.page.evaluate(() => (window as any).API_1484_11.GetValue('cmi.scaled_passing_score')), '0.7');
  for (let i = 0; i < 2; i++) {
    await first.sco.click('#butNext');
    await waitFor(async () => (await first.sco.evaluate(() => (window as any).currentPage)) === i + 1, `page ${i + 1}`);
  }
  await waitFor(() => harness.commitsFor(attempt).some((commit) => flatten(commit.body.runtimeData)['cmi.location'] === '2'), 'an autocommit with the bookmark');

  await first.page.goto(`${harness.appOrigin}/course`);
  const terminate = await waitFor(() => harness.commitsFor(attempt).find((commit) => commit.terminate), 'the terminate commit');
  const finalData = flatten(terminate.body.runtimeData);
  t.match(terminate.contentType, /^text\/plain/, 'sent as a beacon');
  t.equal(finalData['cmi.location'], '2');
  t.equal(finalData['cmi.exit'], 'suspend');
  t.ok('cmi.suspend_data' in finalData, 'suspend_data is in the commit');
  t.equal(finalData['cmi.completion_status'], 'incomplete');
  const sequences = harness.commitsFor(attempt).map((commit) => commit.sequence);
  t.same(sequences, sequences.map((_, index) => index + 1), 'commitSequence 1, 2, … once each, in order');

  const resumed = await startGolf(t, browser, harness, {
    lastCommitSequence: terminate.sequence,
    initialCmi: {
      'cmi.learner_id': 'learner-2',
      'cmi.learner_name': 'Roe, Richard',
      'cmi.entry': 'resume',
      'cmi.credit': 'credit',
      'cmi.mode': 'normal',
      'cmi.location': String(finalData['cmi.location']),
      'cmi.completion_status': 'incomplete',
      'cmi.suspend_data': 'opaque|state<with>&"specials"',
      'cmi.total_time': 'PT1M',
    },
  });
  t.match(resumed.dialogs, [/resume from where you previously left off/], 'the SCO offered to resume');
  t.equal(await resumed.sco.evaluate(() => (window as any).currentPage), 2, 'and resumed at the bookmarked page');
  t.equal(await resumed.page.evaluate(() => (window as any).API_1484_11.GetValue('cmi.suspend_data')), 'opaque|state<with>&"specials"', 'suspend_data round-trips untouched');
  t.equal(await resumed.page.evaluate(() => (window as any).API_1484_11.GetValue('cmi.entry')), 'resume');

  // The SCO's own Exit: "save your progress?" → yes → cmi.exit=suspend, adl.nav.request=suspendAll, Terminate.
  const before = harness.commitsFor(attempt).length;
  await Promise.all([resumed.page.waitForURL(`${harness.appOrigin}/course`), resumed.sco.click('#butExit')]);
  const exitCommits = harness.commitsFor(attempt).slice(before);
  const last = exitCommits[exitCommits.length - 1];
  t.ok(last?.terminate, 'the terminate commit arrived before the player left');
  t.match(last?.contentType, /^application\/json/, 'through fetch, acknowledged, since the page was not unloading');
  t.equal(last?.body.navRequest, 'suspendAll', 'the terminate commit names the navigation request');
  t.equal(harness.navigations.length, 0, 'suspendAll needs no navigate request: the player went to exitUrl');
});

t.test('a nested initialCmi (a commit runtimeData) is accepted too', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm12', 'singlescobasic.zip');
  const harness = await startHarness(t, pkg, 'scorm12');
  const resumed = await startGolf(t, browser, harness, {
    initialCmi: { cmi: { core: { student_id: 'learner-4', student_name: 'Poe, Sam', entry: 'resume', lesson_location: '2', lesson_status: 'incomplete' }, suspend_data: 'abc' } },
  });
  t.match(resumed.dialogs, [/resume/]);
  t.equal(await resumed.sco.evaluate(() => (window as any).currentPage), 2);
  t.equal(await resumed.page.evaluate(() => (window as any).API.LMSGetValue('cmi.suspend_data')), 'abc');
  t.equal(await resumed.page.evaluate(() => (window as any).API.LMSGetValue('cmi.core.student_name')), 'Poe, Sam');
});
