/**
 * Multi-SCO SCORM 1.2 (Rustici "minimum calls": one SCO per page, LMSInitialize on load,
 * LMSFinish on unload): previous/next/contents/exit end the SCO first, then ask navigateUrl for
 * the right unit; a refusal (409) is shown and leaves the learner where they are; a SCO that
 * finishes by itself is followed by the next unit.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../fixtures/browser.js';
import { extractFixture, flatten, frameWith, startHarness, waitFor, type Harness } from './player-harness.js';

async function scoReady(page: Page, fragment: string): Promise<void> {
  await frameWith(page, fragment);
  await waitFor(() => page.evaluate(() => (window as any).API?.isInitialized?.() === true).catch(() => false), `the SCO at ${fragment} to initialize`);
}

async function navigateAndLand(page: Page, harness: Harness, act: () => Promise<unknown>, fragment: string): Promise<void> {
  const count = harness.navigations.length;
  await act();
  await waitFor(() => harness.navigations.length > count, 'a navigate request');
  await waitFor(() => page.url().includes('/player/') && page.frames().some((frame) => frame.url().includes(fragment)), `the player for ${fragment}`);
  await scoReady(page, fragment);
}

t.test('SCORM 1.2 multi-SCO: previous, next, contents and exit', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm12', 'RuntimeMinimumCalls_SCORM12-mini.zip');
  const harness = await startHarness(t, pkg, 'scorm12');
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (error) => t.fail(`page error: ${error.message}`));

  await page.goto(harness.launch({ unit: 'playing_par_item', statuses: { playing_playing_item: 'completed' } }));
  await scoReady(page, 'Playing/Par.html');

  t.equal(await page.getAttribute('#player-toc-toggle', 'aria-expanded'), 'true', 'the contents are open on a wide screen');
  t.equal(await page.locator('#player-toc button[data-target]').count(), pkg.units.filter((unit) => unit.href).length, 'one button per launchable unit');
  t.equal(await page.locator('#player-toc .toc-group').count(), 2, 'clusters are labels, not buttons');
  t.equal(await page.getAttribute('#player-toc [aria-current="page"]', 'data-target'), 'playing_par_item', 'the current unit is marked');
  t.match(await page.textContent('#player-toc [data-target="playing_playing_item"] .toc-status'), 'completed', 'statuses are shown');

  // Next, from the keyboard.
  await navigateAndLand(page, harness, async () => {
    await page.focus('#player-next');
    await page.keyboard.press('Enter');
  }, 'Playing/Scoring.html');
  const next = harness.navigations.at(-1)!;
  t.same(next.body, { target: 'playing_scoring_item' }, 'Next asks for the following unit');
  t.equal(next.attempt, harness.attemptOf('playing_par_item'), 'with the current attempt');
  t.match(next.token, /^tok-/, 'and its token');
  const parCommits = harness.commitsFor(harness.attemptOf('playing_par_item'));
  t.ok(next.commitsBefore >= 1 && parCommits[next.commitsBefore - 1].terminate, 'the SCO was finished and its terminate commit acknowledged before navigating');
  t.equal(flatten(parCommits[next.commitsBefore - 1].body.runtimeData)['cmi.core.exit'], 'suspend', 'ended by the player: a suspend');

  await navigateAndLand(page, harness, () => page.click('#player-previous'), 'Playing/Par.html');
  t.same(harness.navigations.at(-1)!.body, { target: 'playing_par_item' }, 'Previous asks for the preceding unit');

  await navigateAndLand(page, harness, () => page.click('#player-toc [data-target="havingfun_makefriends_item"]'), 'HavingFun/MakeFriends.html');
  t.same(harness.navigations.at(-1)!.body, { target: 'havingfun_makefriends_item' }, 'a contents entry asks for that unit');

  // The SCO finishes by itself: the player moves on to the next unit.
  await navigateAndLand(page, harness, async () => {
    const sco = await frameWith(page, 'HavingFun/MakeFriends.html');
    await sco.evaluate(() => (window as any).ScormProcessFinish());
  }, 'shared/assessmenttemplate.html');
  t.same(harness.navigations.at(-1)!.body, { target: 'havingfun_quiz_item' }, 'after LMSFinish, the next unit in the contents');
  t.equal(await page.isDisabled('#player-next'), true, 'Next is disabled on the last unit');

  // The server refuses: the learner stays and is told why.
  harness.answerNavigation = () => ({ status: 409, body: { message: 'Finish "How to Play" first.' } });
  const refusedAt = harness.navigations.length;
  await page.click('#player-toc [data-target="playing_rules_item"]');
  await waitFor(() => harness.navigations.length > refusedAt, 'the refused navigate request');
  await waitFor(async () => /How to Play/.test((await page.textContent('#player-status')) ?? ''), 'the refusal message');
  t.match(await page.textContent('#player-status'), /cannot go there yet: Finish "How to Play" first\./);
  t.equal(await page.getAttribute('#player-status', 'role'), 'status', 'announced politely');
  t.equal(await page.isDisabled('#player-exit'), false, 'the controls work again');
  t.ok(page.url().includes('/player/'), 'still in the player');

  // Exit goes back to the course page without a navigate request.
  const before = harness.navigations.length;
  await Promise.all([page.waitForURL(`${harness.appOrigin}/course`), page.click('#player-exit')]);
  t.equal(harness.navigations.length, before, 'exit needs no navigate request');
});

t.test('on a phone the contents are a toggled overlay', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm12', 'RuntimeMinimumCalls_SCORM12-mini.zip');
  const harness = await startHarness(t, pkg, 'scorm12');
  const context = await browser.newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(harness.launch({ unit: 'playing_playing_item' }));
  await scoReady(page, 'Playing/Playing.html');
  t.equal(await page.getAttribute('#player-toc-toggle', 'aria-expanded'), 'false', 'closed at first');
  t.equal(await page.isVisible('#player-toc'), false);
  t.equal(await page.isDisabled('#player-previous'), true, 'no previous unit before the first');
  await page.click('#player-toc-toggle');
  t.equal(await page.getAttribute('#player-toc-toggle', 'aria-expanded'), 'true');
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-target')), 'playing_playing_item', 'focus moves to the current unit');
  await page.keyboard.press('Escape');
  t.equal(await page.isVisible('#player-toc'), false, 'Escape closes it');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'player-toc-toggle', 'and gives focus back');
  const frameBox = await page.locator('#player-frame').boundingBox();
  t.ok(frameBox && frameBox.width >= 370 && frameBox.height > 400, 'the SCO gets the screen');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  t.equal(overflow, false, 'no horizontal scrolling');
});

t.test('a SCO that never calls LMSFinish is ended by the player when the page goes away, as a suspend, by beacon', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const pkg = extractFixture(t, 'scorm12', 'RuntimeMinimumCalls_SCORM12-mini.zip');
  const harness = await startHarness(t, pkg, 'scorm12');
  const context = await browser.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(harness.launch({ unit: 'playing_rules_item' }));
  await scoReady(page, 'Playing/RulesOfGolf.html');
  const sco = await frameWith(page, 'Playing/RulesOfGolf.html');
  await sco.evaluate(() => {
    const scoWindow = window as any;
    scoWindow.onbeforeunload = null;
    scoWindow.onunload = null;
    scoWindow.API.LMSSetValue('cmi.core.lesson_location', 'p7');
  });
  await page.goto(`${harness.appOrigin}/course`);
  const terminate = await waitFor(() => harness.commitsFor(harness.attemptOf('playing_rules_item')).find((commit) => commit.terminate), 'the terminate commit');
  t.match(terminate.contentType, /^text\/plain/, 'sent as a beacon');
  t.equal(flatten(terminate.body.runtimeData)['cmi.core.exit'], 'suspend', 'as a suspend');
  t.equal(flatten(terminate.body.runtimeData)['cmi.core.lesson_location'], 'p7', 'with what the SCO had set');
  t.equal(harness.navigations.length, 0, 'leaving the page is not a navigation');
});
