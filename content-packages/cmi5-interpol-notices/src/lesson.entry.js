/*
 * Interpol notices, lesson AU (moveOn Completed): pages, "progressed" as pages are seen,
 * "completed" once every page has been seen (once per registration, cmi5 9.3.3), a bookmark in
 * the State API, and "terminated" on exit.
 */
import { endSession, readState, showPreviewNotice, startSession, writeState } from './au-runtime.js';

const PAGES = [
  { id: 'what-notices-are', file: 'pages/01-what-notices-are.html', title: 'What notices are' },
  { id: 'colours', file: 'pages/02-colours.html', title: 'The colours of notices' },
  { id: 'diffusions', file: 'pages/03-diffusions.html', title: 'Diffusions and the National Central Bureau' },
  { id: 'on-a-hit', file: 'pages/04-on-a-hit.html', title: 'When you get a hit' },
];
const TITLE = 'Interpol notices: lesson';

const main = document.getElementById('page');
const previousButton = document.getElementById('previous');
const nextButton = document.getElementById('next');
const exitButton = document.getElementById('exit');
const progress = document.getElementById('progress');

let session;
let bookmark = { v: 1, page: PAGES[0].id, seen: [], completed: false };
let current = 0;

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
  document.title = `${page.title} – ${TITLE}`;
  main.setAttribute('aria-busy', 'false');
  main.setAttribute('data-page', page.id);
  previousButton.disabled = current === 0;
  nextButton.disabled = current === PAGES.length - 1;
  progress.textContent = `Page ${current + 1} of ${PAGES.length}`;
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  const isNew = !bookmark.seen.includes(page.id);
  if (isNew) bookmark.seen.push(page.id);
  bookmark.page = page.id;
  if (session.cmi5 && session.launchData.launchMode === 'Normal' && !bookmark.completed) {
    if (bookmark.seen.length === PAGES.length) {
      bookmark.completed = true;
      await session.cmi5.complete().catch((error) => console.error('completed not sent', error));
    } else if (isNew) {
      await session.cmi5.progress(Math.round((bookmark.seen.length / PAGES.length) * 100)).catch((error) => console.error('progressed not sent', error));
    }
  }
  await writeState(session, 'bookmark', bookmark);
  main.dataset.saved = 'true';
}

async function start() {
  session = await startSession();
  showPreviewNotice(session);
  const saved = await readState(session, 'bookmark');
  if (saved && saved.v === 1) bookmark = saved;
  const index = PAGES.findIndex((p) => p.id === bookmark.page);
  await show(index >= 0 ? index : 0);
}

previousButton.addEventListener('click', () => { if (current > 0) show(current - 1); });
nextButton.addEventListener('click', () => { if (current < PAGES.length - 1) show(current + 1); });
exitButton.addEventListener('click', async () => {
  exitButton.disabled = true;
  previousButton.disabled = true;
  nextButton.disabled = true;
  const leaving = await endSession(session);
  if (!leaving) {
    main.innerHTML = '<h1 tabindex="-1">You have left the lesson</h1><p>You can close this window.</p>';
    main.querySelector('h1').focus();
  }
});

start();
