/*
 * cadet SCORM player (browser script, served from the content origin).
 *
 * Creates scorm-again's Scorm12API / Scorm2004API as window.API / window.API_1484_11 before the
 * SCO's iframe gets its src, loads the initial CMI data, and sends every commit through a commit
 * queue of its own (scorm-again `httpService`):
 *  - each commit is numbered after the server's lastCommitSequence and written to localStorage
 *    (content origin, one key per attempt) before it is sent, so nothing is lost when the network
 *    drops or the tab closes;
 *  - commits are sent one at a time, in order, with fetch (CORS, no credentials, JSON); a network
 *    failure or a 5xx/408/429 keeps the commit at the head of the queue and retries it with
 *    backoff and as soon as the browser reports it is online again, so commits arrive once and in
 *    order; a 401/403 stops sending (the token is no longer valid) and keeps the queue for the
 *    next launch; any other refusal drops that one commit and says so;
 *  - when the page is being left, whatever is still queued goes out through navigator.sendBeacon
 *    (text/plain, CORS-safelisted, so no preflight); it stays in storage until a later launch
 *    learns from lastCommitSequence that the server has it, and is replayed otherwise. The server
 *    treats commitSequence as idempotent (DESIGN.md), so a replay is harmless.
 * Deliberately not scorm-again's own offline support: it only queues while navigator.onLine is
 * false (a failing server loses the commit), replays past a failed item (reordering) and drops
 * items after maxSyncAttempts.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('cadet-player-data').textContent);
  var labels = config.labels;
  var is2004 = config.scormVersion === 'scorm2004';
  var statusElement = document.getElementById('player-status');
  var frame = document.getElementById('player-frame');

  function format(template, message) {
    return template.replace('{message}', message);
  }

  function showStatus(text, kind) {
    statusElement.textContent = text;
    statusElement.setAttribute('data-kind', kind || 'info');
  }

  function withParam(url, name, value) {
    var parsed = new URL(url);
    parsed.searchParams.set(name, value);
    return parsed.href;
  }

  function isHttpUrl(value) {
    try {
      var protocol = new URL(value, location.href).protocol;
      return protocol === 'http:' || protocol === 'https:';
    } catch (error) {
      return false;
    }
  }

  // ---------------------------------------------------------------- commit queue

  function CommitQueue(options) {
    this.storageKey = options.storageKey;
    this.commitUrl = options.commitUrl;
    this.terminateParam = options.terminateParam;
    this.onStateChange = options.onStateChange;
    this.items = this.load().filter(function (item) {
      return item.sequence > options.lastCommitSequence;
    });
    var highest = options.lastCommitSequence;
    // Sequences the server acknowledged before this page reloaded itself (see "start"): never number below them.
    try {
      var acknowledgedBefore = Number(sessionStorage.getItem(this.storageKey + ':acknowledged'));
      sessionStorage.removeItem(this.storageKey + ':acknowledged');
      if (acknowledgedBefore > highest) highest = acknowledgedBefore;
    } catch (error) {
      // sessionStorage unavailable: the page's lastCommitSequence is all there is
    }
    this.acknowledged = highest;
    this.items.forEach(function (item) {
      item.beaconed = false;
      if (item.sequence > highest) highest = item.sequence;
    });
    this.nextSequence = highest + 1;
    this.sending = false;
    this.unloading = false;
    this.stopped = false;
    this.retryTimer = null;
    this.retryDelay = 0;
    this.waiters = [];
    this.save();
    this.forgetAbandonedQueues();
    var queue = this;
    window.addEventListener('online', function () {
      queue.retryNow();
    });
  }

  CommitQueue.prototype.load = function () {
    try {
      var parsed = JSON.parse(localStorage.getItem(this.storageKey) || '[]');
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(function (item) {
        return item && typeof item.sequence === 'number' && item.body && typeof item.body === 'object';
      });
    } catch (error) {
      return [];
    }
  };

  CommitQueue.prototype.save = function () {
    try {
      if (this.items.length > 0) localStorage.setItem(this.storageKey, JSON.stringify(this.items));
      else localStorage.removeItem(this.storageKey);
    } catch (error) {
      // Storage full or disabled: the queue still works in memory for this page.
    }
  };

  /**
   * Queues of other attempts are replayed by the next launch of their attempt; one that has not
   * been relaunched for 30 days (the attempt was closed elsewhere) is dropped, so storage cannot
   * fill up with them.
   */
  CommitQueue.prototype.forgetAbandonedQueues = function () {
    var prefix = 'cadet-player:commits:';
    var limit = Date.now() - 30 * 24 * 3600 * 1000;
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (!key || key === this.storageKey || key.indexOf(prefix) !== 0) continue;
        var items = JSON.parse(localStorage.getItem(key) || '[]');
        var newest = Array.isArray(items)
          ? items.reduce(function (latest, item) { return Math.max(latest, (item && item.savedAt) || 0); }, 0)
          : 0;
        if (newest < limit) localStorage.removeItem(key);
      }
    } catch (error) {
      // storage unavailable: nothing to tidy
    }
  };

  CommitQueue.prototype.enqueue = function (body, terminate) {
    var sequence = this.nextSequence++;
    var payload = Object.assign({}, body, { commitSequence: sequence });
    this.items.push({ sequence: sequence, terminate: Boolean(terminate), body: payload, beaconed: false, savedAt: Date.now() });
    this.save();
    if (this.unloading) this.flushWithBeacon();
    else this.pump();
    return sequence;
  };

  CommitQueue.prototype.urlFor = function (item) {
    return item.terminate ? withParam(this.commitUrl, this.terminateParam, 'true') : this.commitUrl;
  };

  CommitQueue.prototype.pump = function () {
    if (this.sending || this.unloading || this.stopped || this.retryTimer !== null) return;
    var item = this.items[0];
    if (!item) {
      this.settle();
      return;
    }
    var queue = this;
    this.sending = true;
    this.onStateChange('saving');
    fetch(this.urlFor(item), {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(item.body),
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { status: response.status, text: text };
        });
      })
      .then(
        function (answer) {
          queue.sending = false;
          queue.handleAnswer(item, answer.status, parseJson(answer.text));
        },
        function () {
          queue.sending = false;
          queue.scheduleRetry();
        }
      );
  };

  CommitQueue.prototype.handleAnswer = function (item, status, body) {
    var message = (body && (body.message || body.errorMessage)) || String(status);
    if (status >= 200 && status < 300) {
      if (body && (body.result === true || body.result === 'true')) this.acknowledge(item.sequence);
      else this.reject(item, message);
    } else if (status === 408 || status === 429 || status >= 500) {
      this.scheduleRetry();
    } else if (status === 401 || status === 403) {
      // The launch token expired or was revoked: keep everything for the next launch.
      this.stopped = true;
      this.onStateChange('stopped', message);
    } else {
      this.reject(item, message);
    }
  };

  /** The server has everything up to `sequence`: older commits can never change its state again. */
  CommitQueue.prototype.acknowledge = function (sequence) {
    if (sequence > this.acknowledged) this.acknowledged = sequence;
    this.items = this.items.filter(function (item) {
      return item.sequence > sequence;
    });
    this.retryDelay = 0;
    this.save();
    this.onStateChange(this.items.length > 0 ? 'saving' : 'saved');
    this.pump();
  };

  CommitQueue.prototype.reject = function (item, message) {
    this.items = this.items.filter(function (other) {
      return other !== item;
    });
    this.save();
    this.onStateChange('rejected', message);
    this.pump();
  };

  CommitQueue.prototype.scheduleRetry = function () {
    var queue = this;
    this.retryDelay = Math.min(this.retryDelay ? this.retryDelay * 2 : 1000, 15000);
    this.onStateChange(navigator.onLine === false ? 'offline' : 'retrying');
    this.retryTimer = setTimeout(function () {
      queue.retryTimer = null;
      queue.pump();
    }, this.retryDelay);
  };

  CommitQueue.prototype.retryNow = function () {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryDelay = 0;
    this.pump();
  };

  /** Resolves true once the queue is empty, false after `timeoutMs` if it is not. */
  CommitQueue.prototype.drain = function (timeoutMs) {
    var queue = this;
    if (this.items.length === 0) return Promise.resolve(true);
    this.retryNow();
    return new Promise(function (resolve) {
      var waiter = { resolve: resolve };
      queue.waiters.push(waiter);
      setTimeout(function () {
        var index = queue.waiters.indexOf(waiter);
        if (index >= 0) {
          queue.waiters.splice(index, 1);
          resolve(false);
        }
      }, timeoutMs);
    });
  };

  CommitQueue.prototype.settle = function () {
    var waiters = this.waiters.splice(0);
    waiters.forEach(function (waiter) {
      waiter.resolve(true);
    });
  };

  /** The page is going away: hand every queued commit to the browser, in order. */
  CommitQueue.prototype.flushWithBeacon = function () {
    this.unloading = true;
    if (typeof navigator.sendBeacon !== 'function') return;
    for (var i = 0; i < this.items.length; i++) {
      var item = this.items[i];
      if (item.beaconed) continue;
      try {
        var blob = new Blob([JSON.stringify(item.body)], { type: 'text/plain;charset=UTF-8' });
        item.beaconed = navigator.sendBeacon(this.urlFor(item), blob);
      } catch (error) {
        item.beaconed = false;
      }
    }
    this.save();
  };

  /** The page stayed (a cancelled unload, or back from the back-forward cache). */
  CommitQueue.prototype.resume = function () {
    this.unloading = false;
    this.pump();
  };

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  var pageSession = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
  var queueWasInTrouble = false;
  var queue = new CommitQueue({
    storageKey: config.storageKey,
    commitUrl: config.commitUrl,
    terminateParam: config.terminateCommitParam,
    lastCommitSequence: config.lastCommitSequence,
    onStateChange: function (state, message) {
      if (state === 'offline' || state === 'retrying') {
        queueWasInTrouble = true;
        showStatus(labels['player.status.offline'], 'warning');
      } else if (state === 'stopped' || state === 'rejected') {
        queueWasInTrouble = true;
        showStatus(format(labels['player.status.rejected'], message || ''), 'error');
      } else if (state === 'saved' && queueWasInTrouble) {
        queueWasInTrouble = false;
        showStatus(labels['player.status.saved'], 'info');
      }
    },
  });

  // ---------------------------------------------------------------- scorm-again

  var httpService = {
    reportsRequestCompletion: false,
    processHttpRequest: function (_url, params, immediate) {
      // SCORM 2004: the request the SCO left in adl.nav.request (scorm-again's runtimeData has no
      // adl), so the server can tell suspendAll from exitAll.
      if (immediate && is2004) params = Object.assign({}, params, { navRequest: session.navRequest });
      // Which page (SCO session) the commit comes from: commits kept offline and replayed by a later page of
      // the attempt still belong to the session that made them.
      queue.enqueue(Object.assign({}, params, { playerSession: pageSession }), immediate);
      return { result: 'true', errorCode: 0 };
    },
    updateSettings: function () {},
  };

  var ApiClass = is2004 ? window.Scorm2004API : window.Scorm12API;
  var settings = {
    lmsCommitUrl: config.commitUrl,
    httpService: httpService,
    autocommit: true,
    autocommitSeconds: config.autocommitSeconds,
    dataCommitFormat: 'json',
    commitRequestDataType: 'application/json',
    sendFullCommit: true,
    renderCommonCommitFields: true,
    includeCommitSequence: true,
    terminateCommitParam: config.terminateCommitParam,
    // Informative only: httpService above decides between fetch and sendBeacon (beacon whenever
    // the page is being left, terminate commit or not).
    asyncModeBeaconBehavior: 'on-terminate',
    // The SCO's own cmi.session_time is what SCORM records; the server knows the launch time.
    selfReportSessionTime: false,
    autoCompleteLessonStatus: false,
    logLevel: 4,
  };
  if (is2004 && config.sequencing) settings.sequencing = config.sequencing;

  var api = new ApiClass(settings);
  if (settings.sequencing && !pointSequencingAtCurrentUnit(api)) {
    // Without a current activity scorm-again starts the tree at its first leaf, whatever SCO is
    // loaded, and would hand that activity's objectives to this SCO.
    delete settings.sequencing;
    api = new ApiClass(settings);
  }
  loadInitialCmi(api, config.initialCmi || {});

  function pointSequencingAtCurrentUnit(target) {
    try {
      var tree = target.adl && target.adl.sequencing && target.adl.sequencing.activityTree;
      var activity = tree && config.currentIdentifier ? tree.getActivity(config.currentIdentifier) : null;
      if (!activity) return false;
      tree.setCurrentActivityWithoutActivation(activity);
      return true;
    } catch (error) {
      return false;
    }
  }

  function loadInitialCmi(target, initialCmi) {
    var keys = Object.keys(initialCmi);
    if (keys.length === 0) return;
    if (!keys.some(function (key) { return key.indexOf('.') >= 0; })) {
      target.loadFromJSON(initialCmi);
      return;
    }
    var flat = {};
    keys.forEach(function (key) {
      var value = initialCmi[key];
      if (value !== null && value !== undefined && typeof value !== 'object') flat[key] = String(value);
    });
    target.loadFromFlattenedJSON(flat);
    // loadFromFlattenedJSON keeps only its last element as startingData; scorm-again compares the
    // whole launch state against it (1.2 browse mode, 2004 navigation requests).
    target.startingData = unflatten(flat);
  }

  function unflatten(flat) {
    var root = {};
    Object.keys(flat).forEach(function (key) {
      var parts = key.split('.');
      var node = root;
      for (var i = 0; i < parts.length - 1; i++) {
        if (typeof node[parts[i]] !== 'object' || node[parts[i]] === null) node[parts[i]] = {};
        node = node[parts[i]];
      }
      node[parts[parts.length - 1]] = flat[key];
    });
    return root;
  }

  var names = is2004
    ? { initialize: 'Initialize', finish: 'Terminate', setValue: 'SetValue', commit: 'Commit', exit: 'cmi.exit' }
    : { initialize: 'LMSInitialize', finish: 'LMSFinish', setValue: 'LMSSetValue', commit: 'LMSCommit', exit: 'cmi.core.exit' };
  var session = {
    initialized: false,
    terminated: false,
    exitSetBySco: false,
    settingExit: false,
    navRequest: '_none_',
    navEvent: '',
  };
  var pendingNavigation = null;
  var busy = false;
  var leaving = false;

  api.on(names.initialize, function () {
    if (api.isInitialized()) session.initialized = true;
  });
  api.on(names.setValue + '.' + names.exit, function () {
    if (!session.settingExit) session.exitSetBySco = true;
  });
  api.on('BeforeTerminate', function () {
    // scorm-again resets adl.nav.request to _none_ once Terminate has been processed.
    try {
      if (is2004) session.navRequest = String(api.adl.nav.request || '_none_');
      else session.navEvent = String((api.nav && api.nav.event) || '');
    } catch (error) {
      // keep the defaults
    }
  });
  api.on(names.finish, function () {
    if (!api.isTerminated() || session.terminated) return;
    session.terminated = true;
    onScoTerminated();
  });
  if (is2004) {
    api.on('SetValue.cmi.completion_status', updateCurrentStatus);
    api.on('SetValue.cmi.success_status', updateCurrentStatus);
  } else {
    api.on('LMSSetValue.cmi.core.lesson_status', updateCurrentStatus);
  }

  if (is2004) window.API_1484_11 = api;
  else window.API = api;

  // ---------------------------------------------------------------- navigation

  var launchableCount = config.toc.filter(function (entry) { return entry.launchable; }).length;

  function onScoTerminated() {
    if (queue.unloading) return;
    var navigation = pendingNavigation || navigationChosenBySco();
    pendingNavigation = null;
    perform(navigation);
  }

  function navigationChosenBySco() {
    if (is2004) {
      var request = session.navRequest;
      var choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
      if (choice) return { kind: 'target', target: choice[1] };
      if (request === 'continue' || request === 'previous') return { kind: request };
      if (request === 'exitAll' || request === 'suspendAll' || request === 'abandonAll') return { kind: 'exit' };
      // _none_, exit, abandon: an exit request (SN), whose post-condition rules may deliver something (a retry, the
      // next activity) or end the course; else the learner chooses.
      return launchableCount > 1 ? { kind: 'exit-request' } : { kind: 'exit' };
    }
    if (session.navEvent === 'previous') {
      return config.previousTarget ? { kind: 'target', target: config.previousTarget } : { kind: 'exit' };
    }
    return config.nextTarget ? { kind: 'target', target: config.nextTarget } : { kind: 'exit' };
  }

  function requestNavigation(navigation) {
    if (busy || leaving) return;
    if (session.initialized && !session.terminated) {
      if (is2004 && navigation.kind !== 'exit') {
        // SCORM 2004: ask the sequencer first, while the SCO still runs, so that a refusal leaves the learner in it
        // (ending it first would take it away until another choice). The answer is final unless post-condition
        // rules read the SCO's final state: the server then lets the request through and decides once it ended.
        setBusy(true);
        // What the SCO committed so far first: the sequencer decides from it (a lesson just completed opens the test).
        queue.drain(8000)
          .then(function () {
            return postNavigation(Object.assign(navigationBody(navigation), { check: true }));
          })
          .then(function (answer) {
            if (!answer.ok) {
              showRefusal(answer);
              setBusy(false);
              return;
            }
            endThenPerform(navigation);
          })
          .catch(function (error) {
            showStatus(format(labels['player.navigation.failed'], error && error.message ? error.message : ''), 'error');
            setBusy(false);
          });
        return;
      }
      endThenPerform(navigation);
      return;
    }
    perform(navigation);
  }

  /** Lets the SCO's data be committed (as a terminate commit) before anything else happens, then navigates. */
  function endThenPerform(navigation) {
    pendingNavigation = navigation;
    setBusy(true);
    if (is2004) {
      // Unload the SCO first, the way a browser would: its own unload handler sets cmi.exit and calls Terminate
      // (a test that ends its attempt says so: post-condition rules need it). Only a SCO that does not terminate
      // itself is ended here, as a suspend.
      unloadSco(function () {
        if (!session.terminated) endSession();
        if (!session.terminated) {
          pendingNavigation = null;
          perform(navigation);
        }
      });
      return;
    }
    endSession();
    if (session.terminated) return;
    pendingNavigation = null;
    perform(navigation);
  }

  function unloadSco(then) {
    var done = false;
    var finish = function () {
      if (done) return;
      done = true;
      then();
    };
    try {
      frame.addEventListener('load', function () { setTimeout(finish, 50); }, { once: true });
      frame.src = 'about:blank';
    } catch (error) {
      finish();
      return;
    }
    setTimeout(finish, 1500);
  }

  function navigationBody(navigation) {
    if (navigation.kind === 'exit-request') return { request: 'exit' };
    return navigation.kind === 'target' ? { target: navigation.target } : { request: navigation.kind };
  }

  /** POST navigateUrl: resolves { ok, status, answer }. */
  function postNavigation(body) {
    return fetch(config.navigateUrl, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.text().then(function (text) {
        return { ok: response.ok, status: response.status, answer: parseJson(text) || {} };
      });
    });
  }

  function showRefusal(result) {
    var key = result.status === 409 ? 'player.navigation.forbidden' : 'player.navigation.failed';
    showStatus(format(labels[key], result.answer.message || String(result.status)), 'error');
  }

  /** Ends the SCO's session the way SCORM expects an LMS to: as a suspend unless the SCO said otherwise. */
  function endSession() {
    if (!session.exitSetBySco) {
      session.settingExit = true;
      try {
        api[names.setValue](names.exit, 'suspend');
      } finally {
        session.settingExit = false;
      }
    }
    api[names.finish]('');
  }

  function perform(navigation) {
    if (navigation.kind === 'wait') {
      waitForChoice();
      return;
    }
    setBusy(true);
    showStatus(labels['player.status.leaving'], 'info');
    queue.drain(8000).then(function () {
      if (navigation.kind === 'exit') {
        leave(config.exitUrl);
        return;
      }
      postNavigation(navigationBody(navigation))
        .then(function (result) {
          var answer = result.answer;
          if (result.ok && typeof answer.url === 'string' && isHttpUrl(answer.url)) {
            leave(answer.url);
            return;
          }
          // SCORM 2004 sequencing: exitAll (the course ends), or nothing to deliver (the learner chooses).
          if (result.ok && answer.end === 'course') {
            leave(config.exitUrl);
            return;
          }
          if (result.ok && answer.end === 'wait') {
            waitForChoice();
            return;
          }
          showRefusal(result);
          redeliverIfSuspended();
        })
        .catch(function (error) {
          showStatus(format(labels['player.navigation.failed'], error && error.message ? error.message : ''), 'error');
          redeliverIfSuspended();
        });
    });
  }

  function waitForChoice() {
    setBusy(false);
    showStatus(labels['player.unit.finished'], 'info');
    setTocOpen(true);
  }

  /**
   * The request was refused after the SCO had ended (its final state changed the answer): a SCO that suspended is
   * delivered again, resumed (this page, reloaded, with the refusal kept to show); one whose attempt ended leaves
   * the choice to the learner.
   */
  function redeliverIfSuspended() {
    var suspended = false;
    try {
      suspended = String(is2004 ? api.cmi.exit : api.cmi.core.exit) === 'suspend';
    } catch (error) {
      suspended = false;
    }
    if (!suspended || !session.terminated) {
      setBusy(false);
      if (session.terminated) setTocOpen(true);
      return;
    }
    try {
      sessionStorage.setItem(config.storageKey + ':refusal', statusElement.textContent || '');
      sessionStorage.setItem(config.storageKey + ':acknowledged', String(queue.acknowledged));
    } catch (error) {
      // the page reloads without the message
    }
    leaving = true;
    location.reload();
  }

  function leave(url) {
    leaving = true;
    queue.flushWithBeacon();
    location.assign(url);
  }

  // ---------------------------------------------------------------- page lifecycle

  var unloadCheck = null;
  window.addEventListener('beforeunload', function () {
    // Commits from here on (the SCO's own unload handlers usually call LMSFinish) must survive the
    // page: send them as beacons. If the unload is cancelled, go back to normal sending.
    queue.flushWithBeacon();
    if (unloadCheck !== null) clearTimeout(unloadCheck);
    unloadCheck = setTimeout(function () {
      unloadCheck = null;
      if (!leaving) queue.resume();
    }, 3000);
  });
  window.addEventListener('pagehide', function () {
    queue.unloading = true;
    if (session.initialized && !session.terminated) {
      try {
        endSession();
      } catch (error) {
        // the page is going away regardless
      }
    }
    queue.flushWithBeacon();
  });
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) {
      leaving = false;
      queue.resume();
      setBusy(false);
    }
  });
  document.addEventListener('visibilitychange', function () {
    // Phones may discard a hidden page without pagehide: commit what the SCO has so far.
    if (document.visibilityState === 'hidden' && session.initialized && !session.terminated && !queue.unloading) {
      api[names.commit]('');
    }
  });

  // ---------------------------------------------------------------- controls

  var tocToggle = document.getElementById('player-toc-toggle');
  var toc = document.getElementById('player-toc');
  var narrowScreen = window.matchMedia('(max-width: 48em)');

  function setTocOpen(open) {
    if (!toc || !tocToggle) return;
    toc.hidden = !open;
    tocToggle.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('player-toc-open', open);
  }

  if (toc && tocToggle) {
    setTocOpen(!narrowScreen.matches);
    tocToggle.addEventListener('click', function () {
      var open = toc.hidden;
      setTocOpen(open);
      if (open && narrowScreen.matches) {
        var current = toc.querySelector('[aria-current="page"]') || toc.querySelector('button');
        if (current) current.focus();
      }
    });
    toc.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-target]');
      if (!button || button.disabled) return;
      var target = button.getAttribute('data-target');
      if (target === config.currentIdentifier && !session.terminated) {
        if (narrowScreen.matches) setTocOpen(false);
        return;
      }
      requestNavigation({ kind: 'target', target: target });
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !toc.hidden && narrowScreen.matches) {
        setTocOpen(false);
        tocToggle.focus();
      }
    });
  }

  document.querySelectorAll('button[data-action]').forEach(function (button) {
    if (button.disabled) button.setAttribute('data-always-disabled', '');
    button.addEventListener('click', function () {
      var action = button.getAttribute('data-action');
      if (action === 'exit') requestNavigation({ kind: 'exit' });
      else if (is2004) requestNavigation({ kind: action });
      else {
        var target = action === 'previous' ? config.previousTarget : config.nextTarget;
        if (target) requestNavigation({ kind: 'target', target: target });
      }
    });
  });

  function setBusy(value) {
    busy = value;
    document.body.classList.toggle('player-busy', value);
    document.querySelectorAll('button[data-action], button[data-target]').forEach(function (button) {
      button.disabled = value || button.hasAttribute('data-always-disabled');
    });
  }

  function updateCurrentStatus() {
    if (!toc || !config.currentIdentifier) return;
    var status;
    try {
      if (is2004) {
        var success = api.cmi.success_status;
        status = success === 'passed' || success === 'failed' ? success : api.cmi.completion_status;
      } else {
        status = api.cmi.core.lesson_status;
      }
    } catch (error) {
      return;
    }
    var buttons = toc.querySelectorAll('button[data-target]');
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute('data-target') !== config.currentIdentifier) continue;
      var label = buttons[i].querySelector('.toc-status');
      if (label) {
        label.setAttribute('data-status', status);
        label.textContent = labels['player.toc.status.' + status] || status;
      }
    }
  }

  // ---------------------------------------------------------------- start

  window.cadetPlayer = {
    pendingCommits: function () {
      return queue.items.length;
    },
  };
  try {
    var refusal = sessionStorage.getItem(config.storageKey + ':refusal');
    sessionStorage.removeItem(config.storageKey + ':refusal');
    if (refusal) showStatus(refusal, 'error');
  } catch (error) {
    // no message to show again
  }
  queue.pump();
  if (queue.items.length > 0) {
    // Commits kept on this device by an earlier page of the attempt (it was left offline) are newer than the
    // state this page was rendered with: send them before the SCO starts, then reload so that it resumes from
    // them. Starting it now would resume from the older state and commit it over the newer one.
    setBusy(true);
    showStatus(labels['player.status.saving'], 'info');
    queue.drain(8000).then(function (drained) {
      if (drained) {
        try {
          sessionStorage.setItem(config.storageKey + ':acknowledged', String(queue.acknowledged));
        } catch (error) {
          // the reloaded page numbers from the server's lastCommitSequence, which is current
        }
        location.reload();
      } else {
        setBusy(false);
        frame.src = config.launchUrl;
      }
    });
  } else {
    frame.src = config.launchUrl;
  }
})();
