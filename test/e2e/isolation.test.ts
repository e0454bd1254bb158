import t, { type Test } from 'tap';
import type { Browser, Frame } from 'playwright-core';
import { basicAuth } from '../fixtures/server-process.js';
import { addLearner, frameMatching, launch, launchBrowser, signIn, startE2eServer, type E2eServer } from './helpers.js';

/**
 * Uploaded packages are untrusted code (DESIGN.md "Runtime flow and isolation"). Script running in a SCO on the
 * content origin must not be able to read the app origin's cookies or act on its API with the learner's session.
 *
 * Two set-ups, because cookies are scoped by host, not by port, and two ports of one host are the same *site*:
 * - the test default: app on http://127.0.0.1:PORT, content on http://localhost:CONTENT_PORT. Different origins,
 *   different sites and different cookie hosts, so the browser never attaches the session cookie to the SCO's
 *   requests at all (SameSite=Lax and host-scoping both stop it). What fails there proves the CORS side (nothing is
 *   readable cross-origin), but not that the API itself refuses a request carrying the cookie;
 * - the trap: content on another port of the app's own host (http://127.0.0.1:CONTENT_PORT), the out-of-the-box
 *   layout. Same site and same cookie host: the browser *does* attach the HttpOnly session cookie to the SCO's
 *   requests to the app. Only the app's rules stop them: no CORS with credentials to the content origin, and CSRF
 *   (a state-changing route needs a JSON body or the X-CSRF-Token, which a simple cross-origin request cannot send).
 * Both also send the request from Node with the learner's cookie and the content Origin, to assert the refusal
 * independently of what the browser chose to send.
 */
t.setTimeout(100_000);

interface Wire {
  url: string;
  method: string;
  cookie: string;
  status: number | null;
  headers: Record<string, string>;
}

