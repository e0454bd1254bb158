import fs from 'node:fs';
import t from 'tap';
import { playerAssets, playerMessages, renderPlayerPage, type PlayerClientConfig, type PlayerPageData } from '../../../src/runtime/player/index.js';

const hostile = '</script><script>alert(1)</script>';

function pageData(overrides: Partial<PlayerPageData> = {}): PlayerPageData {
  return {
    title: 'Golf Explained',
    lang: 'en',
    dir: 'ltr',
    scormVersion: 'scorm12',
    launchUrl: 'https://content.example.test/packages/v1/shared/launchpage.html?x=1&y=2',
    commitUrl: 'https://app.example.test/api/runtime/attempts/a1/commit?token=secret-token',
    navigateUrl: 'https://app.example.test/api/runtime/attempts/a1/navigate?token=secret-token',
    exitUrl: 'https://app.example.test/courses/golf',
    initialCmi: { 'cmi.core.student_id': 'u1', 'cmi.core.entry': 'resume', 'cmi.suspend_data': hostile },
    lastCommitSequence: 7,
    sequencing: null,
    toc: [
      { identifier: 'group', title: 'Playing', depth: 0, launchable: false, current: false },
      { identifier: 'sco1', title: 'One', depth: 1, launchable: true, current: false, status: 'completed' },
      { identifier: 'sco2', title: 'Two', depth: 1, launchable: true, current: true, status: 'incomplete' },
      { identifier: 'sco3', title: 'Three', depth: 1, launchable: true, current: false },
    ],
    assetsBaseUrl: 'https://content.example.test/player-assets/',
    ...overrides,
  };
}

function embeddedConfig(html: string): PlayerClientConfig {
  const match = /<script type="application\/json" id="cadet-player-data">([^<]*)<\/script>/.exec(html);
  if (!match) throw new Error('no embedded data');
  return JSON.parse(match[1]) as PlayerClientConfig;
}

