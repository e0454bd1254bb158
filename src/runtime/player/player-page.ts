/**
 * The SCORM player page: the document a learner's SCO runs inside, served from the content origin
 * (DESIGN.md, "Runtime flow and isolation"). It holds scorm-again (`window.API` for SCORM 1.2,
 * `window.API_1484_11` for SCORM 2004), created by `assets/player.js` before the SCO's iframe is
 * given its `src`, and commits to the app origin with the launch token in the commit URL.
 *
 * Everything the browser needs is embedded once, as JSON in a `<script type="application/json">`
 * with `<`, `>`, `&`, U+2028 and U+2029 escaped, so no value from a package (a title, an
 * identifier, suspend data) can close the element or run; the page has no inline script, style
 * or event handler, which lets its Content-Security-Policy forbid them.
 */
import { resolvePlayerLabels, type PlayerLabels } from './player-messages.js';

export interface PlayerTocEntry {
  identifier: string;
  title: string;
  depth: number;
  launchable: boolean;
  current: boolean;
  /** cmi.core.lesson_status (1.2) or the completion/success status (2004) as last recorded. */
  status?: string;
  /**
   * SCORM 2004 sequencing disables it for now (a precondition rule, attempts used up). It stays a button, marked
   * `aria-disabled`, so that choosing it shows the server's reason.
   */
  disabled?: boolean;
}

export interface PlayerPageData {
  /** Course title, already in the learner's language. */
  title: string;
  lang: string;
  dir: 'ltr' | 'rtl';
  scormVersion: 'scorm12' | 'scorm2004';
  /** Absolute URL of the SCO on the content origin (query string included). */
  launchUrl: string;
  /**
   * Absolute URL on the app origin, token in its query string. Commits are POSTed to it (CORS, no
   * credentials) as `application/json`, or as `text/plain;charset=UTF-8` through `sendBeacon` when
   * the page is being left; the terminate commit gets `&terminate=true` appended.
   */
  commitUrl: string;
  /**
   * Absolute URL on the app origin: POST {"target"} or {"request": "continue"|"previous"|"exit"} → 200 {"url"} |
   * {"end": "course"|"wait"} (SCORM 2004 sequencing: the course ends; nothing is delivered, the learner chooses) |
   * 409 {"message"}. With "check": true (SCORM 2004, sent before the SCO is ended) → 200 {"allowed": true} | 409.
   */
  navigateUrl: string;
  /** Absolute URL on the app origin to go back to (the course page). */
  exitUrl: string;
  /**
   * The CMI data loaded into scorm-again before the SCO starts: flattened SCORM element names to
   * values, e.g. `{"cmi.core.student_id": "u1", "cmi.core.entry": "resume", "cmi.suspend_data": "…"}`
   * (the elements to send are listed in index.ts). A nested `{"cmi": {…}}` object, such as a
   * commit's `runtimeData`, is accepted too.
   */
  initialCmi: Record<string, unknown>;
  /** The server's last accepted commit sequence for this attempt; the player numbers after it. */
  lastCommitSequence: number;
  /** scorm-again `sequencing` setting for SCORM 2004 (built by the importer), else null. */
  sequencing: unknown | null;
  toc: PlayerTocEntry[];
  /** Where `playerAssets` are served on the content origin; ends with '/'. */
  assetsBaseUrl: string;
  /**
   * Optional: a stable id of the attempt, naming the offline commit queue in localStorage. Without
   * it the queue is named after `commitUrl` minus its `token` parameter, which is right as long as
   * that URL identifies the attempt (e.g. `/api/runtime/attempts/<id>/commit?token=…`).
   */
  attemptId?: string;
  /** Optional: seconds between a change and its automatic commit (default 30). */
  autocommitSeconds?: number;
  /** Optional: translated strings; any key left out falls back to the English catalogue. */
  labels?: Partial<PlayerLabels>;
}

/** The JSON embedded in the page for `assets/player.js`. */
export interface PlayerClientConfig
  extends Pick<PlayerPageData, 'scormVersion' | 'launchUrl' | 'commitUrl' | 'navigateUrl' | 'exitUrl' | 'initialCmi' | 'lastCommitSequence' | 'sequencing' | 'toc'> {
  currentIdentifier: string | null;
  previousTarget: string | null;
  nextTarget: string | null;
  storageKey: string;
  autocommitSeconds: number;
  terminateCommitParam: string;
  labels: PlayerLabels;
}

export const playerDataElementId = 'cadet-player-data';
/** Query parameter scorm-again appends to the commit URL of the terminate commit (`terminateCommitParam`). */
export const terminateCommitParam = 'terminate';
const defaultAutocommitSeconds = 30;
const maxTocDepth = 6;

