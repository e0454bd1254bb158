import t, { type Test } from 'tap';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../fixtures/browser.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp, type TestApp } from '../fixtures/test-app.js';

/**
 * The course pages in headless Chromium against a server on loopback: an author uploads a real package with the
 * file input and sees the progress and the result; a learner finds the course and launches it. The content
 * origin does not listen here: the launch is checked where it lands (CONTENT_URL), answered by the browser's
 * request interception.
 */
const contentUrl = 'http://content.cadet.test';

/** Console errors (a CSP refusal, a script error) fail the test. */
function watch(t: Test, page: Page): void {
  page.on('console', (message) => {
    // HTTP errors are logged too (the favicon Chromium asks for, the 422 the test provokes): those are checked on the page.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) t.fail(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => t.fail(`page error: ${error.message}`));
}

async function signIn(page: Page, address: string, user: { email: string; password: string }) {
  await page.goto(`${address}/sign-in`);
  await page.getByLabel('E-mail address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/account');
}

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

async function setUp(t: Test): Promise<{ browser: Browser; lrs: TestApp; address: string } | null> {
  const browser = await launchBrowser(t);
  if (!browser) return null;
  const lrs = await createTestApp({ 'content-url': contentUrl });
  t.teardown(() => lrs.close());
  const address = await lrs.app.listen({ host: '127.0.0.1', port: 0 });
  return { browser, lrs, address };
}

t.test('an author uploads a package; a learner launches it', async (t) => {
  const ready = await setUp(t);
  if (!ready) return;
  const { browser, lrs, address } = ready;

  // The author, on a phone-sized screen.
  const authorContext = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'en-GB' });
  t.teardown(() => authorContext.close());
  const author = await authorContext.newPage();
  watch(t, author);
  await signIn(author, address, await lrs.addUser([{ role: 'author' }]));
  await author.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Author' }).click();
  await author.waitForURL('**/author/courses');
  t.equal(await author.title(), 'Author: courses · Cadet');
  t.ok(await author.getByRole('button', { name: 'Upload' }).isEnabled(), 'the script enabled the upload button');
  t.ok(await noHorizontalScroll(author), 'no horizontal scrolling on a phone');

  // A slow uplink, so the progress can be seen moving.
  const cdp = await authorContext.newCDPSession(author);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
  const progress = author.locator('#upload-progress');
  t.notOk(await progress.isVisible(), 'no progress bar before an upload');
  await author.getByLabel('Package', { exact: true }).setInputFiles(sharedFixture('scorm12', 'singlescobasic.zip'));
  await author.getByRole('button', { name: 'Upload' }).click();
  await progress.waitFor({ state: 'visible' });
  t.equal(await author.locator('#upload-status').textContent(), 'Uploading…', 'the status says it is uploading');
  await author.waitForFunction(() => {
    const value = (document.getElementById('upload-progress') as HTMLProgressElement).value;
    return value > 0 && value < 100;
  });
  t.pass('the progress moves');
  t.ok(await author.getByRole('button', { name: 'Upload' }).isDisabled(), 'no second upload meanwhile');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  const result = author.locator('#upload-result');
  await result.waitFor({ state: 'visible' });
  t.equal(await author.locator('#upload-status').textContent(), 'The package was imported.');
  t.equal(await progress.evaluate((element) => (element as HTMLProgressElement).value), 100);
  t.equal(await result.getByRole('heading', { level: 3 }).textContent(), 'Imported: Golf Explained - Run-time Basic Calls');
  t.equal(await result.locator('.result-units li').allTextContents().then((units) => units.join('|')), 'Golf Explained', 'the result lists its unit');
  const slug = (await result.getByRole('link').first().textContent())!;
  t.match(slug, /^golf-explained/);
  t.ok(await result.evaluate((element) => element === document.activeElement), 'focus moves to the result');

  // A broken package: every problem, one per line.
  await author.getByLabel('Package', { exact: true }).setInputFiles(sharedFixture('invalid', 'manifests', 'MalformedXml_SCORM12.zip'));
  await author.getByRole('button', { name: 'Upload' }).click();
  await author.locator('#upload-result.alert').waitFor();
  t.equal(await author.locator('#upload-status').textContent(), 'The upload failed.');
  t.match(await result.locator('.result-heading').textContent(), 'The package was not imported.');
  const problems = await result.locator('.problems li').allTextContents();
  t.ok(problems.length >= 1 && problems[0].startsWith('imsmanifest.xml'), `the problems name their file: ${problems[0]}`);

  await author.getByRole('link', { name: 'Show the updated list' }).count().then((n) => t.equal(n, 0, 'the failed upload offers no list link'));
  await author.reload();
  const listed = author.locator(`#course-${slug}`);
  t.match(await listed.textContent(), /Version 1\s*Current/);

  // The learner.
  const learnerContext = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'en-GB' });
  t.teardown(() => learnerContext.close());
  const learner = await learnerContext.newPage();
  watch(t, learner);
  const landed: string[] = [];
  await learner.route(`${contentUrl}/**`, async (route) => {
    landed.push(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Content origin</title><p>content</p>' });
  });
  await signIn(learner, address, await lrs.addUser([{ role: 'learner' }]));
  await learner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Courses' }).click();
  await learner.waitForURL('**/courses');
  t.ok(await learner.getByRole('button', { name: 'Start' }).isVisible(), 'the catalog offers to start');
  await learner.getByRole('link', { name: 'Golf Explained - Run-time Basic Calls' }).click();
  await learner.waitForURL(`**/courses/${slug}`);
  t.equal(await learner.getByRole('heading', { level: 1 }).textContent(), 'Golf Explained - Run-time Basic Calls');
  t.equal(await learner.getByRole('list', { name: 'Units' }).getByRole('listitem').count(), 1);
  t.ok(await noHorizontalScroll(learner), 'no horizontal scrolling on a phone');
  await learner.getByRole('button', { name: 'Launch' }).click();
  await learner.waitForURL(`${contentUrl}/**`);
  t.ok(learner.url().startsWith(`${contentUrl}/player/`), `the launch lands on the content origin's player (${learner.url().slice(0, 40)}…)`);
  t.equal(landed.length, 1);

  await learner.goto(`${address}/courses`);
  t.ok(await learner.getByRole('button', { name: 'Continue' }).isVisible(), 'back in the catalog, the course continues');
});
