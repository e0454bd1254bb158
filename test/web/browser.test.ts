import fs from 'node:fs';
import t from 'tap';
import { createTestApp } from '../fixtures/test-app.js';

/**
 * The pages in headless Chromium, against a real server listening on loopback.
 * Without Chromium this test skips, unless CADET_REQUIRE_BROWSER=1 (CI), where a missing browser fails it.
 */
const executablePath = process.env.CADET_CHROMIUM ?? '/usr/bin/chromium';
const required = process.env.CADET_REQUIRE_BROWSER === '1';
const available = fs.existsSync(executablePath);

if (!available) {
  if (required) t.fail(`CADET_REQUIRE_BROWSER=1 but there is no Chromium at ${executablePath} (apt-get install -y chromium, or set CADET_CHROMIUM)`);
  else t.plan(0, `no Chromium at ${executablePath}; set CADET_REQUIRE_BROWSER=1 to make this a failure`);
} else {
  t.test('sign-in page and the request-access form in Chromium', async (t) => {
    const { chromium } = await import('playwright-core');
    const lrs = await createTestApp({ 'public-url': 'http://127.0.0.1:8080' });
    t.teardown(() => lrs.close());
    const address = await lrs.app.listen({ host: '127.0.0.1', port: 0 });
    const browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    t.teardown(() => browser.close());
    // A phone-sized window: the pages must work without horizontal scrolling.
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'en-GB' });

    await page.goto(`${address}/sign-in`);
    t.equal(await page.title(), 'Sign in · Cadet');
    t.equal(await page.getAttribute('html', 'lang'), 'en');
    t.equal(await page.getAttribute('html', 'dir'), 'ltr');
    t.ok(await page.getByLabel('E-mail address').isVisible(), 'the e-mail field is labelled');
    t.ok(await page.getByLabel('Password').isVisible(), 'the password field is labelled');
    t.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.top')!).backgroundColor), 'rgb(27, 31, 36)', 'the stylesheet loaded');

    await page.locator('main').getByRole('link', { name: 'Request access' }).click();
    await page.waitForURL('**/request-access');
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Request access');
    await page.getByLabel('Full name').fill('Amira Haddad');
    await page.getByLabel('E-mail address').fill('amira.haddad@police.example');
    await page.getByLabel('Agency').fill('Sûreté nationale');
    await page.getByLabel('Country').selectOption('MA');
    await page.getByLabel('Rank or function').fill('Commissaire');
    await page.getByLabel('Why you need access').fill('Digital evidence course');
    await page.getByLabel('Full name').focus();
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'f-email', 'the keyboard moves through the form in order');
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling on a phone');
    await page.getByRole('button', { name: 'Send the request' }).click();

    await page.waitForURL('**/request-access/sent');
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Request received');
    t.match(await page.getByRole('status').first().textContent(), 'waiting for an approver of your country');
    const stored = await lrs.store.accessRequests.findPending('amira.haddad@police.example');
    t.equal(stored?.country, 'MA', 'the request is in the queue');
    t.equal(stored?.agency, 'Sûreté nationale');
  });
}
