/*
 * A small SCORM 1.2 API wrapper, written for the Cadet demo courses.
 *
 * API discovery follows the SCORM 1.2 RTE (section 3.3.6.1) the way ADL's APIWrapper does it:
 * look for `API` in this window's parents (at most 7 levels, as ADL's wrapper limits it), then in
 * the opener's chain. When no LMS is found the course still runs, untracked.
 */
(function (global) {
  'use strict';

  var MAX_PARENTS = 7;

  function findInChain(win) {
    var tries = 0;
    while (win) {
      try {
        if (win.API) return win.API;
      } catch (e) {
        // A cross-origin ancestor throws on property access: it cannot be our LMS.
      }
      if (!win.parent || win.parent === win || tries >= MAX_PARENTS) return null;
      tries += 1;
      win = win.parent;
    }
    return null;
  }

  function findAPI(win) {
    var api = findInChain(win);
    if (!api && win.opener && typeof win.opener !== 'undefined') api = findInChain(win.opener);
    return api;
  }

  function Scorm12(win) {
    this.api = findAPI(win || global);
    this.initialized = false;
    this.finished = false;
    this.log = [];
  }

  Scorm12.prototype.available = function () {
    return this.api !== null;
  };

  Scorm12.prototype.call = function (name, args) {
    if (!this.api) return '';
    var result = this.api[name].apply(this.api, args || []);
    var code = String(this.api.LMSGetLastError());
    if (code !== '0') {
      this.log.push(name + '(' + (args || []).join(', ') + ') -> error ' + code + ': ' + this.api.LMSGetErrorString(code));
    }
    return result;
  };

  Scorm12.prototype.initialize = function () {
    if (!this.api || this.initialized) return this.initialized;
    this.initialized = String(this.call('LMSInitialize', [''])) === 'true';
    return this.initialized;
  };

  Scorm12.prototype.get = function (element) {
    if (!this.initialized || this.finished) return '';
    var value = this.call('LMSGetValue', [element]);
    return value === null || value === undefined ? '' : String(value);
  };

  Scorm12.prototype.set = function (element, value) {
    if (!this.initialized || this.finished) return false;
    return String(this.call('LMSSetValue', [element, String(value)])) === 'true';
  };

  Scorm12.prototype.commit = function () {
    if (!this.initialized || this.finished) return false;
    return String(this.call('LMSCommit', [''])) === 'true';
  };

  Scorm12.prototype.finish = function () {
    if (!this.initialized || this.finished) return false;
    var ok = String(this.call('LMSFinish', [''])) === 'true';
    this.finished = true;
    return ok;
  };

  /** CMITimespan: HHHH:MM:SS.SS (SCORM 1.2 RTE, section 3.4.2.2). */
  Scorm12.timespan = function (ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = Math.floor((centis % 6000) / 100);
    var rest = centis % 100;
    function pad(n) { return (n < 10 ? '0' : '') + n; }
    return (hours < 1000 ? ('000' + hours).slice(-4) : String(hours)) + ':' + pad(minutes) + ':' + pad(seconds) + '.' + pad(rest);
  };

  /** CMITime: HH:MM:SS, the learner's local clock time. */
  Scorm12.clockTime = function (date) {
    function pad(n) { return (n < 10 ? '0' : '') + n; }
    return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
  };

  global.Scorm12 = Scorm12;
})(window);
