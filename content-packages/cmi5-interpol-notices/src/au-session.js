/**
 * What both AUs of the Interpol notices course share: reading the cmi5 launch (cmi5 spec,
 * section 8.1), judging a score against the masteryScore of LMS.LaunchData (section 10), and the
 * "terminated" statement sent with keepalive when the window goes away. Pure functions, so they
 * run in Node for the unit tests.
 */

const REQUIRED = ['endpoint', 'fetch', 'actor', 'registration', 'activityId'];

/**
 * Why this is not a cmi5 launch, as a list of problems (empty when it is one). Without a launch
 * the AU runs as a preview that records nothing.
 */
export function launchProblems(search) {
  const params = new URLSearchParams(search);
  const problems = REQUIRED.filter((name) => !params.get(name)).map((name) => `no ${name}`);
  const actor = params.get('actor');
  if (actor) {
    try {
      const parsed = JSON.parse(actor);
      if (!parsed || typeof parsed !== 'object' || !(parsed.account || parsed.mbox || parsed.mbox_sha1sum || parsed.openid)) problems.push('actor has no identifier');
    } catch {
      problems.push('actor is not JSON');
    }
  }
  for (const name of ['endpoint', 'fetch']) {
    const value = params.get(name);
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${name} is not http(s)`);
    } catch {
      problems.push(`${name} is not a URL`);
    }
  }
  return problems;
}

/**
 * The outcome of the test: score (cmi5 section 9.5.2: scaled, raw, min, max) and the moveOn verb
 * to send. The masteryScore of LMS.LaunchData wins over the AU's own pass mark (section 10.0);
 * in Browse or Review mode no passed/failed may be sent (section 10.0, launchMode).
 */
export function judgeTest({ correct, total, launchData, ownPassMark }) {
  const scaled = Math.round((correct / total) * 10000) / 10000;
  const mastery = typeof launchData?.masteryScore === 'number' ? launchData.masteryScore : ownPassMark;
  const score = { scaled, raw: correct, min: 0, max: total };
  const normal = (launchData?.launchMode ?? 'Normal') === 'Normal';
  return { score, mastery, verb: normal ? (scaled >= mastery ? 'passed' : 'failed') : null };
}

function isoDuration(ms) {
  const centis = Math.max(0, Math.round(ms / 10));
  const hours = Math.floor(centis / 360000);
  const minutes = Math.floor((centis % 360000) / 6000);
  const seconds = (centis % 6000) / 100;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds}S`;
}

/**
 * A cmi5 defined "terminated" statement (section 9.3.8), built from the session as @xapi/cmi5
 * builds it: the LaunchData context template, the registration, the cmi5 category.
 */
export function terminatedStatement({ id, launchParameters, launchData, initializedDate, now }) {
  const template = launchData.contextTemplate ?? {};
  const category = [...(template.contextActivities?.category ?? []), { id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }];
  return {
    id,
    actor: launchParameters.actor,
    verb: { id: 'http://adlnet.gov/expapi/verbs/terminated', display: { 'en-US': 'terminated' } },
    object: { objectType: 'Activity', id: launchParameters.activityId },
    result: { duration: isoDuration(now.getTime() - initializedDate.getTime()) },
    context: {
      ...template,
      registration: launchParameters.registration,
      contextActivities: { ...(template.contextActivities ?? {}), category },
    },
    timestamp: now.toISOString(),
  };
}
