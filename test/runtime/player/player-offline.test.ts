/**
 * The commit queue when the app cannot be reached: commits wait in localStorage (content origin,
 * one key per attempt) and arrive once each, in order, when it can again; commits still queued
 * when the learner leaves are replayed by the next launch of the same attempt.
 */
import t from 'tap';
import { launchBrowser } from '../../fixtures/browser.js';
import { extractFixture, flatten, frameWith, startHarness, waitFor } from './player-harness.js';

t.test('SCORM 1.2: commits survive a dropped connection and a closed page, once each and in order', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm12', 'singlescobasic.zip');
  const harness = await startHarness(t, pkg, 'scorm12');
  const attempt = harness.attemptOf('item_1');
  const context = await browser.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (error) => t.fail(`page error: ${error.message}`));
  page.on('dialog', (dialog) => void dialog.accept());

  await page.goto(harness.launch({ initialCmi: { 'cmi.core.student_id': 'learner-3', 'cmi.core.entry': 'ab-initio' } }));
  let sco = await frameWith(page, 'launchpage.html');
  await waitFor(() => sco.evaluate(() => (window as any).initialized === true).catch(() => false), 'the SCO to initialize');
  const pending = () => page.evaluate(() => (window as any).cadetPlayer.pendingCommits() as number);
  const goNext = async (expected: number) => {
    await sco.click('#butNext');
    await waitFor(async () => (await sco.evaluate(() => (window as any).currentPage)) === expected, `page ${expected}`);
  };

  await goNext(1);
  await waitFor(() => harness.commitsFor(attempt).length >= 1, 'a first commit');

  // The network drops: the app's connections are cut.
  harness.refuseCommits = true;
  for (let pageNumber = 2; pageNumber <= 4; pageNumber++) {
    await goNext(pageNumber);
    await page.waitForTimeout(1300); // autocommitSeconds = 1
  }
  t.ok((await pending()) >= 2, 'commits wait in the queue while the app is unreachable');
  const stored = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((name) => name.startsWith('cadet-player:commits:'));
    return key ? { key, items: JSON.parse(localStorage.getItem(key) ?? '[]') as Array<{ sequence: number }> } : null;
  });
  t.ok(stored, 'the queue is kept in localStorage');
  t.notMatch(stored?.key, /token/, 'under a key without the launch token');
  t.match(await page.textContent('#player-status'), /offline/i, 'the learner is told');
  const receivedWhileDown = harness.commitsFor(attempt).length;

  // The connection comes back.
  harness.refuseCommits = false;
  await waitFor(async () => (await pending()) === 0, 'the queue to drain', 20_000);
  const afterOutage = harness.commitsFor(attempt);
  t.ok(afterOutage.length >= receivedWhileDown + 2, 'the queued commits arrived');
  const sequences = afterOutage.map((commit) => commit.sequence);
  t.same(sequences, sequences.map((_, index) => index + 1), 'each commit arrived once, in order, none missing');
  t.equal(flatten(afterOutage[afterOutage.length - 1].body.runtimeData)['cmi.core.lesson_location'], '4', 'the last one has the latest bookmark');
  t.match(await page.textContent('#player-status'), /saved/i);
  t.equal(await page.evaluate(() => Object.keys(localStorage).filter((name) => name.startsWith('cadet-player:commits:')).length), 0, 'the stored queue is cleared');

  // Down again, and the learner leaves: the beacons are lost too, but the queue stays on the device.
  harness.refuseCommits = true;
  await goNext(5);
  await page.goto(`${harness.appOrigin}/course`).catch(() => undefined);
  await page.waitForTimeout(300);
  const lastAccepted = Math.max(...harness.commitsFor(attempt).map((commit) => commit.sequence));
  t.equal(harness.commitsFor(attempt).length, afterOutage.length, 'nothing got through while down');

  // Next launch of the same attempt, online: the stored commits go first, then the new session's.
  harness.refuseCommits = false;
  await page.goto(harness.launch({ lastCommitSequence: lastAccepted, initialCmi: { 'cmi.core.student_id': 'learner-3', 'cmi.core.entry': 'resume', 'cmi.core.lesson_location': '4' } }));
  const replayed = await waitFor(() => harness.commitsFor(attempt).slice(afterOutage.length).find((commit) => commit.terminate), 'the replayed terminate commit');
  t.equal(flatten(replayed.body.runtimeData)['cmi.core.lesson_location'], '5', 'the replayed terminate commit has the bookmark of the closed page');
  t.equal(flatten(replayed.body.runtimeData)['cmi.core.exit'], 'suspend');
  sco = await frameWith(page, 'launchpage.html');
  await waitFor(() => sco.evaluate(() => (window as any).initialized === true).catch(() => false), 'the SCO to initialize again');
  await sco.click('#butNext');
  await waitFor(() => harness.commitsFor(attempt).some((commit) => commit.sequence > replayed.sequence), 'a commit of the new session');
  const all = harness.commitsFor(attempt).map((commit) => commit.sequence);
  t.same(all, all.map((_, index) => index + 1), 'across both pages: once each, in order, none missing');
});
