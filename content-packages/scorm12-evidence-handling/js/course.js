/*
 * Evidence handling basics: one SCORM 1.2 SCO made of several pages.
 *
 * What it reports (SCORM 1.2 RTE, section 3.4): cmi.core.lesson_location (the page id) and
 * cmi.suspend_data (pages seen, draft answers, last result) so that a relaunch resumes where the
 * learner left; cmi.core.lesson_status incomplete -> passed/failed against
 * cmi.student_data.mastery_score (from adlcp:masteryscore), or "completed" when the LMS gives no
 * mastery score; cmi.core.score.raw/min/max; one cmi.interactions.n per answer;
 * cmi.core.session_time; cmi.core.exit "suspend" when the learner leaves before passing.
 */
(function () {
  'use strict';

  var COURSE = 'Evidence handling basics';
  var PAGES = [
    { id: 'welcome', file: 'pages/01-welcome.html', title: 'Welcome' },
    { id: 'scene', file: 'pages/02-scene.html', title: 'Protecting the scene' },
    { id: 'packaging', file: 'pages/03-packaging.html', title: 'Collecting and packaging' },
    { id: 'custody', file: 'pages/04-custody.html', title: 'Chain of custody' },
    { id: 'quiz', file: 'pages/05-quiz.html', title: 'Knowledge check' },
  ];

  /** The questions: SCORM 1.2 interaction type, the correct response pattern and how to read and judge an answer. */
  var QUESTIONS = [
    { id: 'q1-damp-clothing', type: 'choice', pattern: 'b',
      read: function (form) { return radioValue(form, 'q1'); } },
    { id: 'q2-reopen-seal', type: 'true-false', pattern: 'f',
      read: function (form) { return radioValue(form, 'q2'); } },
    { id: 'q3-chain-of', type: 'fill-in', pattern: 'custody',
      read: function (form) { return form.elements.q3.value.trim(); },
      judge: function (answer) { return answer.toLowerCase() === 'custody'; } },
    { id: 'q4-packaging-match', type: 'matching', pattern: '1.a,2.b,3.c',
      read: function (form) {
        var pairs = [];
        for (var i = 1; i <= 3; i += 1) {
          var value = form.elements['q4-' + i].value;
          if (!value) return '';
          pairs.push(i + '.' + value);
        }
        return pairs.join(',');
      } },
    { id: 'q5-minutes-in-transit', type: 'numeric', pattern: '150',
      read: function (form) { return form.elements.q5.value.trim(); },
      judge: function (answer) { return Number(answer) === 150; } },
  ];

  var DEFAULT_STATE = function () { return { v: 1, seen: [], draft: {}, attempts: 0, result: null }; };

  var scorm = new window.Scorm12(window);
  var sessionStart = Date.now();
  var state = DEFAULT_STATE();
  var current = 0;
  var mastery = null;
  var mode = 'normal';
  var ended = false;
  var timings = {};

  var main = document.getElementById('page');
  var previousButton = document.getElementById('previous');
  var nextButton = document.getElementById('next');
  var exitButton = document.getElementById('save-exit');
  var progress = document.getElementById('progress');

  function radioValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : '';
  }

  function recording() {
    return scorm.initialized && !scorm.finished && mode !== 'review';
  }

  function save(commit) {
    if (!recording()) return;
    scorm.set('cmi.core.lesson_location', PAGES[current].id);
    scorm.set('cmi.suspend_data', JSON.stringify(state));
    if (commit) scorm.commit();
  }

  function start() {
    if (scorm.available()) scorm.initialize();
    if (!scorm.initialized) {
      document.getElementById('tracking-notice').hidden = false;
      show(0);
      return;
    }
    mode = scorm.get('cmi.core.lesson_mode') || 'normal';
    var status = scorm.get('cmi.core.lesson_status');
    if (status === 'not attempted' || status === '') {
      scorm.set('cmi.core.lesson_status', mode === 'browse' ? 'browsed' : 'incomplete');
    }
    var masteryScore = parseFloat(scorm.get('cmi.student_data.mastery_score'));
    mastery = isNaN(masteryScore) ? null : masteryScore;
    var saved = scorm.get('cmi.suspend_data');
    if (saved) {
      try {
        var parsed = JSON.parse(saved);
        if (parsed && parsed.v === 1) state = parsed;
      } catch (e) {
        // Unreadable suspend data (another version of the course): start again.
      }
    }
    var location = scorm.get('cmi.core.lesson_location');
    var index = PAGES.map(function (p) { return p.id; }).indexOf(location);
    show(index >= 0 ? index : 0);
  }

  function show(index) {
    current = index;
    var page = PAGES[index];
    main.setAttribute('aria-busy', 'true');
    fetch(page.file)
      .then(function (response) {
        if (!response.ok) throw new Error(page.file + ': HTTP ' + response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        main.innerHTML = doc.querySelector('main').innerHTML;
        afterShow(page);
      })
      .catch(function (error) {
        main.innerHTML = '<h1>This page could not be loaded</h1><p class="error"></p>';
        main.querySelector('.error').textContent = String(error && error.message);
        afterShow(page);
      });
  }

  function afterShow(page) {
    document.title = page.title + ' – ' + COURSE;
    main.setAttribute('aria-busy', 'false');
    main.setAttribute('data-page', page.id);
    if (state.seen.indexOf(page.id) < 0) state.seen.push(page.id);
    previousButton.disabled = current === 0;
    nextButton.disabled = current === PAGES.length - 1;
    progress.textContent = 'Page ' + (current + 1) + ' of ' + PAGES.length;
    if (page.id === 'quiz') setUpQuiz();
    var heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
    save(true);
  }

  function setUpQuiz() {
    var form = document.getElementById('quiz');
    timings = {};
    restoreDraft(form);
    form.addEventListener('focusin', touch);
    form.addEventListener('input', answered);
    form.addEventListener('change', answered);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      submitQuiz(form);
    });
    document.getElementById('retry-quiz').addEventListener('click', function () {
      state.result = null;
      state.draft = {};
      form.reset();
      timings = {};
      form.hidden = false;
      document.getElementById('results').hidden = true;
      save(true);
      form.querySelector('input, select').focus();
    });
    if (state.result) showResult(state.result);
  }

  function questionOf(target) {
    var fieldset = target.closest && target.closest('fieldset.question');
    return fieldset ? fieldset.getAttribute('data-question') : null;
  }

  function touch(event) {
    var q = questionOf(event.target);
    if (q && !timings[q]) timings[q] = { first: Date.now(), last: Date.now() };
  }

  function answered(event) {
    touch(event);
    var q = questionOf(event.target);
    if (q) timings[q].last = Date.now();
    var form = document.getElementById('quiz');
    var draft = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === 'radio') { if (el.checked) draft[el.name] = el.value; } else draft[el.name] = el.value;
    });
    state.draft = draft;
    save(false);
  }

  function restoreDraft(form) {
    Object.keys(state.draft || {}).forEach(function (name) {
      var value = state.draft[name];
      var field = form.elements[name];
      if (!field) return;
      if (field.length !== undefined && field[0] && field[0].type === 'radio') {
        Array.prototype.forEach.call(field, function (radio) { radio.checked = radio.value === value; });
      } else field.value = value;
    });
  }

  function submitQuiz(form) {
    var responses = QUESTIONS.map(function (q) { return q.read(form); });
    var missing = responses.indexOf('');
    var existingError = form.querySelector('.error');
    if (existingError) existingError.remove();
    if (missing >= 0) {
      var fieldset = form.querySelectorAll('fieldset.question')[missing];
      var message = document.createElement('p');
      message.className = 'error';
      message.setAttribute('role', 'alert');
      message.textContent = 'Please answer question ' + (missing + 1) + ' before submitting.';
      fieldset.appendChild(message);
      fieldset.querySelector('input, select').focus();
      return;
    }
    var now = new Date();
    var correctCount = 0;
    var items = [];
    var base = parseInt(scorm.get('cmi.interactions._count'), 10) || 0;
    QUESTIONS.forEach(function (q, i) {
      var response = responses[i];
      var correct = q.judge ? q.judge(response) : response === q.pattern;
      if (correct) correctCount += 1;
      items.push({ n: i + 1, correct: correct });
      var timing = timings[form.querySelectorAll('fieldset.question')[i].getAttribute('data-question')];
      var latency = timing ? timing.last - timing.first : 0;
      if (!recording()) return;
      var prefix = 'cmi.interactions.' + (base + i) + '.';
      // SCORM 1.2 RTE 3.4.2.4: id before anything else of the interaction.
      scorm.set(prefix + 'id', q.id);
      scorm.set(prefix + 'type', q.type);
      scorm.set(prefix + 'correct_responses.0.pattern', q.pattern);
      scorm.set(prefix + 'student_response', response);
      scorm.set(prefix + 'result', correct ? 'correct' : 'wrong');
      scorm.set(prefix + 'weighting', '1');
      scorm.set(prefix + 'latency', window.Scorm12.timespan(latency));
      scorm.set(prefix + 'time', window.Scorm12.clockTime(now));
    });
    var raw = Math.round((correctCount / QUESTIONS.length) * 100);
    var status = mastery === null ? 'completed' : raw >= mastery ? 'passed' : 'failed';
    state.attempts += 1;
    state.result = { raw: raw, status: status, items: items };
    if (recording()) {
      scorm.set('cmi.core.score.min', '0');
      scorm.set('cmi.core.score.max', '100');
      scorm.set('cmi.core.score.raw', String(raw));
      scorm.set('cmi.core.lesson_status', status);
    }
    save(true);
    showResult(state.result);
  }

  function showResult(result) {
    var form = document.getElementById('quiz');
    var section = document.getElementById('results');
    form.hidden = true;
    section.hidden = false;
    var verdict = result.status === 'passed' ? 'You passed.' : result.status === 'failed' ? 'You did not reach the pass mark of ' + mastery + '% this time.' : 'You have completed the course.';
    var summary = document.getElementById('results-summary');
    summary.textContent = 'You scored ' + result.raw + '%. ' + verdict;
    summary.className = result.status === 'failed' ? 'result-fail' : 'result-pass';
    var list = document.getElementById('results-list');
    list.innerHTML = '';
    result.items.forEach(function (item) {
      var li = document.createElement('li');
      li.textContent = 'Question ' + item.n + ': ' + (item.correct ? 'correct' : 'not correct');
      li.className = 'feedback ' + (item.correct ? 'correct' : 'wrong');
      list.appendChild(li);
    });
    document.getElementById('retry-quiz').hidden = result.status !== 'failed';
    document.getElementById('results-heading').focus();
  }

  function finished() {
    return state.result !== null && state.result.status !== 'failed';
  }

  /** Ends the session: "suspend" keeps the attempt open for the next launch (SCORM 1.2 RTE 3.4.4, cmi.core.exit). */
  function end() {
    if (ended) return;
    ended = true;
    if (recording()) {
      save(false);
      scorm.set('cmi.core.exit', finished() ? '' : 'suspend');
      scorm.set('cmi.core.session_time', window.Scorm12.timespan(Date.now() - sessionStart));
      scorm.commit();
    }
    scorm.finish();
  }

  previousButton.addEventListener('click', function () { if (current > 0) show(current - 1); });
  nextButton.addEventListener('click', function () { if (current < PAGES.length - 1) show(current + 1); });
  exitButton.addEventListener('click', function () {
    end();
    main.innerHTML = '<h1 tabindex="-1">Your progress is saved</h1><p>You can close this window. Next time, the course opens where you stopped.</p>';
    main.querySelector('h1').focus();
    previousButton.disabled = true;
    nextButton.disabled = true;
    exitButton.disabled = true;
  });
  // Closing the window or the LMS unloading the frame ends the session too.
  window.addEventListener('pagehide', end);
  window.addEventListener('beforeunload', end);

  start();
})();
