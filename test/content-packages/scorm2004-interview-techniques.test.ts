import t from 'tap';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../fixtures/browser.js';
import { collectLogs, servePackage } from './helpers.js';

/**
 * The SCORM 2004 demo course's two SCOs in Chromium, under scorm-again's Scorm2004API as a
 * stand-in LMS (no commit URL, one API per SCO launch as an LMS does): the lesson's bookmark,
 * resume, progress and completion, then the test's interactions, score and success.
 */
const hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in LMS</title>
<link rel="icon" href="data:,"><script src="/lms/scorm2004.min.js"></script></head><body>
<iframe id="sco" title="Course" style="width:1000px;height:900px"></iframe>
<script>
window.launch = function (src, initial) {
  window.calls = [];
  window.API_1484_11 = new Scorm2004API({ logLevel: 5, autocommit: false });
  if (initial) window.API_1484_11.loadFromJSON(initial);
  ['Initialize', 'Commit', 'Terminate'].forEach(function (name) {
    window.API_1484_11.on(name, function () { window.calls.push([name]); });
  });
  window.API_1484_11.on('SetValue.cmi.*', function (element, value) { window.calls.push(['set', element, value]); });
  window.API_1484_11.on('SetValue.adl.nav.request', function (element, value) { window.calls.push(['set', element, value]); });
  document.getElementById('sco').src = src;
};
window.snapshot = function () {
  return { cmi: JSON.parse(JSON.stringify(window.API_1484_11.cmi)), calls: window.calls };
};
</script></body></html>`;

interface Interaction {
  id: string;
  type: string;
  description: string;
  learner_response: string;
  result: string;
  latency: string;
  timestamp: string;
  correct_responses: Record<string, { pattern: string }>;
}

interface Snapshot {
  cmi: {
    location: string;
    suspend_data: string;
    completion_status: string;
    success_status: string;
    progress_measure: string;
    score: { raw: string; min: string; max: string; scaled: string };
    interactions: Record<string, Interaction>;
  };
  calls: [string, string?, string?][];
}

function lastSet(snap: Snapshot, element: string): string | undefined {
  const sets = snap.calls.filter((c) => c[0] === 'set' && c[1] === element);
  return sets.length > 0 ? sets[sets.length - 1][2] : undefined;
}

async function launch(tab: Page, src: string, initial: unknown): Promise<FrameLocator> {
  await tab.evaluate(([s, init]) => (window as unknown as { launch: (s: unknown, i: unknown) => void }).launch(s, init), [src, initial] as const);
  const sco = tab.frameLocator('#sco');
  await sco.locator('main:not([aria-busy="true"]) h1').first().waitFor();
  return sco;
}

async function terminated(tab: Page): Promise<Snapshot> {
  await tab.waitForFunction(() => (window as unknown as { calls: string[][] }).calls.some((c) => c[0] === 'Terminate'));
  return tab.evaluate(() => (window as unknown as { snapshot: () => Snapshot }).snapshot());
}

async function next(sco: FrameLocator, title: string): Promise<void> {
  await sco.getByRole('button', { name: 'Next' }).click();
  await sco.getByRole('heading', { level: 1, name: title }).waitFor();
}

const ISO_DURATION = /^PT(\d+H)?(\d+M)?\d+(\.\d+)?S$/;

t.test('SCORM 2004 interview techniques: the lesson SCO', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const served = await servePackage(t, 'scorm2004-interview-techniques', { hostPage });
  const tab = await browser.newPage();
  collectLogs(t, tab);
  await tab.goto(served.url + '/');

  let sco = await launch(tab, '/pkg/lesson/index.html', null);
  t.equal(await sco.locator('main h1').textContent(), 'Interview techniques', 'a new attempt opens on the first page');
  await next(sco, 'Planning and preparation');
  await next(sco, 'Engage and explain');
  await tab.evaluate(() => {
    (document.getElementById('sco') as HTMLIFrameElement).src = 'about:blank';
  });
  let snap = await terminated(tab);
  t.equal(snap.cmi.location, 'engage', 'cmi.location is the page left');
  t.equal(snap.cmi.completion_status, 'incomplete');
  t.equal(snap.cmi.progress_measure, '0.6', 'three of five pages seen');
  t.equal(lastSet(snap, 'cmi.exit'), 'suspend', 'leaving mid-way suspends');
  t.match(lastSet(snap, 'cmi.session_time'), ISO_DURATION, 'session_time is an ISO 8601 duration');
  t.equal(lastSet(snap, 'adl.nav.request'), undefined, 'closing the window makes no navigation request');

  sco = await launch(tab, '/pkg/lesson/index.html', {
    entry: 'resume',
    location: snap.cmi.location,
    suspend_data: snap.cmi.suspend_data,
    completion_status: 'incomplete',
  });
  t.equal(await sco.locator('main h1').textContent(), 'Engage and explain', 'resumes where the learner left');
  await next(sco, 'Account, closure and evaluation');
  await next(sco, 'Summary');
  await sco.getByRole('button', { name: 'Continue to the test' }).click();
  snap = await terminated(tab);
  t.equal(snap.cmi.completion_status, 'completed', 'all pages seen: completed');
  t.equal(snap.cmi.success_status, 'passed', 'the lesson objective (read by the test precondition) is satisfied');
  t.equal(snap.cmi.progress_measure, '1');
  t.equal(lastSet(snap, 'cmi.exit'), 'normal');
  t.equal(lastSet(snap, 'adl.nav.request'), 'continue', 'asks the LMS for the next activity, the test');
});

async function answerTest(sco: FrameLocator, right: boolean): Promise<void> {
  await sco.getByLabel('Tell me everything you remember').check();
  await sco.getByLabel('Reviewing the evidence').check();
  await sco.getByLabel('Deciding the order of the topics').check();
  await sco.getByLabel(right ? 'Checking whether an interpreter' : 'Deciding whether the interviewee is guilty').check();
  await sco.getByLabel('False', { exact: true }).check();
  await sco.getByLabel('In the PEACE model').fill(right ? 'account' : 'Assess');
  // From: account, plan, evaluate, engage, closure; to: plan, engage, account, closure, evaluate.
  await sco.getByRole('button', { name: 'Move up: Planning and preparation' }).click();
  await sco.getByRole('button', { name: 'Move up: Engage and explain' }).click();
  await sco.getByRole('button', { name: 'Move up: Engage and explain' }).click();
  await sco.getByRole('button', { name: 'Move down: Evaluate' }).click();
  await sco.getByLabel('4 – Confident').check();
  await sco.getByRole('button', { name: 'Submit answers' }).click();
  await sco.locator('#results-summary').waitFor();
}

t.test('SCORM 2004 interview techniques: the test SCO', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const served = await servePackage(t, 'scorm2004-interview-techniques', { hostPage });
  const tab = await browser.newPage();
  collectLogs(t, tab);
  await tab.goto(served.url + '/');

  // An LMS passes the test's minNormalizedMeasure as cmi.scaled_passing_score.
  let sco = await launch(tab, '/pkg/test/index.html', { scaled_passing_score: '0.8' });
  await sco.getByLabel('Tell me everything you remember').check();
  await sco.getByRole('button', { name: 'Save and exit' }).click();
  let snap = await terminated(tab);
  t.equal(lastSet(snap, 'adl.nav.request'), 'suspendAll', 'save and exit suspends the course');
  t.equal(lastSet(snap, 'cmi.exit'), 'suspend');

  sco = await launch(tab, '/pkg/test/index.html', {
    entry: 'resume',
    scaled_passing_score: '0.8',
    location: snap.cmi.location,
    suspend_data: snap.cmi.suspend_data,
    completion_status: 'incomplete',
  });
  t.ok(await sco.getByLabel('Tell me everything you remember').isChecked(), 'the draft answer is back after resume');
  await answerTest(sco, true);
  t.match(await sco.locator('#results-summary').textContent(), /5 of 5 scored questions correctly \(100%\)\. You passed\./);
  await sco.getByRole('button', { name: 'Finish the course' }).click();
  snap = await terminated(tab);
  t.equal(snap.cmi.success_status, 'passed');
  t.equal(snap.cmi.completion_status, 'completed');
  t.same(snap.cmi.score, { raw: '5', min: '0', max: '5', scaled: '1' }, 'score raw/min/max/scaled');
  t.equal(lastSet(snap, 'adl.nav.request'), 'exitAll', 'finishing ends the course');
  t.equal(lastSet(snap, 'cmi.exit'), 'normal');
  t.match(lastSet(snap, 'cmi.session_time'), ISO_DURATION);
  const interactions = Object.values(snap.cmi.interactions);
  t.same(
    interactions.map((i) => [i.id, i.type, i.correct_responses['0']?.pattern, i.learner_response, i.result]),
    [
      ['q1-open-question', 'choice', 'b', 'b', 'correct'],
      ['q2-planning-tasks', 'choice', 'a[,]b[,]d', 'a[,]b[,]d', 'correct'],
      ['q3-leading-questions', 'true-false', 'false', 'false', 'correct'],
      ['q4-peace-a', 'fill-in', '{case_matters=false}Account', 'account', 'correct'],
      ['q5-peace-order', 'sequencing', 'plan[,]engage[,]account[,]closure[,]evaluate', 'plan[,]engage[,]account[,]closure[,]evaluate', 'correct'],
      ['q6-planning-confidence', 'likert', undefined, 'likert_4', 'neutral'],
    ],
    'interactions: id, type, correct response, learner response, result',
  );
  for (const i of interactions) {
    t.ok(i.description.length > 0, `${i.id} has a description`);
    t.match(i.latency, ISO_DURATION, `${i.id} latency`);
    t.match(i.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, `${i.id} timestamp`);
  }

  // A failing attempt: 3 of 5 is below the passing score.
  sco = await launch(tab, '/pkg/test/index.html', { scaled_passing_score: '0.8' });
  await answerTest(sco, false);
  t.match(await sco.locator('#results-summary').textContent(), /3 of 5 .*The pass mark is 80%\./);
  t.ok(await sco.getByRole('button', { name: 'Try the test again' }).isVisible());
  await sco.getByRole('button', { name: 'Back to the lesson' }).click();
  snap = await terminated(tab);
  t.equal(snap.cmi.success_status, 'failed');
  t.equal(snap.cmi.score.scaled, '0.6');
  t.equal(lastSet(snap, 'adl.nav.request'), 'previous', 'back to the lesson asks for the previous activity');
  t.equal(lastSet(snap, 'cmi.exit'), 'suspend', 'a failed test stays open');
  t.notOk(served.requests.some((p) => !p.startsWith('/pkg/') && !p.startsWith('/lms/') && p !== '/'), 'nothing requested outside the package');
});
