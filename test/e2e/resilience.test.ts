import t from 'tap';
import {
  addLearner,
  launch,
  launchBrowser,
  signIn,
  startE2eServer,
  statementsOf,
  statementsUntil,
  verbsOf,
  waitFor,
  type Statement,
} from './helpers.js';

/**
 * The network drops during a SCORM session (DESIGN.md "Runtime flow": commits are queued, idempotent and never
 * lost): first the app becomes unreachable while the content still loads (the commit URL fails, as behind a
 * broken proxy), then the browser goes offline altogether while the learner answers the quiz. When the network
 * comes back the queue drains and the LRS ends with every interaction, once each.
 */
t.setTimeout(100_000);

const only = (statements: Statement[], verb: string) => statements.filter((s) => s.verb.id.endsWith(`/${verb}`));

t.test('SCORM 1.2 demo course with a real server', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const e2e = await startE2eServer(t);

t.test('commits survive a dropped network', async (t) => {
  const learner = await addLearner(e2e, 'Offline Learner');
  const session = await signIn(t, browser, e2e, learner);
  const { page, context } = session;
  const launched = await launch(session, e2e, 'scorm12-evidence-handling');
  const sco = page.frameLocator('#player-frame');
  const pending = () => page.evaluate(() => (window as any).cadetPlayer?.pendingCommits() as number ?? -1).catch(() => -1); // -1 while the player (re)loads
  const next = async (title: string) => {
    await sco.getByRole('button', { name: 'Next' }).click();
    await sco.getByRole('heading', { level: 1, name: title }).waitFor();
  };

  await sco.getByRole('heading', { level: 1, name: 'Evidence handling basics' }).waitFor();
  await next('Protecting the scene');
  await waitFor(async () => (await pending()) === 0 && verbsOf(await statementsOf(e2e, launched.registration)).includes('initialized'), 'the first commits');

  // 1. The app cannot be reached (every commit fails at the network level); the content origin still answers.
  let refused = 0;
  const commitUrl = `${e2e.appUrl}/api/runtime/commit**`;
  await context.route(commitUrl, async (route) => {
    refused += 1;
    await route.abort('connectionrefused');
  });
  await next('Collecting and packaging');
  await next('Chain of custody');
  await next('Knowledge check');
  await waitFor(() => refused > 0, 'a refused commit');
  t.ok((await pending()) >= 1, 'commits wait in the queue while the app is unreachable');
  t.match(await page.locator('#player-status').textContent(), /offline/i, 'the learner is told their progress is kept');

  // 2. The browser goes offline altogether while the learner answers and submits.
  await context.setOffline(true);
  await sco.getByLabel('A paper bag, after the shirt has air-dried').check();
  await sco.getByLabel('False', { exact: true }).check();
  await sco.getByLabel('The record of every person').fill('Custody');
  await sco.getByLabel('Mobile phone').selectOption({ label: 'Faraday bag' });
  await sco.getByLabel('Broken glass').selectOption({ label: 'Rigid box' });
  await sco.getByLabel('Dried blood swab').selectOption({ label: 'Paper envelope' });
  await sco.getByLabel('How many minutes').fill('150');
  await sco.getByRole('button', { name: 'Submit answers' }).click();
  t.match(await sco.locator('#results-summary').textContent(), /You scored 100%\. You passed\./);
  const queued = await pending();
  t.ok(queued >= 2, `the answers' commit is queued behind the others (${queued} pending)`);
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('cadet-player:commits:')).map((key) => (JSON.parse(localStorage.getItem(key)!) as unknown[]).length));
  t.same(stored, [queued], 'and kept in the content origin\'s localStorage');
  let statements = await statementsOf(e2e, launched.registration);
  t.equal(only(statements, 'responded').length, 0, 'nothing of the quiz reached the LRS yet');

  // 3. The network comes back: the browser's "online" event makes the queue send at once, in order.
  await context.unroute(commitUrl);
  await context.setOffline(false);
  await waitFor(async () => (await pending()) === 0, 'the queue to drain', 20_000);
  t.match(await page.locator('#player-status').textContent(), /saved/i, 'the learner is told it is saved');
  statements = await statementsUntil(e2e, launched.registration, (s) => verbsOf(s).includes('passed'), 'passed');
  t.same(only(statements, 'responded').map((s) => s.object.definition?.interactionType), ['choice', 'true-false', 'fill-in', 'matching', 'numeric'], 'every interaction reached the LRS');

  await sco.getByRole('button', { name: 'Save and exit' }).click();
  await page.waitForURL(`${e2e.appUrl}/courses/scorm12-evidence-handling`);
  statements = await statementsUntil(e2e, launched.registration, (s) => verbsOf(s).includes('terminated'), 'terminated');
  t.equal(only(statements, 'responded').length, 5, 'each interaction once: no commit was lost or counted twice');
  t.same(verbsOf(statements).filter((v) => v !== 'responded'), ['initialized', 'scored', 'completed', 'passed', 'terminated'], 'one session, in order');
  t.match(only(statements, 'passed'), [{ result: { success: true, score: { raw: 100, scaled: 1 } } }]);
});