interface Attempt {
  readonly ok: boolean;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

/** Runs `fetch` inside the SCO's frame and reports what its script sees. */
function fetchFromSco(sco: Frame, url: string, init: RequestInit): Promise<Attempt> {
  return sco.evaluate(
    async ([target, options]) => {
      try {
        const response = await fetch(target, options);
        return { ok: true, status: response.status, body: await response.text() };
      } catch (error) {
        return { ok: false, error: String(error) };
      }
    },
    [url, init] as const,
  );
}

async function scenario(t: Test, browser: Browser, e2e: E2eServer, sameSite: boolean): Promise<void> {
  const learner = await addLearner(e2e, 'Isolated Learner');
  const session = await signIn(t, browser, e2e, learner);
  const { page, context } = session;
  const cookies = await context.cookies(e2e.appUrl);
  const sessionCookie = cookies.find((cookie) => cookie.name === 'cadet_session');
  t.ok(sessionCookie, 'the learner holds a session cookie for the app');
  t.match(sessionCookie, { httpOnly: true, sameSite: 'Lax' }, 'HttpOnly, SameSite=Lax');

  // Every request the browser makes to the app's /api/, as the network saw it (the SCO's script may see less):
  // Chrome's DevTools protocol reports the headers actually sent and the status answered, even when CORS then
  // hides the answer from the script.
  const seen = new Map<string, Wire>();
  const wire = (id: string) => seen.get(id) ?? (seen.set(id, { url: '', method: '', cookie: '', status: null, headers: {} }), seen.get(id)!);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (event) => Object.assign(wire(event.requestId), { url: event.request.url, method: event.request.method }));
  cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
    wire(event.requestId).cookie = Object.entries(event.headers).find(([name]) => name.toLowerCase() === 'cookie')?.[1] ?? '';
  });
  cdp.on('Network.responseReceivedExtraInfo', (event) => Object.assign(wire(event.requestId), { status: event.statusCode, headers: Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k.toLowerCase(), v])) }));
  const onWire = (url: string, method: string) => [...seen.values()].filter((w) => w.url === url && w.method === method);

  await launch(session, e2e, 'scorm12-evidence-handling');
  const sco = await frameMatching(page, new RegExp(`^${e2e.contentUrl.replace(/[.]/g, '\\.')}/c/`));
  await sco.waitForSelector('main h1');
  t.equal(new URL(sco.url()).origin, e2e.contentUrl, 'the SCO runs on the content origin');
  seen.clear();

  const cookieJar = await sco.evaluate(() => document.cookie);
  t.notMatch(cookieJar, /cadet_session/, 'document.cookie in the SCO frame has no session cookie');
  if (sameSite) t.equal(cookieJar, '', 'even on the app\'s host: the cookie is HttpOnly');

  // Reading the learner's session from the app: the browser sends the request, CORS keeps the answer from the script.
  const read = await fetchFromSco(sco, `${e2e.appUrl}/api/session`, { credentials: 'include' });
  t.match(read, { ok: false, error: /TypeError/ }, 'GET /api/session with credentials fails in the SCO (CORS)');
  await page.waitForTimeout(200);
  const [readOnWire] = onWire(`${e2e.appUrl}/api/session`, 'GET');
  t.ok(readOnWire, 'the browser sent the request');
  if (sameSite) t.match(readOnWire?.cookie, /cadet_session=/, 'same site: the browser did attach the session cookie, so only CORS protects the answer');
  else t.notMatch(readOnWire?.cookie ?? '', /cadet_session=/, 'cross-site: the browser did not even attach the session cookie');
  t.notOk(readOnWire?.headers['access-control-allow-origin'], 'the app answers its API without Access-Control-Allow-Origin');
  t.notOk(readOnWire?.headers['access-control-allow-credentials'], 'and never with Access-Control-Allow-Credentials');

  // A state-changing call with the session, as a simple request (no preflight): launching the cmi5 course would
  // write a `launched` statement for the learner if it were accepted.
  const launchUrl = `${e2e.appUrl}/api/courses/cmi5-interpol-notices/launch`;
  const simple = await fetchFromSco(sco, launchUrl, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
  t.match(simple, { ok: false, error: /TypeError/ }, 'POST launch (text/plain, credentials) fails in the SCO');
  await page.waitForTimeout(200);
  const [simpleOnWire] = onWire(launchUrl, 'POST');
  t.ok(simpleOnWire, 'the simple request did reach the app');
  if (sameSite) t.match(simpleOnWire?.cookie, /cadet_session=/, 'with the session cookie');
  t.equal(simpleOnWire?.status, sameSite ? 403 : 401, sameSite ? 'which refused it: CSRF check (403)' : 'which refused it: no session came with it (401)');

  // The same with JSON: not a simple request, so the browser asks first, and the app's answer stops it there.
  seen.clear();
  const json = await fetchFromSco(sco, launchUrl, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  t.match(json, { ok: false, error: /TypeError/ }, 'POST launch (JSON, credentials) fails in the SCO');
  await page.waitForTimeout(200);
  t.ok(onWire(launchUrl, 'OPTIONS').length > 0, 'a preflight is asked first');
  t.notOk(onWire(launchUrl, 'POST').some((w) => w.status !== null), 'the preflight is refused, so the POST itself is never answered');

  // What the app does with such requests whatever the browser sends: the cookie, the content Origin.
  const cookieHeader = `cadet_session=${sessionCookie!.value}`;
  const direct = await fetch(launchUrl, { method: 'POST', headers: { cookie: cookieHeader, origin: e2e.contentUrl, 'content-type': 'text/plain' }, body: '{}' });
  t.equal(direct.status, 403, 'the API refuses a cookie-only text/plain POST from the content origin');
  t.match(await direct.json(), { error: 'csrf-check-failed' });
  t.notOk(direct.headers.get('access-control-allow-origin'), 'without CORS headers');
  const form = await fetch(launchUrl, { method: 'POST', headers: { cookie: cookieHeader, origin: e2e.contentUrl, 'content-type': 'application/x-www-form-urlencoded' }, body: 'unit=x' });
  t.equal(form.status, 403, 'and a form-encoded one (an /api/ route never takes a form without the token)');
  const preflight = await fetch(launchUrl, { method: 'OPTIONS', headers: { origin: e2e.contentUrl, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  t.notOk(preflight.headers.get('access-control-allow-origin'), 'a preflight from the content origin is not allowed');
  const sessionRead = await fetch(`${e2e.appUrl}/api/session`, { headers: { cookie: cookieHeader, origin: e2e.contentUrl } });
  t.equal(sessionRead.status, 200, 'the cookie is valid (the session is readable by the app origin itself)…');
  t.notOk(sessionRead.headers.get('access-control-allow-origin'), '…but never shared with the content origin');
  t.notOk(sessionRead.headers.get('access-control-allow-credentials'));
  // The runtime endpoints the player uses: CORS for the content origin, never with credentials.
  const commitPreflight = await fetch(`${e2e.appUrl}/api/runtime/commit`, { method: 'OPTIONS', headers: { origin: e2e.contentUrl, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  t.equal(commitPreflight.headers.get('access-control-allow-origin'), e2e.contentUrl, 'the commit endpoint allows the content origin…');
  t.notOk(commitPreflight.headers.get('access-control-allow-credentials'), '…without credentials');

  // Nothing happened on the learner's behalf.
  const agent = JSON.stringify({ objectType: 'Agent', account: { homePage: e2e.appUrl, name: learner.id } });
  const launched = await fetch(`${e2e.appUrl}/xapi/statements?agent=${encodeURIComponent(agent)}&verb=${encodeURIComponent('http://adlnet.gov/expapi/verbs/launched')}`, {
    headers: { authorization: basicAuth(e2e.lrs.key, e2e.lrs.secret), 'x-experience-api-version': '1.0.3' },
  });
  t.same(((await launched.json()) as { statements: unknown[] }).statements, [], 'no cmi5 launch was made for the learner');
}

t.test('content on localhost, app on 127.0.0.1 (the test layout: cross-site)', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  await scenario(t, browser, await startE2eServer(t), false);
});

t.test('content on another port of the app\'s host (the default layout: same site, same cookie host)', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  await scenario(t, browser, await startE2eServer(t, { sameHostContent: true }), true);
});