t.test('a hostile title, identifier or suspend_data stays inert', async (t) => {
  const html = renderPlayerPage(
    pageData({
      title: hostile,
      toc: [{ identifier: `x"><img src=x onerror=alert(1)>`, title: hostile, depth: 0, launchable: true, current: true }],
    })
  );
  t.notMatch(html, /<script>alert/i, 'no script element from data');
  t.notMatch(html, /<img/i, 'no element from an identifier');
  const markup = html.replace(/(id="cadet-player-data">)[^<]*/, '$1');
  t.notMatch(markup, /\son[a-z]+=/i, 'no inline event handler anywhere outside the (inert) JSON');
  t.equal(html.match(/<script\b/g)?.length, 3, 'only the data block and the two player scripts');
  t.equal(html.match(/<\/script>/g)?.length, 3, 'and no extra end tag');
  t.match(html, /<h1 class="player-title">&#60;\/script&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;<\/h1>/, 'the title is text');
  const config = embeddedConfig(html);
  t.equal(config.toc[0].title, hostile, 'and round-trips through the JSON block');
  t.equal(config.initialCmi['cmi.suspend_data'], hostile);
  t.notMatch(/id="cadet-player-data">([^]*?)<\/script>/.exec(html)?.[1] ?? '', /[<>&\u2028\u2029]/, 'the JSON block has no <, >, & or line separators');
});

t.test('the embedded data round-trips and derives previous/next and the queue key', async (t) => {
  const data = pageData({ initialCmi: { 'cmi.core.lesson_location': '3', 'cmi.launch_data': 'a&b<c>\u2028' } });
  const config = embeddedConfig(renderPlayerPage(data));
  for (const key of ['scormVersion', 'launchUrl', 'commitUrl', 'navigateUrl', 'exitUrl', 'initialCmi', 'lastCommitSequence', 'toc'] as const) {
    t.same(config[key], data[key], key);
  }
  t.equal(config.sequencing, null);
  t.equal(config.currentIdentifier, 'sco2');
  t.equal(config.previousTarget, 'sco1');
  t.equal(config.nextTarget, 'sco3');
  t.equal(config.autocommitSeconds, 30, 'autocommit every 30 s by default');
  t.equal(config.terminateCommitParam, 'terminate');
  t.equal(config.storageKey, 'cadet-player:commits:https://app.example.test/api/runtime/attempts/a1/commit', 'the queue key leaves the token out');
  t.equal(embeddedConfig(renderPlayerPage(pageData({ attemptId: 'att-9' }))).storageKey, 'cadet-player:commits:att-9');
  t.same(config.labels, playerMessages, 'the English catalogue by default');
  const french = embeddedConfig(renderPlayerPage(pageData({ labels: { 'player.next': 'Suivant' } })));
  t.equal(french.labels['player.next'], 'Suivant', 'labels can be replaced one by one');
  t.equal(french.labels['player.previous'], 'Previous');
});

t.test('the document: language, direction, controls, frame, scripts and policy', async (t) => {
  const html = renderPlayerPage(pageData({ lang: 'ar', dir: 'rtl', title: 'دورة' }));
  t.match(html, /^<!DOCTYPE html>\n<html lang="ar" dir="rtl">/);
  t.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  t.match(html, /<title>Two – دورة<\/title>/);
  t.match(html, /<link rel="stylesheet" href="https:\/\/content.example.test\/player-assets\/player.css">/);
  t.match(html, /<script src="https:\/\/content.example.test\/player-assets\/scorm12.min.js" defer><\/script>\n<script src="https:\/\/content.example.test\/player-assets\/player.js" defer><\/script>/, 'scorm-again before player.js');
  t.match(html, /<iframe id="player-frame"[^>]* sandbox="allow-scripts allow-same-origin allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox allow-downloads"/);
  t.notMatch(/<iframe[^>]*>/.exec(html)?.[0], /\ssrc=/, 'the frame has no src until the API exists');
  t.notMatch(html, /allow-top-navigation/, 'the SCO cannot navigate the player away');
  t.match(html, /id="player-toc-toggle" aria-expanded="false" aria-controls="player-toc">Contents</);
  t.match(html, /<nav class="player-toc" id="player-toc" aria-label="Course contents" hidden>/);
  t.match(html, /data-target="sco2" aria-current="page"/);
  t.match(html, /<span class="toc-group">Playing<\/span>/, 'a cluster is not a button');
  t.match(html, /data-status="completed">completed</);
  t.match(html, /id="player-status" role="status" aria-live="polite"/);
  for (const id of ['player-previous', 'player-next', 'player-exit']) t.match(html, new RegExp(`<button type="button" class="player-button[^"]*" id="${id}"`), id);
  const csp = (/http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
  t.match(csp, "default-src 'none'");
  t.match(csp, 'script-src https://content.example.test;');
  t.match(csp, 'connect-src https://app.example.test;');
  t.match(csp, 'frame-src https://content.example.test;');
  t.notMatch(csp, /unsafe/);
});

t.test('single-unit courses have no contents or previous/next; SCORM 2004 loads its bundle and hides what hideLMSUI hides', async (t) => {
  const single = renderPlayerPage(pageData({ toc: [{ identifier: 'only', title: 'Only', depth: 0, launchable: true, current: true }] }));
  t.notMatch(single, /player-toc/);
  t.notMatch(single, /player-next|player-previous/);
  t.match(single, /id="player-exit"/);
  const first = renderPlayerPage(pageData({ toc: pageData().toc.map((entry) => ({ ...entry, current: entry.identifier === 'sco1' })) }));
  t.match(first, /id="player-previous" data-action="previous" disabled/, 'SCORM 1.2: nothing before the first unit');
  const tree = { id: 'org', title: 'Org', children: [{ id: 'sco1', title: 'One' }, { id: 'sco2', title: 'Two', hideLmsUi: ['previous'] }] };
  const sequenced = renderPlayerPage(pageData({ scormVersion: 'scorm2004', sequencing: { hideLmsUi: ['exit'], activityTree: tree } }));
  t.match(sequenced, /scorm2004\.min\.js/);
  t.match(sequenced, /id="player-previous" data-action="previous" hidden/);
  t.match(sequenced, /id="player-next" data-action="continue">/);
  t.match(sequenced, /id="player-exit" data-action="exit" hidden/);
  t.same(embeddedConfig(sequenced).sequencing, { hideLmsUi: ['exit'], activityTree: tree });
  const otherUnit = renderPlayerPage(pageData({ scormVersion: 'scorm2004', sequencing: { activityTree: tree }, toc: pageData().toc.map((entry) => ({ ...entry, current: entry.identifier === 'sco3' })) }));
  t.notMatch(otherUnit, /id="player-previous"[^>]*hidden/, "another activity's hideLMSUI does not apply");
  t.equal(embeddedConfig(renderPlayerPage(pageData({ sequencing: { x: 1 } }))).sequencing, null, 'no sequencing for SCORM 1.2');
});

t.test('bad input is a programming error, reported by name', async (t) => {
  t.throws(() => renderPlayerPage(pageData({ exitUrl: 'javascript:alert(1)' })), /exitUrl must be http/);
  t.throws(() => renderPlayerPage(pageData({ launchUrl: '/relative' })), /launchUrl must be an absolute URL/);
  t.throws(() => renderPlayerPage(pageData({ assetsBaseUrl: 'https://content.example.test/assets' })), /end with '\/'/);
  t.throws(() => renderPlayerPage(pageData({ lastCommitSequence: -1 })), /lastCommitSequence/);
  t.throws(() => renderPlayerPage(pageData({ autocommitSeconds: 0 })), /autocommitSeconds/);
});

t.test('playerAssets lists existing files with their content types', async (t) => {
  t.same(playerAssets.map((asset) => asset.name), ['player.js', 'player.css', 'scorm12.min.js', 'scorm2004.min.js']);
  for (const asset of playerAssets) {
    t.ok(fs.existsSync(asset.file), `${asset.name} exists`);
    t.match(asset.contentType, asset.name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
  }
  t.ok(Object.isFrozen(playerAssets));
});
