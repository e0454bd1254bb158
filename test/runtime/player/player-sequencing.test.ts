/**
 * SCORM 2004 with sequencing (Rustici "forced sequential", one SCO per topic): scorm-again gets
 * the importer's `sequencing` setting with its current activity set to the launched unit, and the
 * navigation request the SCO or the learner makes is passed to navigateUrl, whose answer decides.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Page } from 'playwright-core';
import { inspectPackage, toScormAgainSequencing } from '../../../src/packages/index.js';
import { launchBrowser } from '../../fixtures/browser.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';
import { extractFixture, frameWith, startHarness, waitFor, type Harness } from './player-harness.js';

async function scoReady(page: Page, fragment: string): Promise<void> {
  await frameWith(page, fragment);
  await waitFor(() => page.evaluate(() => (window as any).API_1484_11?.isInitialized?.() === true).catch(() => false), `the SCO at ${fragment} to initialize`);
}

t.test('SCORM 2004 sequenced course: continue, previous and choice go to navigateUrl as requests', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const zip = sharedFixture('scorm2004', 'SequencingForcedSequential_SCORM20043rdEdition.zip');
  const inspectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-player-inspect-'));
  t.teardown(() => fs.rmSync(inspectDir, { recursive: true, force: true }));
  const inspected = await inspectPackage({ zipPath: zip }, path.join(inspectDir, 'package'));
  if (!inspected.ok) throw new Error(JSON.stringify(inspected.errors));
  const sequencing = toScormAgainSequencing(inspected.model);
  t.ok(sequencing, 'the importer builds a sequencing setting');

  const pkg = extractFixture(t, 'scorm2004', 'SequencingForcedSequential_SCORM20043rdEdition.zip');
  const harness: Harness = await startHarness(t, pkg, 'scorm2004');
  const launchSequenced = (unit: string) => harness.launch({ unit, sequencing });
  harness.answerNavigation = (body, attempt) => {
    if (body.check) return { status: 200, body: { allowed: true } };
    const launchable = pkg.units.filter((unit) => unit.href);
    const from = launchable.findIndex((unit) => harness.attemptOf(unit.identifier) === attempt);
    const target = body.target ?? (body.request === 'continue' ? launchable[from + 1] : launchable[from - 1])?.identifier;
    return target ? { status: 200, body: { url: launchSequenced(target) } } : { status: 409, body: { message: 'no' } };
  };
  const context = await browser.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (error) => t.fail(`page error: ${error.message}`));
  page.on('dialog', (dialog) => void dialog.accept());

  await page.goto(launchSequenced('etuqiette_item'));
  await scoReady(page, 'content=etiquette');
  t.equal(
    await page.evaluate(() => (window as any).API_1484_11.adl.sequencing.getCurrentActivity()?.id),
    'etuqiette_item',
    "scorm-again's current activity is the launched unit, not the first leaf"
  );
  t.ok(await page.evaluate(() => (window as any).API_1484_11.getSequencingService() !== null), 'the sequencing service is configured');

  // The SCO asks to continue.
  const sco = await frameWith(page, 'content=etiquette');
  await sco.evaluate(() => {
    (window as any).ScormProcessSetValue('adl.nav.request', 'continue');
    (window as any).ScormProcessTerminate();
  });
  await waitFor(() => harness.navigations.length === 1, 'the navigate request');
  t.same(harness.navigations[0].body, { request: 'continue' }, 'adl.nav.request=continue → {"request":"continue"}');
  const terminate = harness.commitsFor(harness.attemptOf('etuqiette_item')).find((commit) => commit.terminate);
  t.equal(terminate?.body.navRequest, 'continue', 'the terminate commit names the request');
  t.ok(harness.navigations[0].commitsBefore >= 1, 'after the terminate commit was acknowledged');
  await scoReady(page, 'content=handicapping');

  // The learner clicks Previous: the player asks first, with the SCO still running, then ends it and navigates.
  await page.click('#player-previous');
  await waitFor(() => harness.navigations.length === 3, 'the check and the navigate request');
  t.same(harness.navigations[1].body, { request: 'previous', check: true }, 'asked before the SCO is ended');
  t.same(harness.navigations[2].body, { request: 'previous' });
  await scoReady(page, 'content=etiquette');

  // The SCO makes a choice request.
  const again = await frameWith(page, 'content=etiquette');
  await again.evaluate(() => {
    (window as any).ScormProcessSetValue('adl.nav.request', '{target=assessment_item}choice');
    (window as any).ScormProcessTerminate();
  });
  await waitFor(() => harness.navigations.length === 4, 'the choice navigate request');
  t.same(harness.navigations[3].body, { target: 'assessment_item' }, '{target=…}choice → {"target":…} (the SCO asked: no check, it has ended)');
  await scoReady(page, 'content=assessment');

  // A refused request leaves the SCO running, with the reason shown.
  harness.answerNavigation = (body) => (body.check ? { status: 409, body: { message: 'the test must be passed first' } } : { status: 500, body: {} });
  await page.click('#player-previous');
  await waitFor(() => harness.navigations.length === 5, 'the check');
  await page.locator('#player-status[data-kind="error"]').waitFor();
  t.match(await page.locator('#player-status').textContent(), /You cannot go there yet: the test must be passed first/, 'the refusal is shown');
  t.equal(await page.evaluate(() => (window as any).API_1484_11.isTerminated()), false, 'the SCO was not ended');
  await scoReady(page, 'content=assessment');
  t.equal(await page.locator('#player-previous').isDisabled(), false, 'the controls are usable again');
  t.equal(harness.navigations.length, 5, 'nothing else was asked');
});
