import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import t from 'tap';
import { findRepoRoot } from '../../src/shared/json-schema.js';
import { launchBrowser } from '../fixtures/browser.js';
import { createTestApp } from '../fixtures/test-app.js';

/**
 * The xAPI wrapper authoring-tool exports carry (Rustici's TinCanJS), in a real browser, on a page served from
 * another origin than the LRS: statements, state and profiles go through CORS exactly as packaged content does.
 */
const tincan = fs.readFileSync(path.join(findRepoRoot(), 'node_modules/tincanjs/build/tincan.js'));

const page = `<!doctype html><html><head><meta charset="utf-8"><title>content</title><script src="/tincan.js"></script></head>
<body><script>
window.run = function (endpoint, key, secret) {
  return new Promise(function (resolve) {
    try { start(resolve, endpoint, key, secret); } catch (e) { resolve({ thrown: String(e && (e.message || JSON.stringify(e))) }); }
  });
};
function start(resolve, endpoint, key, secret) {
    var lrs = new TinCan.LRS({ endpoint: endpoint, username: key, password: secret, allowFail: false, version: '1.0.2' });
    var actor = new TinCan.Agent({ name: 'Officer Browser', mbox: 'mailto:officer.browser@academy.example' });
    var activity = new TinCan.Activity({ id: 'https://academy.example/courses/browser-course', definition: { name: { 'en-US': 'Browser course' } } });
    var registration = TinCan.Utils.getUUID();
    var out = { registration: registration };
    var statement = new TinCan.Statement({ actor: actor, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
      target: activity, context: { registration: registration } });
    lrs.saveStatement(statement, { callback: function (err, xhr) {
      out.saveStatus = err ? String(err) + ' ' + (xhr && xhr.status) : xhr.status;
      out.statementId = statement.id;
      lrs.queryStatements({ params: { agent: actor, registration: registration }, callback: function (err, result) {
        out.queried = err ? 'error ' + err : result.statements.map(function (s) { return s.id; });
        lrs.saveState('bookmark', { page: 4 }, { agent: actor, activity: activity, registration: registration, contentType: 'application/json', callback: function (err, xhr) {
          out.stateSave = err ? 'error ' + err : xhr.status;
          lrs.retrieveState('bookmark', { agent: actor, activity: activity, registration: registration, callback: function (err, state) {
            out.state = err ? 'error ' + err : state && state.contents;
            lrs.saveAgentProfile('preferences', 'large-text', { agent: actor, contentType: 'text/plain', callback: function (err, xhr) {
              out.profileSave = err ? 'error ' + err : xhr.status;
              lrs.retrieveAgentProfile('preferences', { agent: actor, callback: function (err, profile) {
                out.profile = err ? 'error ' + err : profile && profile.contents;
                resolve(out);
              } });
            } });
          } });
        } });
      } });
    } });
}
</script></body></html>`;

t.test('TinCanJS in Chromium talks to the LRS across origins', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const lrsUrl = await lrs.app.listen({ host: '127.0.0.1', port: 0 });

  const content = http.createServer((request, response) => {
    if (request.url === '/tincan.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(tincan);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise<void>((resolve) => content.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => content.close(() => resolve())));
  // "localhost" and "127.0.0.1" are different origins: the page must go through CORS to reach the LRS.
  const contentUrl = `http://localhost:${(content.address() as AddressInfo).port}/`;

  const tab = await browser.newPage();
  const logs: string[] = [];
  tab.on('console', (message) => logs.push(message.text()));
  tab.on('pageerror', (error) => logs.push(String(error)));
  // What the page printed, to read when an assertion below fails.
  t.teardown(() => {
    if (logs.length > 0) t.comment(logs.join('\n'));
  });
  await tab.goto(contentUrl);
  const out = (await tab.evaluate(
    ([endpoint, key, secret]) => (window as unknown as { run: (e: string, k: string, s: string) => Promise<unknown> }).run(endpoint, key, secret),
    [`${lrsUrl}/xapi/`, lrs.admin.key, lrs.admin.secret],
  )) as Record<string, unknown>;

  t.equal(out.thrown, undefined, 'TinCanJS threw nothing');
  t.equal(out.saveStatus, 204, 'TinCanJS PUTs the statement with its own id');
  t.same(out.queried, [out.statementId], 'and finds it again by agent and registration');
  t.equal(out.stateSave, 204);
  t.same(out.state, { page: 4 }, 'state round-trips as JSON');
  t.equal(out.profileSave, 204);
  t.equal(out.profile, 'large-text');
  const stored = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${out.statementId}` });
  t.equal(stored.json().context.registration, out.registration, 'the LRS holds what the browser sent');
});