t.test('the learner leaves while offline: the next launch replays what the device kept', async (t) => {
  const learner = await addLearner(e2e, 'Leaving Learner');
  const session = await signIn(t, browser, e2e, learner);
  const { page, context } = session;
  const first = await launch(session, e2e, 'scorm12-evidence-handling');
  const sco = page.frameLocator('#player-frame');
  const pending = () => page.evaluate(() => (window as any).cadetPlayer?.pendingCommits() as number ?? -1).catch(() => -1); // -1 while the player (re)loads
  await sco.getByRole('heading', { level: 1, name: 'Evidence handling basics' }).waitFor();
  await waitFor(async () => (await pending()) === 0 && verbsOf(await statementsOf(e2e, first.registration)).includes('initialized'), 'the first commit');

  // Pages are fetched by the SCO, so the browser stays online; the app is unreachable.
  const commitUrl = `${e2e.appUrl}/api/runtime/commit**`;
  await context.route(commitUrl, (route) => route.abort('connectionrefused'));
  for (const title of ['Protecting the scene', 'Collecting and packaging', 'Chain of custody']) {
    await sco.getByRole('button', { name: 'Next' }).click();
    await sco.getByRole('heading', { level: 1, name: title }).waitFor();
  }
  await waitFor(async () => (await pending()) >= 1, 'queued commits');
  // Then the connection is lost altogether and the learner closes the page: the beacons cannot leave either.
  await context.setOffline(true);
  await page.goto('about:blank');
  t.same(verbsOf(await statementsOf(e2e, first.registration)), ['initialized'], 'nothing of it reached the server');

  await context.unroute(commitUrl);
  await context.setOffline(false);
  const second = await launch(session, e2e, 'scorm12-evidence-handling');
  t.equal(second.registration, first.registration);
  const statements = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('suspended'), 'the replayed suspend');
  t.same(verbsOf(statements).slice(0, 2), ['initialized', 'suspended'], 'the kept commits arrived with the next launch, ending the first session');
  await waitFor(async () => (await pending()) === 0, 'the queue to drain');
  await sco.getByRole('heading', { level: 1 }).first().waitFor();
  t.equal(await sco.getByRole('heading', { level: 1 }).first().textContent(), 'Chain of custody', 'the course resumes where the learner really was');
  await sco.getByRole('button', { name: 'Next' }).click();
  await sco.getByRole('heading', { level: 1, name: 'Knowledge check' }).waitFor();
  const after = await statementsUntil(e2e, first.registration, (s) => verbsOf(s).includes('resumed'), 'the new session');
  t.same(verbsOf(after), ['initialized', 'suspended', 'resumed'], 'then the new session resumes: the replayed commits kept their own session');
  await page.goto('about:blank');
});
});