export function renderPlayerPage(data: PlayerPageData): string {
  const launch = absoluteHttpUrl(data.launchUrl, 'launchUrl');
  const commit = absoluteHttpUrl(data.commitUrl, 'commitUrl');
  const navigate = absoluteHttpUrl(data.navigateUrl, 'navigateUrl');
  absoluteHttpUrl(data.exitUrl, 'exitUrl');
  const assets = absoluteHttpUrl(data.assetsBaseUrl, 'assetsBaseUrl');
  if (!data.assetsBaseUrl.endsWith('/')) throw new TypeError(`assetsBaseUrl must end with '/': ${data.assetsBaseUrl}`);
  if (data.scormVersion !== 'scorm12' && data.scormVersion !== 'scorm2004') {
    throw new TypeError(`scormVersion must be scorm12 or scorm2004, not ${String(data.scormVersion)}`);
  }
  if (!Number.isSafeInteger(data.lastCommitSequence) || data.lastCommitSequence < 0) {
    throw new TypeError(`lastCommitSequence must be a non-negative integer, not ${String(data.lastCommitSequence)}`);
  }

  const labels = resolvePlayerLabels(data.labels);
  const launchable = data.toc.filter((entry) => entry.launchable);
  const currentIndex = launchable.findIndex((entry) => entry.current);
  const current = currentIndex >= 0 ? launchable[currentIndex] : undefined;
  const config: PlayerClientConfig = {
    scormVersion: data.scormVersion,
    launchUrl: data.launchUrl,
    commitUrl: data.commitUrl,
    navigateUrl: data.navigateUrl,
    exitUrl: data.exitUrl,
    initialCmi: data.initialCmi,
    lastCommitSequence: data.lastCommitSequence,
    sequencing: data.scormVersion === 'scorm2004' ? (data.sequencing ?? null) : null,
    toc: data.toc,
    currentIdentifier: current?.identifier ?? null,
    previousTarget: currentIndex > 0 ? launchable[currentIndex - 1].identifier : null,
    nextTarget: currentIndex >= 0 && currentIndex < launchable.length - 1 ? launchable[currentIndex + 1].identifier : null,
    storageKey: commitQueueStorageKey(data.attemptId, commit),
    autocommitSeconds: validAutocommitSeconds(data.autocommitSeconds),
    terminateCommitParam,
    labels,
  };

  const multiUnit = launchable.length > 1;
  const bundle = data.scormVersion === 'scorm12' ? 'scorm12.min.js' : 'scorm2004.min.js';
  const hidden = hiddenLmsControls(config.sequencing, current?.identifier);
  const csp = [
    "default-src 'none'",
    `script-src ${assets.origin}`,
    `style-src ${assets.origin}`,
    `img-src ${assets.origin} data:`,
    `connect-src ${unique([commit.origin, navigate.origin]).join(' ')}`,
    `frame-src ${launch.origin}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const navButtons = multiUnit
    ? `
      <button type="button" class="player-button" id="player-previous" data-action="previous"${
        data.scormVersion === 'scorm12' && config.previousTarget === null ? ' disabled' : ''
      }${hidden.has('previous') ? ' hidden' : ''}><span aria-hidden="true" class="player-arrow">‹</span> ${escapeHtml(labels['player.previous'])}</button>
      <button type="button" class="player-button" id="player-next" data-action="continue"${
        data.scormVersion === 'scorm12' && config.nextTarget === null ? ' disabled' : ''
      }${hidden.has('continue') ? ' hidden' : ''}>${escapeHtml(labels['player.next'])} <span aria-hidden="true" class="player-arrow">›</span></button>`
    : '';
  const tocToggle = multiUnit
    ? `<button type="button" class="player-button" id="player-toc-toggle" aria-expanded="false" aria-controls="player-toc">${escapeHtml(labels['player.toc.toggle'])}</button>`
    : '';
  const toc = multiUnit ? renderToc(data.toc, labels) : '';

  return `<!DOCTYPE html>
<html lang="${escapeHtml(data.lang)}" dir="${data.dir === 'rtl' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(current ? `${current.title} – ${data.title}` : data.title)}</title>
<link rel="stylesheet" href="${escapeHtml(new URL('player.css', assets).href)}">
<script type="application/json" id="${playerDataElementId}">${jsonForScriptElement(config)}</script>
<script src="${escapeHtml(new URL(bundle, assets).href)}" defer></script>
<script src="${escapeHtml(new URL('player.js', assets).href)}" defer></script>
</head>
<body class="player${multiUnit ? ' player-multi' : ''}">
<header class="player-bar">
  ${tocToggle}
  <h1 class="player-title">${escapeHtml(data.title)}</h1>
  <div class="player-actions">${navButtons}
      <button type="button" class="player-button player-exit" id="player-exit" data-action="exit"${hidden.has('exit') ? ' hidden' : ''}>${escapeHtml(labels['player.exit'])}</button>
  </div>
</header>
<p class="player-status" id="player-status" role="status" aria-live="polite"></p>
<div class="player-body">
  ${toc}
  <main class="player-main">
    <noscript><p class="player-noscript">${escapeHtml(labels['player.noscript'])}</p></noscript>
    <iframe id="player-frame" class="player-frame" title="${escapeHtml(current?.title ?? labels['player.frame.title'])}"
      sandbox="allow-scripts allow-same-origin allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox allow-downloads"
      allow="fullscreen; autoplay" referrerpolicy="no-referrer"></iframe>
  </main>
</div>
</body>
</html>
`;
}

function renderToc(entries: PlayerTocEntry[], labels: PlayerLabels): string {
  const items = entries.map((entry) => {
    const depth = Math.max(0, Math.min(maxTocDepth, Math.trunc(entry.depth) || 0));
    const status = entry.status ? statusLabel(entry.status, labels) : '';
    const statusHtml = `<span class="toc-status" data-status="${escapeHtml(entry.status ?? '')}">${escapeHtml(status)}</span>`;
    const current = entry.current ? ` <span class="visually-hidden">(${escapeHtml(labels['player.toc.current'])})</span>` : '';
    const body = entry.launchable
      ? `<button type="button" class="toc-unit" data-target="${escapeHtml(entry.identifier)}"${entry.current ? ' aria-current="page"' : ''}${entry.disabled ? ' aria-disabled="true"' : ''}><span class="toc-title">${escapeHtml(entry.title)}</span>${current}${statusHtml}</button>`
      : `<span class="toc-group">${escapeHtml(entry.title)}</span>`;
    return `<li class="toc-item toc-depth-${depth}${entry.current ? ' toc-current' : ''}${entry.disabled ? ' toc-disabled' : ''}">${body}</li>`;
  });
  return `<nav class="player-toc" id="player-toc" aria-label="${escapeHtml(labels['player.toc.label'])}" hidden>
    <ol class="toc-list">${items.join('')}</ol>
  </nav>`;
}

function statusLabel(status: string, labels: PlayerLabels): string {
  const key = `player.toc.status.${status}` as keyof PlayerLabels;
  return Object.hasOwn(labels, key) ? labels[key] : status;
}

/**
 * SCORM 2004 `adlnav:presentation/navigationInterface/hideLMSUI` (CAM 5.1.2): controls the SCO
 * provides itself. The importer puts them on each activity of `sequencing.activityTree`
 * (`hideLmsUi`); scorm-again's top-level `hideLmsUi` is honoured too.
 */
function hiddenLmsControls(sequencing: unknown, currentIdentifier: string | undefined): Set<string> {
  const hidden = new Set<string>();
  const add = (node: unknown): void => {
    const values = node && typeof node === 'object' ? (node as { hideLmsUi?: unknown }).hideLmsUi : undefined;
    if (Array.isArray(values)) for (const value of values) if (typeof value === 'string') hidden.add(value);
  };
  const find = (node: unknown): unknown => {
    if (!node || typeof node !== 'object') return undefined;
    if ((node as { id?: unknown }).id === currentIdentifier) return node;
    const children = (node as { children?: unknown }).children;
    if (!Array.isArray(children)) return undefined;
    for (const child of children) {
      const found = find(child);
      if (found) return found;
    }
    return undefined;
  };
  add(sequencing);
  if (sequencing && typeof sequencing === 'object' && currentIdentifier !== undefined) {
    add(find((sequencing as { activityTree?: unknown }).activityTree));
  }
  return hidden;
}

function commitQueueStorageKey(attemptId: string | undefined, commitUrl: URL): string {
  if (attemptId) return `cadet-player:commits:${attemptId}`;
  const url = new URL(commitUrl.href);
  url.searchParams.delete('token');
  url.hash = '';
  return `cadet-player:commits:${url.href}`;
}

function validAutocommitSeconds(seconds: number | undefined): number {
  if (seconds === undefined) return defaultAutocommitSeconds;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new TypeError(`autocommitSeconds must be positive, not ${seconds}`);
  return seconds;
}

function absoluteHttpUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${name} must be http(s): ${value}`);
  return url;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * JSON that is inert inside `<script type="application/json">`: `<` (so neither `</script>` nor
 * `<!--` can appear), `>` and `&` are escaped as JSON string escapes, which `JSON.parse` undoes;
 * U+2028/U+2029 too, for readers that treat the text as JavaScript.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
