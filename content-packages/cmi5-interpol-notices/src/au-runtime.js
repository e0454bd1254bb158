/**
 * The browser side both AUs share: the cmi5 launch sequence through @xapi/cmi5 (fetch URL ->
 * auth token, LMS.LaunchData, learner preferences, "initialized"), a small State API document
 * per AU and registration, and ending the session ("terminated", then back to returnURL).
 */
import Cmi5 from '@xapi/cmi5';
import { launchProblems, terminatedStatement } from './au-session.js';

function uuid() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Starts the AU session. `{ cmi5: null, problems }` when the page was not launched by a cmi5 LMS
 * (a preview) or the launch sequence failed; the AU then runs untracked.
 */
export async function startSession() {
  const problems = launchProblems(window.location.search);
  if (problems.length > 0) return { cmi5: null, problems, launchData: null };
  const cmi5 = new Cmi5();
  try {
    await cmi5.initialize();
  } catch (error) {
    console.error('cmi5 launch sequence failed', error);
    return { cmi5: null, problems: ['the learning system did not accept the launch'], launchData: null };
  }
  const session = { cmi5, problems: [], launchData: cmi5.getLaunchData(), terminated: false };
  window.addEventListener('pagehide', () => terminateNow(session));
  return session;
}

function stateParams(session, stateId) {
  const p = session.cmi5.getLaunchParameters();
  return { agent: p.actor, activityId: p.activityId, registration: p.registration, stateId };
}

export async function readState(session, stateId) {
  if (!session.cmi5) return null;
  try {
    const response = await session.cmi5.xapi.getState(stateParams(session, stateId));
    return typeof response.data === 'string' ? JSON.parse(response.data) : response.data;
  } catch {
    return null; // 404 on a first launch
  }
}

export async function writeState(session, stateId, state) {
  if (!session.cmi5) return;
  try {
    await session.cmi5.xapi.setState({ ...stateParams(session, stateId), state });
  } catch (error) {
    console.error('state not saved', error);
  }
}

/** "terminated" with keepalive, for when the window is going away and cannot wait for a reply. */
function terminateNow(session) {
  if (!session.cmi5 || session.terminated) return;
  session.terminated = true;
  const launchParameters = session.cmi5.getLaunchParameters();
  const statement = terminatedStatement({ id: uuid(), launchParameters, launchData: session.launchData, initializedDate: session.cmi5.getInitializedDate(), now: new Date() });
  const endpoint = launchParameters.endpoint.endsWith('/') ? launchParameters.endpoint : `${launchParameters.endpoint}/`;
  fetch(`${endpoint}statements`, {
    method: 'POST',
    keepalive: true,
    headers: { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3', Authorization: `Basic ${session.cmi5.getAuthToken()}` },
    body: JSON.stringify(statement),
  }).catch(() => undefined);
}

/** Ends the session (cmi5 9.3.8: "terminated" is the AU's last statement), then returns to the LMS when it gave a returnURL. */
export async function endSession(session) {
  if (session.cmi5 && !session.terminated) {
    session.terminated = true;
    try {
      await session.cmi5.terminate();
    } catch (error) {
      console.error('terminated not sent', error);
    }
  }
  const returnURL = session.launchData?.returnURL;
  if (returnURL) window.location.assign(returnURL);
  return Boolean(returnURL);
}

export function showPreviewNotice(session) {
  if (session.cmi5) return;
  const notice = document.getElementById('tracking-notice');
  notice.hidden = false;
  notice.textContent += ` (${session.problems.join(', ')})`;
}
