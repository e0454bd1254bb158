/*
 * Interview techniques, lesson SCO (SCORM 2004 4th Edition).
 *
 * Reports: cmi.location (page id) and cmi.suspend_data (pages seen) for resume;
 * cmi.progress_measure (pages seen / pages); cmi.completion_status incomplete -> completed when
 * every page has been seen; cmi.success_status "passed" at the same moment: the lesson's primary
 * objective is "studied the lesson", mapped to a global objective that the test's precondition
 * reads (imsmanifest.xml); cmi.session_time; cmi.exit "suspend" when leaving mid-way, "normal"
 * when done; adl.nav.request "continue" to the test or "suspendAll" on Save and exit.
 */
(function () {
  'use strict';

  var TITLE = 'Interview techniques';
  var PAGES = [
    { id: 'welcome', file: 'pages/01-welcome.html', title: 'Welcome' },
    { id: 'planning', file: 'pages/02-planning.html', title: 'Planning and preparation' },
    { id: 'engage', file: 'pages/03-engage.html', title: 'Engage and explain' },
    { id: 'account', file: 'pages/04-account.html', title: 'Account, closure and evaluation' },
    { id: 'summary', file: 'pages/05-summary.html', title: 'Summary' },
  ];

  var scorm = new window.Scorm2004(window);
  var sessionStart = Date.now();
  var state = { v: 1, seen: [] };
  var current = 0;
  var mode = 'normal';
  var completed = false;

  var main = document.getElementById('page');
  var previousButton = document.getElementById('previous');
  var nextButton = document.getElementById('next');
  var exitButton = document.getElementById('save-exit');
  var progress = document.getElementById('progress');

  function recording() {
    return scorm.initialized && !scorm.terminated && mode === 'normal';
  }

  function start() {
    if (scorm.available()) scorm.initialize();
    if (!scorm.initialized) {
      document.getElementById('tracking-notice').hidden = false;
      show(0);
      return;
    }
    mode = scorm.get('cmi.mode') || 'normal';
    completed = scorm.get('cmi.completion_status') === 'completed';
    if (recording() && !completed) scorm.set('cmi.completion_status', 'incomplete');
    // SCORM 2004 RTE 4.2.9: cmi.location and cmi.suspend_data only carry over when cmi.entry is "resume".
    if (scorm.get('cmi.entry') === 'resume') {
      try {
        var saved = JSON.parse(scorm.get('cmi.suspend_data') || 'null');
        if (saved && saved.v === 1) state = saved;
      } catch (e) {
        // Unreadable suspend data from another version of the lesson: start again.
      }
      var index = PAGES.map(function (p) { return p.id; }).indexOf(scorm.get('cmi.location'));
      show(index >= 0 ? index : 0);
    } else show(0);
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
        main.innerHTML = new DOMParser().parseFromString(html, 'text/html').querySelector('main').innerHTML;
        afterShow(page);
      })
      .catch(function (error) {
        main.innerHTML = '<h1>This page could not be loaded</h1><p class="error"></p>';
        main.querySelector('.error').textContent = String(error && error.message);
        afterShow(page);
      });
  }

  function afterShow(page) {
    document.title = page.title + ' – ' + TITLE;
    main.setAttribute('aria-busy', 'false');
    main.setAttribute('data-page', page.id);
    if (state.seen.indexOf(page.id) < 0) state.seen.push(page.id);
    previousButton.disabled = current === 0;
    nextButton.disabled = current === PAGES.length - 1;
    progress.textContent = 'Page ' + (current + 1) + ' of ' + PAGES.length;
    var continueButton = document.getElementById('continue-to-test');
    if (continueButton) continueButton.addEventListener('click', continueToTest);
    var heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
    if (recording()) {
      scorm.set('cmi.location', page.id);
      scorm.set('cmi.suspend_data', JSON.stringify(state));
      scorm.set('cmi.progress_measure', window.Scorm2004.decimal(state.seen.length / PAGES.length));
      if (!completed && state.seen.length === PAGES.length) {
        completed = true;
        scorm.set('cmi.completion_status', 'completed');
        scorm.set('cmi.success_status', 'passed');
      }
      scorm.commit();
    }
  }

  /** Ends the session with the exit type and, when given, a navigation request for the LMS to act on after Terminate. */
  function end(navRequest, exit) {
    if (!scorm.initialized || scorm.terminated) return;
    if (recording()) {
      scorm.set('cmi.exit', exit || (completed ? 'normal' : 'suspend'));
      scorm.set('cmi.session_time', window.Scorm2004.duration(Date.now() - sessionStart));
    }
    if (navRequest) scorm.set('adl.nav.request', navRequest);
    scorm.terminate();
  }

  function closed(message) {
    main.innerHTML = '<h1 tabindex="-1"></h1><p>You can close this window if it stays open.</p>';
    main.querySelector('h1').textContent = message;
    main.querySelector('h1').focus();
    previousButton.disabled = true;
    nextButton.disabled = true;
    exitButton.disabled = true;
  }

  function continueToTest() {
    end('continue');
    closed('Opening the test…');
  }

  previousButton.addEventListener('click', function () { if (current > 0) show(current - 1); });
  nextButton.addEventListener('click', function () { if (current < PAGES.length - 1) show(current + 1); });
  exitButton.addEventListener('click', function () {
    // suspendAll keeps the whole course attempt open, with this lesson as the place to come back to.
    end('suspendAll', 'suspend');
    closed('Your progress is saved');
  });
  window.addEventListener('pagehide', function () { end(null); });
  window.addEventListener('beforeunload', function () { end(null); });

  start();
})();
