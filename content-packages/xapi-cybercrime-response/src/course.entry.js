/*
 * Cybercrime first response: the browser entry, bundled by content-packages/build.mjs into
 * js/course.bundle.js. Launched with the Rustici launch convention; sends xAPI statements through
 * @xapi/xapi and keeps a bookmark in the State API (stateId "bookmark", with the registration) so
 * that a relaunch resumes.
 */
import XAPI from '@xapi/xapi';
import { COURSE, PAGES, QUESTIONS } from './course-data.js';
import { parseLaunch } from './launch.js';
import * as statements from './statements.js';

const STATE_ID = 'bookmark';
const sessionStart = Date.now();
const launch = parseLaunch(window.location.search, { activityId: COURSE.activityId });

/**
 * @xapi/xapi's own fetch adapter drops the HTTP status of a failed request; this one keeps it,
 * so that a 404 for the bookmark (a first launch) is told apart from a real failure.
 */
async function fetchAdapter({ url, method, data, headers }) {
  const body = headers['Content-Type'] === 'application/json' ? JSON.stringify(data) : data;
  const response = await fetch(url, { method, body, headers });
  const text = await response.text();
  if (!response.ok) throw Object.assign(new Error(`${method} ${url}: HTTP ${response.status}`), { status: response.status, body: text });
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { data: parsed, headers: Object.fromEntries(response.headers.entries()), status: response.status };
}

const xapi = launch.tracked ? new XAPI({ endpoint: launch.endpoint, auth: launch.auth, adapter: fetchAdapter }) : null;

let bookmark = { v: 1, page: PAGES[0].id, seen: [], draft: {}, result: null };
let current = 0;
let terminatedSent = false;
let timings = {};
let order = null;
// Statements go out one at a time, in the order they happened.
let queue = Promise.resolve();

const main = document.getElementById('page');
const previousButton = document.getElementById('previous');
const nextButton = document.getElementById('next');
const exitButton = document.getElementById('exit');
const progress = document.getElementById('progress');

function send(statement) {
  if (!xapi) return Promise.resolve();
  queue = queue.then(() => xapi.sendStatement({ statement })).catch((error) => console.error('statement not sent', error));
  return queue;
}

function stateParams() {
  return { agent: launch.actor, activityId: launch.activityId, stateId: STATE_ID, ...(launch.registration ? { registration: launch.registration } : {}) };
}

function saveBookmark() {
  if (!xapi) return Promise.resolve();
  bookmark.page = PAGES[current].id;
  const state = JSON.parse(JSON.stringify(bookmark));
  queue = queue.then(() => xapi.setState({ ...stateParams(), state, contentType: 'application/json' })).catch((error) => console.error('bookmark not saved', error));
  return queue;
}

async function loadBookmark() {
  if (!xapi) return;
  try {
    const response = await xapi.getState(stateParams());
    const saved = typeof response.data === 'string' ? JSON.parse(response.data) : response.data;
    if (saved && saved.v === 1) bookmark = saved;
  } catch (error) {
    // 404: no bookmark yet, a first launch.
    if (error?.status !== 404) console.warn('bookmark not read', error);
  }
}

async function start() {
  if (!launch.tracked) {
    const notice = document.getElementById('tracking-notice');
    notice.hidden = false;
    notice.textContent += ` (${launch.problems.join(', ')})`;
  }
  await loadBookmark();
  send(statements.initialized(launch, COURSE, new Date()));
  const index = PAGES.findIndex((p) => p.id === bookmark.page);
  show(index >= 0 ? index : 0);
}

