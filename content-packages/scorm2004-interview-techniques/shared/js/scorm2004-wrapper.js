/*
 * A small SCORM 2004 (4th Edition) API wrapper, written for the Cadet demo courses.
 *
 * API discovery follows the SCORM 2004 RTE (section 3.1.2.1) as ADL's APIWrapper does: look for
 * `API_1484_11` in the parent chain (up to 500 levels), then in the opener's chain. Without an
 * LMS the content still runs, untracked.
 */
(function (global) {
  'use strict';

  var MAX_PARENTS = 500;

  function findInChain(win) {
    var tries = 0;
    while (win) {
      try {
        if (win.API_1484_11) return win.API_1484_11;
      } catch (e) {
        // A cross-origin ancestor throws on property access: it cannot be our LMS.
      }
      if (!win.parent || win.parent === win || tries >= MAX_PARENTS) return null;
      tries += 1;
      win = win.parent;
    }
    return null;
  }

  function Scorm2004(win) {
    win = win || global;
    this.api = findInChain(win) || (win.opener ? findInChain(win.opener) : null);
    this.initialized = false;
    this.terminated = false;
    this.log = [];
  }

  Scorm2004.prototype.available = function () {
    return this.api !== null;
  };

  Scorm2004.prototype.call = function (name, args) {
    if (!this.api) return '';
    var result = this.api[name].apply(this.api, args || []);
    var code = String(this.api.GetLastError());
    if (code !== '0') this.log.push(name + '(' + (args || []).join(', ') + ') -> error ' + code + ': ' + this.api.GetErrorString(code));
    return result;
  };

  Scorm2004.prototype.initialize = function () {
    if (!this.api || this.initialized) return this.initialized;
    this.initialized = String(this.call('Initialize', [''])) === 'true';
    return this.initialized;
  };

  /** GetValue; '' for an element the LMS has not set yet (error 403 is expected then). */
  Scorm2004.prototype.get = function (element) {
    if (!this.initialized || this.terminated) return '';
    var value = this.api.GetValue(element);
    return value === null || value === undefined ? '' : String(value);
  };

  Scorm2004.prototype.set = function (element, value) {
    if (!this.initialized || this.terminated) return false;
    return String(this.call('SetValue', [element, String(value)])) === 'true';
  };

  Scorm2004.prototype.commit = function () {
    if (!this.initialized || this.terminated) return false;
    return String(this.call('Commit', [''])) === 'true';
  };

  Scorm2004.prototype.terminate = function () {
    if (!this.initialized || this.terminated) return false;
    var ok = String(this.call('Terminate', [''])) === 'true';
    this.terminated = true;
    return ok;
  };

  /**
   * Whether the LMS would accept a navigation request now (SCORM 2004 RTE 4.2.3,
   * adl.nav.request_valid): "true", "false" or "unknown"; only "false" rules it out.
   */
  Scorm2004.prototype.navAllowed = function (request) {
    return this.get('adl.nav.request_valid.' + request) !== 'false';
  };

  /** A decimal for cmi real(10,7) elements, without trailing zeros ("0.6", "1"). */
  Scorm2004.decimal = function (value) {
    return String(Math.round(value * 10000) / 10000);
  };

  /** ISO 8601 duration with hundredths of a second, as cmi timeinterval (second,10,2) wants. */
  Scorm2004.duration = function (ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = (centis % 6000) / 100;
    return 'PT' + (hours ? hours + 'H' : '') + (minutes ? minutes + 'M' : '') + seconds.toFixed(2) + 'S';
  };

  /** cmi time (second,10,0): local date and time, no zone designator needed. */
  Scorm2004.timestamp = function (date) {
    function pad(n) { return (n < 10 ? '0' : '') + n; }
    return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + 'T' +
      pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
  };

  global.Scorm2004 = Scorm2004;
})(window);
