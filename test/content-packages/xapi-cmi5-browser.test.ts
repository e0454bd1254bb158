import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { bundleContentPackages } from '../../content-packages/build.mjs';
import { launchBrowser } from '../fixtures/browser.js';
import { collectLogs, fakeLrs, servePackage } from './helpers.js';

/**
 * The xAPI and cmi5 demo courses in Chromium, launched as an LMS would launch them, talking to a
 * fake LRS on the same origin. Bundles are built into a temporary folder, so the test does not
 * depend on (or write) the generated files in the tree.
 */
const registration = '6f1c8e2a-5b3d-4c7e-9a1f-2d3e4f5a6b7c';
const actor = { objectType: 'Agent', name: 'Cadet Ada', account: { homePage: 'https://academy.example', name: 'u-42' } };

async function bundles(t: Test): Promise<Record<string, string>> {
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-bundles-'));
  t.teardown(() => fs.rmSync(outRoot, { recursive: true, force: true }));
  const built = await bundleContentPackages({ outRoot });
  return Object.fromEntries(built.map((b) => [`/pkg/${b.outfile}`, b.path, b.pkg]).map(([url, file, pkg]) => [`${pkg}:${url}`, file]));
}

function only(all: Record<string, string>, pkg: string): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${pkg}:`)).map(([k, v]) => [k.slice(pkg.length + 1), v]));
}

function verbs(statements: Record<string, unknown>[]): string[] {
  return statements.map((s) => String((s.verb as { id: string }).id).replace(/^.*\//, ''));
}

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

t.test('xAPI cybercrime course: statements, bookmark in the State API, resume', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const lrs = fakeLrs();
  const served = await servePackage(t, 'xapi-cybercrime-response', { hostPage: '', handle: lrs.handle, overrides: only(await bundles(t), 'xapi-cybercrime-response') });
  const activityId = 'https://cadet.dev/demo/xapi-cybercrime-response';
  const launchUrl = `${served.url}/pkg/index.html?` + new URLSearchParams({ endpoint: `${served.url}/xapi/`, auth: 'Basic Y2FkZXQ6c2VjcmV0', actor: JSON.stringify(actor), registration, activity_id: activityId }).toString();
  const tab: Page = await browser.newPage();
  collectLogs(t, tab);

  await tab.goto(launchUrl);
  await tab.getByRole('heading', { level: 1, name: 'Cybercrime first response' }).waitFor();
  await tab.getByRole('button', { name: 'Next' }).click();
  await tab.getByRole('heading', { level: 1, name: 'The digital scene' }).waitFor();
  await tab.getByRole('button', { name: 'Save and exit' }).click();
  await tab.getByRole('heading', { name: 'Your progress is saved' }).waitFor();
  await waitFor(() => verbs(lrs.statements).includes('terminated'), 'terminated');
  t.same(verbs(lrs.statements), ['initialized', 'experienced', 'experienced', 'terminated']);
  t.ok(lrs.auth.every((a) => a === 'Basic Y2FkZXQ6c2VjcmV0'), 'the launch auth on every request');
  t.ok(lrs.statements.every((s) => (s.context as { registration?: string } | undefined)?.registration === registration), 'every statement carries the registration');
  t.same(lrs.statements[0].actor, actor);
  const bookmark = JSON.parse(lrs.state.get(lrs.stateKey(activityId, registration, 'bookmark')) ?? 'null') as { page: string };
  t.equal(bookmark.page, 'digital-scene', 'bookmark saved in the State API');

  lrs.statements.length = 0;
  await tab.goto(launchUrl);
  await tab.getByRole('heading', { level: 1, name: 'The digital scene' }).waitFor();
  t.pass('a relaunch resumes on the bookmarked page');
  await tab.getByRole('button', { name: 'Next' }).click();
  await tab.getByRole('heading', { level: 1, name: 'Live devices and volatile data' }).waitFor();
  await tab.getByRole('button', { name: 'Next' }).click();
  await tab.getByRole('heading', { level: 1, name: 'Seizing and packaging devices' }).waitFor();
  await tab.getByRole('button', { name: 'Next' }).click();
  await tab.getByRole('heading', { level: 1, name: 'Knowledge check' }).waitFor();
  await tab.getByLabel('Isolate it from the networks').check();
  await tab.getByLabel('False', { exact: true }).check();
  await tab.getByLabel('Data held in a computer').fill('RAM');
  // From: hand-over, secure, package, record; to: secure, record, package, hand-over.
  await tab.getByRole('button', { name: 'Move down: Hand the devices over' }).click();
  await tab.getByRole('button', { name: 'Move down: Hand the devices over' }).click();
  await tab.getByRole('button', { name: 'Move down: Hand the devices over' }).click();
  await tab.getByRole('button', { name: 'Move up: Photograph and note' }).click();
  await tab.getByLabel('Smartphone, switched on').selectOption('faraday');
  await tab.getByLabel('Laptop, switched off').selectOption('leave-off');
  await tab.getByLabel('External hard drive').selectOption('anti-static');
  await tab.getByRole('button', { name: 'Submit answers' }).click();
  await tab.getByText('You answered 5 of 5 questions correctly. You passed.').waitFor();
  await waitFor(() => verbs(lrs.statements).includes('passed'), 'passed');
  t.same(verbs(lrs.statements), ['initialized', 'experienced', 'experienced', 'experienced', 'experienced', 'answered', 'answered', 'answered', 'answered', 'answered', 'completed', 'passed']);
  const answered = lrs.statements.filter((s) => verbs([s])[0] === 'answered') as { object: { id: string; definition: { interactionType: string; correctResponsesPattern: string[] } }; result: { response: string; success: boolean; duration: string } }[];
  t.same(answered.map((s) => [s.object.definition.interactionType, s.result.response, s.result.success]), [
    ['choice', 'isolate', true],
    ['true-false', 'false', true],
    ['fill-in', 'RAM', true],
    ['sequencing', 'secure[,]record[,]package[,]hand-over', true],
    ['matching', 'phone[.]faraday[,]laptop-off[.]leave-off[,]hard-drive[.]anti-static', true],
  ]);
  for (const s of answered) t.match(s.result.duration, /^PT/, `${s.object.id} has a duration`);
  const passed = lrs.statements.at(-1) as { result: { score: unknown; success: boolean } };
  t.same(passed.result.score, { scaled: 1, raw: 5, min: 0, max: 5 });

  await tab.goto('about:blank');
  await waitFor(() => verbs(lrs.statements).includes('terminated'), 'terminated on pagehide');
  t.pass('closing the page sends terminated');
  t.notOk(served.requests.some((p) => !p.startsWith('/pkg/') && !p.startsWith('/xapi/') && p !== '/favicon.ico'), 'nothing requested outside the package and the LRS');
});

t.test('cmi5 Interpol notices: launch sequence, lesson completed, test passed against masteryScore', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const lrs = fakeLrs();
  const served = await servePackage(t, 'cmi5-interpol-notices', { hostPage: '<!doctype html><html lang="en"><title>LMS</title><h1>Back in the LMS</h1></html>', handle: lrs.handle, overrides: only(await bundles(t), 'cmi5-interpol-notices') });
  const tab = await browser.newPage();
  collectLogs(t, tab);

  function launch(au: 'lesson' | 'test', launchData: Record<string, unknown>): string {
    const activityId = `https://cadet.dev/demo/cmi5-interpol-notices/au/${au}`;
    const contextTemplate = { contextActivities: { grouping: [{ id: activityId }] }, extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': `session-${au}` } };
    lrs.state.set(lrs.stateKey(activityId, registration, 'LMS.LaunchData'), JSON.stringify({ contextTemplate, launchMode: 'Normal', ...launchData }));
    return `${served.url}/pkg/${au}/index.html?` + new URLSearchParams({ endpoint: `${served.url}/xapi/`, fetch: `${served.url}/fetch`, actor: JSON.stringify(actor), registration, activityId }).toString();
  }

  await tab.goto(launch('lesson', { moveOn: 'Completed', returnURL: `${served.url}/` }));
  for (const title of ['Interpol notices', 'The colours of notices', 'Diffusions and the National Central Bureau', 'When you get a hit']) {
    if (title !== 'Interpol notices') await tab.getByRole('button', { name: 'Next' }).click();
    await tab.getByRole('heading', { level: 1, name: title }).waitFor();
  }
  await waitFor(() => verbs(lrs.statements).includes('completed'), 'completed');
  await tab.getByRole('button', { name: 'Exit' }).click();
  await tab.getByRole('heading', { name: 'Back in the LMS' }).waitFor();
  t.pass('exit returns to the returnURL');
  t.same(verbs(lrs.statements), ['initialized', 'progressed', 'progressed', 'progressed', 'completed', 'terminated']);
  t.ok(lrs.auth.every((a) => a === 'Basic dGVzdDp0b2tlbg=='), 'the fetched auth token on every LRS request');
  for (const s of lrs.statements) {
    t.match(s, { actor, object: { id: 'https://cadet.dev/demo/cmi5-interpol-notices/au/lesson' }, context: { registration, extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': 'session-lesson' } } });
  }

  lrs.statements.length = 0;
  await tab.goto(launch('test', { moveOn: 'Passed', masteryScore: 0.8 }));
  await tab.locator('main[data-ready="true"]').waitFor();
  await tab.getByLabel('Yellow Notice').check();
  await tab.getByLabel('False', { exact: true }).check();
  await tab.getByLabel('Black Notice').selectOption('unidentified-bodies');
  await tab.getByLabel('Purple Notice').selectOption('modus-operandi');
  await tab.getByLabel('Orange Notice').selectOption('imminent-threat');
  await tab.getByLabel('point of contact').fill('Bureau');
  await tab.getByLabel('Contact the National Central Bureau').check();
  await tab.getByRole('button', { name: 'Submit answers' }).click();
  await tab.getByText('You answered 5 of 5 questions correctly (100%). You passed.').waitFor();
  await waitFor(() => verbs(lrs.statements).includes('passed'), 'passed');
  await tab.getByRole('button', { name: 'Exit' }).click();
  await waitFor(() => verbs(lrs.statements).includes('terminated'), 'terminated');
  t.same(verbs(lrs.statements), ['initialized', 'answered', 'answered', 'answered', 'answered', 'answered', 'completed', 'passed', 'terminated']);
  const answered = lrs.statements.filter((s) => verbs([s])[0] === 'answered') as { object: { id: string; definition: { interactionType: string } }; result: { response: string; success: boolean }; context: { extensions: Record<string, string> } }[];
  t.same(answered.map((s) => [s.object.definition.interactionType, s.result.response, s.result.success]), [
    ['choice', 'yellow', true],
    ['true-false', 'false', true],
    ['matching', 'black[.]unidentified-bodies[,]purple[.]modus-operandi[,]orange[.]imminent-threat', true],
    ['fill-in', 'Bureau', true],
    ['choice', 'confirm-with-ncb', true],
  ]);
  t.ok(answered.every((s) => s.context.extensions['https://w3id.org/xapi/cmi5/context/extensions/sessionid'] === 'session-test'), 'answers are in the cmi5 session (context template)');
  t.match(answered[0].object.id, /^https:\/\/cadet\.dev\/demo\/cmi5-interpol-notices\/au\/test\/test\/knowledge-check\/question\/q1-missing-child$/);
  const passed = lrs.statements.find((s) => verbs([s])[0] === 'passed') as { result: { score: unknown; success: boolean }; context: { extensions: Record<string, unknown>; contextActivities: { category: { id: string }[] } } };
  t.same(passed.result.score, { scaled: 1, raw: 5, min: 0, max: 5 });
  t.equal(passed.context.extensions['https://w3id.org/xapi/cmi5/context/extensions/masteryscore'], 0.8, 'masteryScore from LaunchData');
  t.ok(passed.context.contextActivities.category.some((c) => c.id === 'https://w3id.org/xapi/cmi5/context/categories/moveon'), 'moveOn category');
});

t.test('cmi5 test AU: below masteryScore sends failed; the keepalive terminated on pagehide', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const lrs = fakeLrs();
  const served = await servePackage(t, 'cmi5-interpol-notices', { hostPage: '', handle: lrs.handle, overrides: only(await bundles(t), 'cmi5-interpol-notices') });
  const tab = await browser.newPage();
  collectLogs(t, tab);
  const activityId = 'https://cadet.dev/demo/cmi5-interpol-notices/au/test';
  lrs.state.set(lrs.stateKey(activityId, registration, 'LMS.LaunchData'), JSON.stringify({ contextTemplate: { extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': 's' } }, launchMode: 'Normal', moveOn: 'Passed', masteryScore: 0.8 }));
  await tab.goto(`${served.url}/pkg/test/index.html?` + new URLSearchParams({ endpoint: `${served.url}/xapi/`, fetch: `${served.url}/fetch`, actor: JSON.stringify(actor), registration, activityId }).toString());
  await tab.locator('main[data-ready="true"]').waitFor();
  await tab.getByLabel('Red Notice').check();
  await tab.getByLabel('True', { exact: true }).check();
  await tab.getByLabel('Black Notice').selectOption('unidentified-bodies');
  await tab.getByLabel('Purple Notice').selectOption('modus-operandi');
  await tab.getByLabel('Orange Notice').selectOption('imminent-threat');
  await tab.getByLabel('point of contact').fill('bureau');
  await tab.getByLabel('Contact the National Central Bureau').check();
  await tab.getByRole('button', { name: 'Submit answers' }).click();
  await tab.getByText('You answered 3 of 5 questions correctly (60%). The pass mark is 80%.', { exact: false }).waitFor();
  await waitFor(() => verbs(lrs.statements).includes('failed'), 'failed');
  await tab.goto('about:blank');
  await waitFor(() => verbs(lrs.statements).includes('terminated'), 'terminated');
  t.same(verbs(lrs.statements), ['initialized', 'answered', 'answered', 'answered', 'answered', 'answered', 'completed', 'failed', 'terminated']);
  const failed = lrs.statements.find((s) => verbs([s])[0] === 'failed') as { result: { score: unknown; success: boolean } };
  t.same(failed.result, { ...failed.result, score: { scaled: 0.6, raw: 3, min: 0, max: 5 }, success: false });
  const terminated = lrs.statements.at(-1) as { context: { registration: string; contextActivities: { category: { id: string }[] } }; result: { duration: string } };
  t.equal(terminated.context.registration, registration);
  t.ok(terminated.context.contextActivities.category.some((c) => c.id === 'https://w3id.org/xapi/cmi5/context/categories/cmi5'), 'cmi5 category on the keepalive terminated');
  t.match(terminated.result.duration, /^PT/);
});
