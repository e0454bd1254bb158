/*
 * Interpol notices, test AU (moveOn Passed, masteryScore 0.8 in cmi5.xml): five questions sent
 * as cmi5 allowed "answered" statements in the session (the LaunchData context template), then
 * "completed" and "passed" or "failed" with the score judged against LaunchData.masteryScore,
 * then "terminated".
 */
import { OWN_PASS_MARK, QUESTIONS, TEST_ID, isRight } from './course-data.js';
import { judgeTest } from './au-session.js';
import { endSession, readState, showPreviewNotice, startSession, writeState } from './au-runtime.js';

const form = document.getElementById('quiz');
const exitButton = document.getElementById('exit');
const timings = {};
let session;
// What this registration already reported: cmi5 9.3.3 and 9.3.4 allow one "completed" and one "passed" per registration.
let status = { v: 1, completed: false, passed: false };

const lang = (text) => ({ 'en-US': text });

function read(question) {
  const radio = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value;
  switch (question.kind) {
    case 'true-false': {
      const value = radio(question.field);
      return value === undefined ? undefined : value === 'true';
    }
    case 'fill-in': {
      const value = form.elements[question.field].value.trim();
      return value === '' ? undefined : [value];
    }
    case 'matching': {
      const answer = {};
      for (const s of question.source) {
        const value = form.elements[`${question.field}-${s.id}`].value;
        if (!value) return undefined;
        answer[s.id] = value;
      }
      return answer;
    }
    default: {
      const value = radio(question.field);
      return value === undefined ? undefined : [value];
    }
  }
}

/** Sends one answer as a cmi5 allowed statement (verb answered, object .../test/<test>/question/<id>). */
function sendAnswer(question, answer, success, period) {
  const c = session.cmi5;
  const name = lang(question.name);
  const description = lang(question.description);
  switch (question.kind) {
    case 'true-false':
      return c.interactionTrueFalse(TEST_ID, question.id, answer, question.correct, name, description, success, period);
    case 'fill-in':
      return c.interactionFillIn(TEST_ID, question.id, answer, ['{case_matters=false}' + question.correct[0]], name, description, success, period);
    case 'matching':
      return c.interactionMatching(TEST_ID, question.id, answer, question.correct, question.source, question.target, name, description, success, period);
    default:
      return c.interactionChoice(TEST_ID, question.id, answer, question.correct, question.choices, name, description, success, period);
  }
}

function mark(q) {
  const now = new Date();
  timings[q] ??= { start: now, end: now };
  timings[q].end = now;
}

form.addEventListener('focusin', (event) => {
  const q = event.target.closest('fieldset.question')?.dataset.question;
  if (q && !timings[q]) mark(q);
});
form.addEventListener('change', (event) => {
  const q = event.target.closest('fieldset.question')?.dataset.question;
  if (q) mark(q);
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  form.querySelector('.error')?.remove();
  const answers = QUESTIONS.map(read);
  const missing = answers.findIndex((a) => a === undefined);
  if (missing >= 0) {
    const fieldset = form.querySelectorAll('fieldset.question')[missing];
    const message = document.createElement('p');
    message.className = 'error';
    message.setAttribute('role', 'alert');
    message.textContent = `Please answer question ${missing + 1} before submitting.`;
    fieldset.append(message);
    fieldset.querySelector('input, select').focus();
    return;
  }
  form.querySelector('button[type="submit"]').disabled = true;
  const results = QUESTIONS.map((q, i) => isRight(q, answers[i]));
  const outcome = judgeTest({ correct: results.filter(Boolean).length, total: QUESTIONS.length, launchData: session.launchData, ownPassMark: OWN_PASS_MARK });
  if (session.cmi5) {
    try {
      for (const [i, q] of QUESTIONS.entries()) {
        const period = timings[q.id] ?? { start: new Date(), end: new Date() };
        await sendAnswer(q, answers[i], results[i], period);
      }
      if (outcome.verb !== null) {
        if (!status.completed) await session.cmi5.complete();
        status.completed = true;
        if (outcome.verb === 'passed' && !status.passed) {
          await session.cmi5.pass(outcome.score);
          status.passed = true;
        } else if (outcome.verb === 'failed') {
          await session.cmi5.fail(outcome.score);
        }
        await writeState(session, 'status', status);
      }
    } catch (error) {
      console.error('results not sent', error);
    }
  }
  showResult(outcome, results);
});

function showResult(outcome, results) {
  form.hidden = true;
  document.getElementById('results').hidden = false;
  const summary = document.getElementById('results-summary');
  const passed = outcome.score.scaled >= outcome.mastery;
  summary.textContent = `You answered ${outcome.score.raw} of ${outcome.score.max} questions correctly (${Math.round(outcome.score.scaled * 100)}%). ` +
    (passed ? 'You passed.' : `The pass mark is ${Math.round(outcome.mastery * 100)}%. Launch the test again to have another try.`);
  summary.className = passed ? 'result-pass' : 'result-fail';
  const list = document.getElementById('results-list');
  list.innerHTML = '';
  results.forEach((right, i) => {
    const li = document.createElement('li');
    li.textContent = `Question ${i + 1}: ${right ? 'correct' : 'not correct'}`;
    li.className = `feedback ${right ? 'correct' : 'wrong'}`;
    list.append(li);
  });
  document.getElementById('results-heading').focus();
}

exitButton.addEventListener('click', async () => {
  exitButton.disabled = true;
  const leaving = await endSession(session);
  if (!leaving) {
    const main = document.getElementById('page');
    main.innerHTML = '<h1 tabindex="-1">You have left the test</h1><p>You can close this window.</p>';
    main.querySelector('h1').focus();
  }
});

(async () => {
  session = await startSession();
  showPreviewNotice(session);
  const saved = await readState(session, 'status');
  if (saved && saved.v === 1) status = saved;
  if (session.launchData && session.launchData.launchMode !== 'Normal') {
    document.getElementById('mode-notice').hidden = false;
  }
  document.getElementById('page').dataset.ready = 'true';
})();
