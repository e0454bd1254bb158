import t from 'tap';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../fixtures/browser.js';
import { collectLogs, servePackage } from './helpers.js';

/**
 * The SCORM 1.2 demo course in Chromium, under scorm-again's Scorm12API as a stand-in LMS
 * (no commit URL): pages, bookmark and resume, the quiz's interactions, score and status.
 */
const hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in LMS</title>
<link rel="icon" href="data:,"><script src="/lms/scorm12.min.js"></script></head><body>
<iframe id="sco" title="Course" style="width:1000px;height:800px"></iframe>
<script>
window.calls = [];
window.launch = function (initial) {
  window.calls = [];
  window.API = new Scorm12API({ logLevel: 5, autocommit: false });
  if (initial) window.API.loadFromJSON(initial);
  ['LMSInitialize', 'LMSCommit', 'LMSFinish'].forEach(function (name) {
    window.API.on(name, function () { window.calls.push([name]); });
  });
  window.API.on('LMSSetValue.cmi.*', function (element, value) { window.calls.push(['set', element, value]); });
  document.getElementById('sco').src = '/pkg/index.html';
};
window.snapshot = function () {
  var cmi = JSON.parse(JSON.stringify(window.API.cmi));
  return { cmi: cmi, calls: window.calls, finished: window.calls.some(function (c) { return c[0] === 'LMSFinish'; }) };
};
</script></body></html>`;

interface Interaction {
  id: string;
  type: string;
  student_response: string;
  result: string;
  latency: string;
  time: string;
  correct_responses: Record<string, { pattern: string }>;
}

interface Snapshot {
  cmi: {
    core: { lesson_location: string; lesson_status: string; score: { raw: string; min: string; max: string } };
    suspend_data: string;
    interactions: Record<string, Interaction>;
  };
  calls: [string, string?, string?][];
  finished: boolean;
}

async function snapshot(tab: Page): Promise<Snapshot> {
  return tab.evaluate(() => (window as unknown as { snapshot: () => Snapshot }).snapshot());
}

/** The last value the SCO set for an element. */
function lastSet(snap: Snapshot, element: string): string | undefined {
  const sets = snap.calls.filter((c) => c[0] === 'set' && c[1] === element);
  return sets.length > 0 ? sets[sets.length - 1][2] : undefined;
}

async function launch(tab: Page, initial: unknown): Promise<FrameLocator> {
  await tab.evaluate((init) => (window as unknown as { launch: (i: unknown) => void }).launch(init), initial);
  const sco = tab.frameLocator('#sco');
  await sco.locator('main[aria-busy="false"] h1').waitFor();
  return sco;
}

async function heading(sco: FrameLocator): Promise<string> {
  await sco.locator('main[aria-busy="false"] h1').waitFor();
  return (await sco.locator('main h1').textContent()) ?? '';
}

async function next(sco: FrameLocator, title: string): Promise<void> {
  await sco.getByRole('button', { name: 'Next' }).click();
  await sco.getByRole('heading', { level: 1, name: title }).waitFor();
}

async function answer(sco: FrameLocator, answers: { q1: string; q2: string; q3: string; q4: [string, string, string]; q5: string }): Promise<void> {
  await sco.getByLabel(answers.q1).check();
  await sco.getByLabel(answers.q2, { exact: true }).check();
  await sco.getByLabel('The record of every person').fill(answers.q3);
  await sco.getByLabel('Mobile phone').selectOption({ label: answers.q4[0] });
  await sco.getByLabel('Broken glass').selectOption({ label: answers.q4[1] });
  await sco.getByLabel('Dried blood swab').selectOption({ label: answers.q4[2] });
  await sco.getByLabel('How many minutes').fill(answers.q5);
  await sco.getByRole('button', { name: 'Submit answers' }).click();
  await sco.locator('#results-summary').waitFor();
}

const RIGHT = { q1: 'A paper bag, after the shirt has air-dried', q2: 'False', q3: 'Custody', q4: ['Faraday bag', 'Rigid box', 'Paper envelope'] as [string, string, string], q5: '150' };

async function waitForFinish(tab: Page): Promise<Snapshot> {
  await tab.waitForFunction(() => (window as unknown as { calls: string[][] }).calls.some((c) => c[0] === 'LMSFinish'));
  return snapshot(tab);
}

t.test('SCORM 1.2 evidence handling course under scorm-again', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const served = await servePackage(t, 'scorm12-evidence-handling', { hostPage });
  const tab = await browser.newPage();
  collectLogs(t, tab);
  await tab.goto(served.url + '/');

  // First launch: read two pages, then the window goes away mid-way.
  let sco = await launch(tab, { student_data: { mastery_score: '80' } });
  t.equal(await heading(sco), 'Evidence handling basics', 'opens on the first page');
  await next(sco, 'Protecting the scene');
  await next(sco, 'Collecting and packaging');
  await tab.evaluate(() => {
    (document.getElementById('sco') as HTMLIFrameElement).src = 'about:blank';
  });
  let snap = await waitForFinish(tab);
  t.equal(snap.cmi.core.lesson_location, 'packaging', 'bookmark: lesson_location is the page left');
  t.equal(snap.cmi.core.lesson_status, 'incomplete', 'incomplete until the quiz is passed');
  t.equal(lastSet(snap, 'cmi.core.exit'), 'suspend', 'leaving mid-way suspends');
  t.match(lastSet(snap, 'cmi.core.session_time'), /^\d{4}:\d{2}:\d{2}\.\d{2}$/, 'session_time is a CMITimespan');
  const suspendData = snap.cmi.suspend_data;
  t.same(JSON.parse(suspendData).seen, ['welcome', 'scene', 'packaging'], 'suspend_data holds the pages seen');

  // Relaunch with what the LMS kept: the course resumes on the same page.
  sco = await launch(tab, {
    core: { lesson_location: snap.cmi.core.lesson_location, lesson_status: 'incomplete', entry: 'resume' },
    suspend_data: suspendData,
    student_data: { mastery_score: '80' },
  });
  t.equal(await heading(sco), 'Collecting and packaging', 'resumes where the learner left');
  await next(sco, 'Chain of custody');
  await next(sco, 'Knowledge check');
  await sco.getByRole('button', { name: 'Submit answers' }).click();
  t.match(await sco.getByRole('alert').textContent(), /answer question 1/, 'an unanswered question is pointed out');
  await answer(sco, RIGHT);
  t.match(await sco.locator('#results-summary').textContent(), /You scored 100%\. You passed\./);
  await sco.getByRole('button', { name: 'Save and exit' }).click();
  snap = await waitForFinish(tab);

  t.equal(snap.cmi.core.lesson_status, 'passed');
  t.same(snap.cmi.core.score, { raw: '100', min: '0', max: '100' }, 'score raw/min/max');
  t.equal(lastSet(snap, 'cmi.core.exit'), '', 'a passed course exits normally');
  t.match(lastSet(snap, 'cmi.core.session_time'), /^\d{4}:\d{2}:\d{2}\.\d{2}$/);
  // What scorm-again stored (SCORM 1.2 interactions are write-only to the SCO, not to the LMS).
  const interactions = Object.values(snap.cmi.interactions) as Interaction[];
  t.same(
    interactions.map((i) => [i.id, i.type, i.correct_responses['0']?.pattern, i.student_response, i.result]),
    [
      ['q1-damp-clothing', 'choice', 'b', 'b', 'correct'],
      ['q2-reopen-seal', 'true-false', 'f', 'f', 'correct'],
      ['q3-chain-of', 'fill-in', 'custody', 'Custody', 'correct'],
      ['q4-packaging-match', 'matching', '1.a,2.b,3.c', '1.a,2.b,3.c', 'correct'],
      ['q5-minutes-in-transit', 'numeric', '150', '150', 'correct'],
    ],
    'one interaction per question: id, type, correct response, response, result',
  );
  for (const i of interactions) {
    t.match(i.latency, /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/, `${i.id} latency`);
    t.match(i.time, /^\d{2}:\d{2}:\d{2}$/, `${i.id} time`);
  }
  t.notOk(snap.calls.some((c) => c[0] === 'set' && c[1] === 'cmi.core.lesson_status' && c[2] === 'completed'), 'with a mastery score, never just "completed"');
  t.notOk(served.requests.some((p) => !p.startsWith('/pkg/') && !p.startsWith('/lms/') && p !== '/'), 'nothing requested outside the package');
});

t.test('SCORM 1.2 course: below the mastery score fails and offers a retry; without one it completes', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const served = await servePackage(t, 'scorm12-evidence-handling', { hostPage });
  const tab = await browser.newPage();
  collectLogs(t, tab);
  await tab.goto(served.url + '/');

  let sco = await launch(tab, { core: { lesson_location: 'quiz' }, student_data: { mastery_score: '80' } });
  await answer(sco, { ...RIGHT, q1: 'A sealed plastic bag', q5: '130' });
  t.match(await sco.locator('#results-summary').textContent(), /You scored 60%\. You did not reach the pass mark of 80%/);
  t.ok(await sco.getByRole('button', { name: 'Try the questions again' }).isVisible(), 'a failed learner may try again');
  await sco.getByRole('button', { name: 'Save and exit' }).click();
  let snap = await waitForFinish(tab);
  t.equal(snap.cmi.core.lesson_status, 'failed');
  t.equal(snap.cmi.core.score.raw, '60');
  t.equal(lastSet(snap, 'cmi.core.exit'), 'suspend', 'a failed attempt stays open for another try');

  sco = await launch(tab, { core: { lesson_location: 'quiz' } });
  await answer(sco, { ...RIGHT, q3: 'evidence' });
  await sco.getByRole('button', { name: 'Save and exit' }).click();
  snap = await waitForFinish(tab);
  t.equal(snap.cmi.core.lesson_status, 'completed', 'no mastery score from the LMS: the SCO reports completion and lets the LMS judge the score');
  t.equal(snap.cmi.core.score.raw, '80');
});

