/*
 * Interview techniques, test SCO (SCORM 2004 4th Edition).
 *
 * Reports: one cmi.interactions.n per question (choice, choice with several answers, true-false,
 * fill-in, sequencing, likert) with description, correct_responses, learner_response, result,
 * latency, timestamp and weighting; cmi.score.raw/min/max/scaled; cmi.success_status against
 * cmi.scaled_passing_score (0.8 from the manifest's minNormalizedMeasure, the same here when the
 * LMS gives none); cmi.completion_status and cmi.progress_measure; cmi.location and
 * cmi.suspend_data (draft answers) for resume; cmi.session_time; cmi.exit; adl.nav.request
 * "previous" (back to the lesson), "suspendAll" (save and exit) or "exitAll" (finish).
 */
(function () {
  'use strict';

  var PHASES = {
    plan: 'Planning and preparation',
    engage: 'Engage and explain',
    account: 'Account, clarification and challenge',
    closure: 'Closure',
    evaluate: 'Evaluate',
  };
  var INITIAL_ORDER = ['account', 'plan', 'evaluate', 'engage', 'closure'];

  function radio(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : '';
  }

  /** Each question: SCORM 2004 interaction type, description, correct response pattern, how to read and judge the answer. */
  var QUESTIONS = [
    { id: 'q1-open-question', type: 'choice', description: 'Which of these is an open question?', pattern: 'b',
      read: function (form) { return radio(form, 'q1'); } },
    { id: 'q2-planning-tasks', type: 'choice', description: 'Which of these belong to planning an interview?', pattern: 'a[,]b[,]d',
      read: function (form) {
        return Array.prototype.map.call(form.querySelectorAll('input[name="q2"]:checked'), function (c) { return c.value; }).join('[,]');
      } },
    { id: 'q3-leading-questions', type: 'true-false', description: 'Leading questions are the best way to obtain a reliable first account.', pattern: 'false',
      read: function (form) { return radio(form, 'q3'); } },
    { id: 'q4-peace-a', type: 'fill-in', description: 'In the PEACE model, the letter A stands for ...', pattern: '{case_matters=false}Account',
      read: function (form) { return form.elements.q4.value.trim(); },
      judge: function (answer) { return answer.toLowerCase() === 'account'; } },
    { id: 'q5-peace-order', type: 'sequencing', description: 'Put the phases of an interview in order.', pattern: 'plan[,]engage[,]account[,]closure[,]evaluate',
      read: function () { return state.order.join('[,]'); } },
    { id: 'q6-planning-confidence', type: 'likert', description: 'How confident do you feel about planning an investigative interview?', pattern: null,
      read: function (form) { return radio(form, 'q6'); } },
  ];
  var SCORED = QUESTIONS.filter(function (q) { return q.pattern !== null; }).length;

  var scorm = new window.Scorm2004(window);
  var sessionStart = Date.now();
  var state = { v: 1, draft: {}, order: INITIAL_ORDER.slice(), touched: {}, result: null };
  var passingScore = 0.8;
  var mode = 'normal';
  var timings = {};
  var form = document.getElementById('quiz');

  function recording() {
    return scorm.initialized && !scorm.terminated && mode === 'normal';
  }

  function save(commit) {
    if (!recording()) return;
    scorm.set('cmi.location', state.result ? 'results' : 'questions');
    scorm.set('cmi.suspend_data', JSON.stringify(state));
    if (commit) scorm.commit();
  }

  function start() {
    if (scorm.available()) scorm.initialize();
    if (!scorm.initialized) document.getElementById('tracking-notice').hidden = false;
    else {
      mode = scorm.get('cmi.mode') || 'normal';
      var passing = parseFloat(scorm.get('cmi.scaled_passing_score'));
      if (!isNaN(passing)) passingScore = passing;
      if (scorm.get('cmi.entry') === 'resume') {
        try {
          var saved = JSON.parse(scorm.get('cmi.suspend_data') || 'null');
          if (saved && saved.v === 1) state = saved;
        } catch (e) {
          // Unreadable suspend data: start the test again.
        }
      }
      if (recording() && scorm.get('cmi.completion_status') !== 'completed') scorm.set('cmi.completion_status', 'incomplete');
    }
    renderOrder();
    restoreDraft();
    document.getElementById('back-to-lesson').disabled = scorm.initialized && !scorm.navAllowed('previous');
    if (state.result) showResult(state.result);
    else document.getElementById('page-title').focus();
    save(true);
  }

  function renderOrder(focusId, focusDirection) {
    var list = document.getElementById('q5-list');
    list.innerHTML = '';
    state.order.forEach(function (id, index) {
      var li = document.createElement('li');
      li.setAttribute('data-id', id);
      var text = document.createElement('span');
      text.textContent = PHASES[id];
      li.appendChild(text);
      [['up', 'Move up', index === 0], ['down', 'Move down', index === state.order.length - 1]].forEach(function (b) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary';
        button.textContent = b[1];
        button.setAttribute('aria-label', b[1] + ': ' + PHASES[id]);
        button.setAttribute('data-move', b[0]);
        button.disabled = b[2];
        li.appendChild(button);
      });
      list.appendChild(li);
    });
    if (focusId) {
      var target = list.querySelector('li[data-id="' + focusId + '"] button[data-move="' + focusDirection + '"]');
      if (!target || target.disabled) target = list.querySelector('li[data-id="' + focusId + '"] button:not([disabled])');
      if (target) target.focus();
    }
  }

  document.getElementById('q5-list').addEventListener('click', function (event) {
    var button = event.target.closest('button[data-move]');
    if (!button) return;
    var id = button.parentNode.getAttribute('data-id');
    var from = state.order.indexOf(id);
    var to = button.getAttribute('data-move') === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= state.order.length) return;
    state.order.splice(from, 1);
    state.order.splice(to, 0, id);
    state.touched.q5 = true;
    renderOrder(id, button.getAttribute('data-move'));
    mark('q5');
    save(false);
  });

  function mark(q) {
    var now = Date.now();
    if (!timings[q]) timings[q] = { first: now, last: now };
    timings[q].last = now;
  }

  form.addEventListener('focusin', function (event) {
    var fieldset = event.target.closest('fieldset.question');
    if (fieldset && !timings[fieldset.getAttribute('data-question')]) mark(fieldset.getAttribute('data-question'));
  });
  form.addEventListener('change', function (event) {
    var fieldset = event.target.closest('fieldset.question');
    if (fieldset) mark(fieldset.getAttribute('data-question'));
    var draft = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (el.checked) draft[el.name] = (draft[el.name] ? draft[el.name] + ',' : '') + el.value;
      } else draft[el.name] = el.value;
    });
    state.draft = draft;
    save(false);
  });

  function restoreDraft() {
    Object.keys(state.draft).forEach(function (name) {
      var values = String(state.draft[name]).split(',');
      Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (el) {
        if (el.type === 'radio' || el.type === 'checkbox') el.checked = values.indexOf(el.value) >= 0;
        else el.value = state.draft[name];
      });
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var old = form.querySelector('.error');
    if (old) old.remove();
    var responses = QUESTIONS.map(function (q) { return q.read(form); });
    var missing = -1;
    responses.forEach(function (r, i) { if (missing < 0 && r === '') missing = i; });
    if (missing < 0 && !state.touched.q5) missing = 4;
    if (missing >= 0) {
      var fieldset = form.querySelectorAll('fieldset.question')[missing];
      var message = document.createElement('p');
      message.className = 'error';
      message.setAttribute('role', 'alert');
      message.textContent = missing === 4 ? 'Please put the phases of question 5 in order before submitting.' : 'Please answer question ' + (missing + 1) + ' before submitting.';
      fieldset.appendChild(message);
      fieldset.querySelector('input, button:not([disabled])').focus();
      return;
    }
    submit(responses);
  });

  function sameSet(a, b) {
    return a.split('[,]').sort().join('[,]') === b.split('[,]').sort().join('[,]');
  }

  function submit(responses) {
    var now = new Date();
    var raw = 0;
    var items = [];
    var base = parseInt(scorm.get('cmi.interactions._count'), 10) || 0;
    QUESTIONS.forEach(function (q, i) {
      var response = responses[i];
      var result;
      if (q.pattern === null) result = 'neutral';
      else {
        var correct = q.judge ? q.judge(response) : q.type === 'choice' ? sameSet(response, q.pattern) : response === q.pattern;
        if (correct) raw += 1;
        result = correct ? 'correct' : 'incorrect';
      }
      items.push({ n: i + 1, result: result });
      if (!recording()) return;
      var timing = timings['q' + (i + 1)];
      var p = 'cmi.interactions.' + (base + i) + '.';
      // SCORM 2004 RTE 4.2.9.1: id, then type, before responses can be checked against the type.
      scorm.set(p + 'id', q.id);
      scorm.set(p + 'type', q.type);
      scorm.set(p + 'description', q.description);
      if (q.pattern !== null) scorm.set(p + 'correct_responses.0.pattern', q.pattern);
      scorm.set(p + 'learner_response', response);
      scorm.set(p + 'result', result);
      scorm.set(p + 'weighting', q.pattern === null ? '0' : '1');
      scorm.set(p + 'latency', window.Scorm2004.duration(timing ? timing.last - timing.first : 0));
      scorm.set(p + 'timestamp', window.Scorm2004.timestamp(now));
    });
    var scaled = raw / SCORED;
    var passed = scaled >= passingScore;
    state.result = { raw: raw, scaled: scaled, passed: passed, items: items };
    if (recording()) {
      scorm.set('cmi.score.min', '0');
      scorm.set('cmi.score.max', String(SCORED));
      scorm.set('cmi.score.raw', String(raw));
      scorm.set('cmi.score.scaled', window.Scorm2004.decimal(scaled));
      scorm.set('cmi.success_status', passed ? 'passed' : 'failed');
      scorm.set('cmi.completion_status', 'completed');
      scorm.set('cmi.progress_measure', '1');
    }
    save(true);
    showResult(state.result);
  }

  function showResult(result) {
    form.hidden = true;
    document.getElementById('results').hidden = false;
    var summary = document.getElementById('results-summary');
    summary.textContent = 'You answered ' + result.raw + ' of ' + SCORED + ' scored questions correctly (' + Math.round(result.scaled * 100) + '%). ' +
      (result.passed ? 'You passed.' : 'The pass mark is ' + Math.round(passingScore * 100) + '%.');
    summary.className = result.passed ? 'result-pass' : 'result-fail';
    var list = document.getElementById('results-list');
    list.innerHTML = '';
    result.items.forEach(function (item) {
      var li = document.createElement('li');
      li.textContent = 'Question ' + item.n + ': ' + (item.result === 'neutral' ? 'thank you' : item.result === 'correct' ? 'correct' : 'not correct');
      li.className = 'feedback ' + (item.result === 'incorrect' ? 'wrong' : 'correct');
      list.appendChild(li);
    });
    document.getElementById('retry').hidden = result.passed;
    document.getElementById('results-heading').focus();
  }

  document.getElementById('retry').addEventListener('click', function () {
    state = { v: 1, draft: {}, order: INITIAL_ORDER.slice(), touched: {}, result: null };
    timings = {};
    form.reset();
    renderOrder();
    form.hidden = false;
    document.getElementById('results').hidden = true;
    save(true);
    document.getElementById('page-title').focus();
  });

  function end(navRequest, exit) {
    if (!scorm.initialized || scorm.terminated) return;
    if (recording()) {
      scorm.set('cmi.exit', exit || (state.result && state.result.passed ? 'normal' : 'suspend'));
      scorm.set('cmi.session_time', window.Scorm2004.duration(Date.now() - sessionStart));
    }
    if (navRequest) scorm.set('adl.nav.request', navRequest);
    scorm.terminate();
  }

  function closed(message) {
    var main = document.getElementById('page');
    main.innerHTML = '<h1 tabindex="-1"></h1><p>You can close this window if it stays open.</p>';
    main.querySelector('h1').textContent = message;
    main.querySelector('h1').focus();
    Array.prototype.forEach.call(document.querySelectorAll('nav button'), function (b) { b.disabled = true; });
  }

  document.getElementById('finish').addEventListener('click', function () {
    end('exitAll', 'normal');
    closed('You have finished the course');
  });
  document.getElementById('back-to-lesson').addEventListener('click', function () {
    end('previous');
    closed('Opening the lesson…');
  });
  document.getElementById('save-exit').addEventListener('click', function () {
    end('suspendAll', 'suspend');
    closed('Your answers are saved');
  });
  window.addEventListener('pagehide', function () { end(null); });
  window.addEventListener('beforeunload', function () { end(null); });

  start();
})();
