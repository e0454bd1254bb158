// The authors' upload form (/author/courses): sends the package to POST /api/packages with XMLHttpRequest, for
// its upload progress, and shows the answer. A multipart body cannot carry the form's CSRF field through the
// access guard (it checks before the body is read), so the session's token goes in the X-CSRF-Token header.
// Every text comes from the page (data-messages, from the message catalogue); answers are shown with textContent.
'use strict';
(function () {
  var form = document.getElementById('upload');
  if (!form || typeof XMLHttpRequest === 'undefined' || typeof FormData === 'undefined') return;
  var messages = JSON.parse(form.getAttribute('data-messages') || '{}');
  var maxBytes = Number(form.getAttribute('data-max-bytes')) || Infinity;
  var button = form.querySelector('button[type="submit"]');
  var fileInput = form.querySelector('input[type="file"]');
  var progressBox = form.querySelector('.upload-progress');
  var progress = document.getElementById('upload-progress');
  var status = document.getElementById('upload-status');
  var result = document.getElementById('upload-result');
  var lang = (document.documentElement.lang || 'en').toLowerCase();

  var text = function (key, params) {
    var value = messages[key] || key;
    Object.keys(params || {}).forEach(function (name) {
      value = value.split('{' + name + '}').join(String(params[name]));
    });
    return value;
  };

  // Titles are language maps: the reader's language, a variant of it, `und`, English, else the first.
  var pick = function (map) {
    if (!map || typeof map !== 'object') return '';
    var tags = Object.keys(map);
    var base = function (tag) { return tag.toLowerCase().split('-')[0]; };
    var found = tags.filter(function (t) { return t.toLowerCase() === lang; })[0] ||
      tags.filter(function (t) { return base(t) === base(lang); })[0] ||
      tags.filter(function (t) { return t.toLowerCase() === 'und'; })[0] ||
      tags.filter(function (t) { return base(t) === 'en'; })[0] ||
      tags[0];
    return found === undefined ? '' : map[found];
  };

  var element = function (name, className, content) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  };

  // One line per problem: file, element, message (DESIGN.md "Errors": every problem names where it is).
  var problemList = function (problems) {
    var list = element('ul', 'problems');
    problems.forEach(function (problem) {
      var item = element('li');
      var where = [problem.file, problem.element].filter(Boolean).join(' › ');
      if (where) item.appendChild(element('code', null, where));
      item.appendChild(document.createTextNode((where ? ': ' : '') + (problem.message || problem.code || '')));
      list.appendChild(item);
    });
    return list;
  };

  var show = function (className, nodes) {
    result.textContent = '';
    result.className = 'upload-result card ' + className;
    nodes.forEach(function (node) { result.appendChild(node); });
    result.hidden = false;
    result.focus();
  };

  var fact = function (list, term, value) {
    list.appendChild(element('dt', null, term));
    var dd = element('dd');
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    list.appendChild(dd);
  };

  var showImported = function (body) {
    var facts = element('dl', 'facts');
    var link = element('a', null, body.course);
    link.href = '/courses/' + encodeURIComponent(body.course);
    fact(facts, text('course'), link);
    fact(facts, text('version'), body.version);
    fact(facts, text('format'), (messages.formats && messages.formats[body.format]) || body.format);
    var nodes = [element('h3', null, text('imported', { title: pick(body.title) || body.course })), facts];
    var units = body.units || [];
    nodes.push(element('h4', null, text('units') + ' (' + units.length + ')'));
    var unitList = element('ul', 'result-units');
    units.forEach(function (unit) { unitList.appendChild(element('li', null, pick(unit.title) || unit.identifier)); });
    nodes.push(unitList);
    if (body.warnings && body.warnings.length > 0) {
      nodes.push(element('h4', null, text('warnings') + ' (' + body.warnings.length + ')'), problemList(body.warnings));
    }
    var refresh = element('a', null, text('refresh'));
    refresh.href = '/author/courses#course-' + encodeURIComponent(body.course);
    var again = element('p');
    again.appendChild(refresh);
    nodes.push(again);
    show('notice', nodes);
  };

  var showProblem = function (heading, problems, warnings) {
    var nodes = [element('p', 'result-heading', heading)];
    if (problems && problems.length > 0) nodes.push(problemList(problems));
    if (warnings && warnings.length > 0) nodes.push(element('h4', null, text('warnings') + ' (' + warnings.length + ')'), problemList(warnings));
    show('alert', nodes);
  };

  var finish = function () {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  };

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = fileInput.files && fileInput.files[0];
    if (!file) {
      status.textContent = text('choose-file');
      fileInput.focus();
      return;
    }
    if (file.size > maxBytes) {
      status.textContent = text('failed');
      showProblem(text('too-large'), []);
      return;
    }
    var data = new FormData();
    // The course slug first: the API reads fields as they come, and the file last.
    var slug = form.elements.namedItem('course');
    if (slug && slug.value.trim()) data.append('course', slug.value.trim());
    data.append('file', file, file.name);

    var request = new XMLHttpRequest();
    request.open('POST', '/api/packages');
    request.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf') || '');
    request.setRequestHeader('Accept', 'application/json');
    request.responseType = 'json';
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    result.hidden = true;
    progress.value = 0;
    progress.removeAttribute('aria-valuetext');
    progressBox.hidden = false;
    status.textContent = text('sending');

    request.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      progress.value = Math.round((e.loaded / e.total) * 100);
    });
    request.upload.addEventListener('load', function () {
      progress.value = 100;
      status.textContent = text('checking');
    });
    request.addEventListener('load', function () {
      finish();
      var body = request.response || {};
      if (request.status === 201) {
        status.textContent = text('done');
        form.reset();
        showImported(body);
      } else if (request.status === 422) {
        status.textContent = text('failed');
        showProblem(text('rejected'), body.errors || [], body.warnings || []);
      } else if (request.status === 413) {
        status.textContent = text('failed');
        showProblem(text('too-large'), []);
      } else {
        status.textContent = text('failed');
        showProblem(text('refused') + ' ' + (body.message || request.statusText || String(request.status)), []);
      }
    });
    request.addEventListener('error', function () {
      finish();
      status.textContent = text('failed');
      showProblem(text('network'), []);
    });
    request.send(data);
  });

  button.disabled = false;
})();