async function show(index) {
  current = index;
  const page = PAGES[index];
  main.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(page.file);
    if (!response.ok) throw new Error(`${page.file}: HTTP ${response.status}`);
    main.innerHTML = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('main').innerHTML;
  } catch (error) {
    main.innerHTML = '<h1>This page could not be loaded</h1><p class="error"></p>';
    main.querySelector('.error').textContent = String(error && error.message);
  }
  document.title = `${page.title} – ${COURSE.title}`;
  main.setAttribute('aria-busy', 'false');
  main.setAttribute('data-page', page.id);
  if (!bookmark.seen.includes(page.id)) bookmark.seen.push(page.id);
  previousButton.disabled = current === 0;
  nextButton.disabled = current === PAGES.length - 1;
  progress.textContent = `Page ${current + 1} of ${PAGES.length}`;
  if (page.id === 'quiz') setUpQuiz();
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  send(statements.experienced(launch, COURSE, page, new Date()));
  saveBookmark();
}

function renderOrder(focus) {
  const question = QUESTIONS.find((q) => q.type === 'sequencing');
  const list = document.getElementById('q4-list');
  list.innerHTML = '';
  order.forEach((id, index) => {
    const li = document.createElement('li');
    li.dataset.id = id;
    const text = document.createElement('span');
    text.textContent = question.choices.find((c) => c.id === id).text;
    li.append(text);
    for (const [move, label, disabled] of [['up', 'Move up', index === 0], ['down', 'Move down', index === order.length - 1]]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = label;
      button.setAttribute('aria-label', `${label}: ${text.textContent}`);
      button.dataset.move = move;
      button.disabled = disabled;
      li.append(button);
    }
    list.append(li);
  });
  if (focus) {
    const target = list.querySelector(`li[data-id="${focus.id}"] button[data-move="${focus.move}"]:not([disabled])`) ?? list.querySelector(`li[data-id="${focus.id}"] button:not([disabled])`);
    target?.focus();
  }
}

function mark(q) {
  const now = Date.now();
  timings[q] ??= { first: now, last: now };
  timings[q].last = now;
}

function readAnswers(form) {
  const radio = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? '';
  const pairs = ['phone', 'laptop-off', 'hard-drive'].map((s) => [s, form.elements[`q5-${s}`].value]);
  return {
    'q1-phone-found-on': radio('q1'),
    'q2-restart-computer': radio('q2'),
    'q3-volatile-memory': form.elements.q3.value.trim(),
    'q4-first-response-order': bookmark.draft.q4touched ? order.join('[,]') : '',
    'q5-device-handling': pairs.every(([, t]) => t) ? pairs.map(([s, t]) => `${s}[.]${t}`).join('[,]') : '',
  };
}

function setUpQuiz() {
  const form = document.getElementById('quiz');
  const initial = ['hand-over', 'secure', 'package', 'record'];
  order = Array.isArray(bookmark.draft.q4) ? bookmark.draft.q4 : initial;
  timings = {};
  renderOrder();
  for (const [name, value] of Object.entries(bookmark.draft.fields ?? {})) {
    for (const el of form.querySelectorAll(`[name="${name}"]`)) {
      if (el.type === 'radio') el.checked = el.value === value;
      else el.value = value;
    }
  }
  form.addEventListener('focusin', (event) => {
    const q = event.target.closest('fieldset.question')?.dataset.question;
    if (q && !timings[q]) mark(q);
  });
  form.addEventListener('change', (event) => {
    const q = event.target.closest('fieldset.question')?.dataset.question;
    if (q) mark(q);
    const fields = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === 'radio') {
        if (el.checked) fields[el.name] = el.value;
      } else fields[el.name] = el.value;
    }
    bookmark.draft.fields = fields;
    saveBookmark();
  });
  document.getElementById('q4-list').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-move]');
    if (!button) return;
    const id = button.parentElement.dataset.id;
    const from = order.indexOf(id);
    const to = button.dataset.move === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= order.length) return;
    order.splice(from, 1);
    order.splice(to, 0, id);
    bookmark.draft.q4 = order;
    bookmark.draft.q4touched = true;
    mark(QUESTIONS[3].id);
    renderOrder({ id, move: button.dataset.move });
    saveBookmark();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(form);
  });
  document.getElementById('retry').addEventListener('click', () => {
    bookmark.result = null;
    bookmark.draft = {};
    form.reset();
    order = initial.slice();
    renderOrder();
    form.hidden = false;
    document.getElementById('results').hidden = true;
    saveBookmark();
    form.querySelector('input').focus();
  });
  if (bookmark.result) showResult(bookmark.result);
}

function submit(form) {
  form.querySelector('.error')?.remove();
  const answers = readAnswers(form);
  const missing = QUESTIONS.findIndex((q) => answers[q.id] === '');
  if (missing >= 0) {
    const fieldset = form.querySelectorAll('fieldset.question')[missing];
    const message = document.createElement('p');
    message.className = 'error';
    message.setAttribute('role', 'alert');
    message.textContent = `Please answer question ${missing + 1} before submitting.`;
    fieldset.append(message);
    fieldset.querySelector('input, select, button:not([disabled])').focus();
    return;
  }
  const now = new Date();
  let raw = 0;
  const items = QUESTIONS.map((question, i) => {
    const response = answers[question.id];
    const success = statements.isCorrect(question, response);
    if (success) raw += 1;
    const timing = timings[question.id];
    send(statements.answered(launch, COURSE, question, { response, success, durationMs: timing ? timing.last - timing.first : 0 }, now));
    return { n: i + 1, success };
  });
  const score = { raw, min: 0, max: QUESTIONS.length };
  const sessionMs = Date.now() - sessionStart;
  send(statements.completed(launch, COURSE, sessionMs, now));
  const verdict = statements.judged(launch, COURSE, score, COURSE.passingScaled, sessionMs, now);
  send(verdict);
  bookmark.result = { raw, max: score.max, passed: verdict.result.success, items };
  bookmark.draft = {};
  saveBookmark();
  showResult(bookmark.result);
}

function showResult(result) {
  document.getElementById('quiz').hidden = true;
  document.getElementById('results').hidden = false;
  const summary = document.getElementById('results-summary');
  summary.textContent = `You answered ${result.raw} of ${result.max} questions correctly. ${result.passed ? 'You passed.' : `The pass mark is ${COURSE.passingScaled * 100}%.`}`;
  summary.className = result.passed ? 'result-pass' : 'result-fail';
  const list = document.getElementById('results-list');
  list.innerHTML = '';
  for (const item of result.items) {
    const li = document.createElement('li');
    li.textContent = `Question ${item.n}: ${item.success ? 'correct' : 'not correct'}`;
    li.className = `feedback ${item.success ? 'correct' : 'wrong'}`;
    list.append(li);
  }
  document.getElementById('retry').hidden = result.passed;
  document.getElementById('results-heading').focus();
}

/** terminated, sent with keepalive so that it survives the page going away (xAPI has no beacon). */
function terminate(now) {
  if (terminatedSent || !launch.tracked) return Promise.resolve();
  terminatedSent = true;
  const statement = statements.terminated(launch, COURSE, Date.now() - sessionStart, new Date());
  const post = () =>
    fetch(`${launch.endpoint}statements`, {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3', ...(launch.auth ? { Authorization: launch.auth } : {}) },
      body: JSON.stringify(statement),
    });
  // On pagehide there is no time to wait for the queue: the request must start now.
  return (now ? post() : queue.then(post)).catch((error) => console.error('terminated not sent', error));
}

previousButton.addEventListener('click', () => { if (current > 0) show(current - 1); });
nextButton.addEventListener('click', () => { if (current < PAGES.length - 1) show(current + 1); });
exitButton.addEventListener('click', async () => {
  exitButton.disabled = true;
  await saveBookmark();
  await terminate();
  main.innerHTML = '<h1 tabindex="-1">Your progress is saved</h1><p>You can close this window. Next time, the course opens where you stopped.</p>';
  main.querySelector('h1').focus();
  previousButton.disabled = true;
  nextButton.disabled = true;
});
window.addEventListener('pagehide', () => { terminate(true); });

start();
