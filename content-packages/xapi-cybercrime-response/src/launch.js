/**
 * Reads the launch parameters of the Rustici "launch" convention (TinCan launch document,
 * https://github.com/RusticiSoftware/launch/blob/master/lms_lrs.md): endpoint, auth, actor (JSON),
 * registration, activity_id. Pure: no DOM, so it runs in Node for the unit tests.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** First element of a TinCan 0.9x array-valued property, or the value itself. */
function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * An xAPI 1.0 Agent from the launch's `actor`, which older LMSs send in the TinCan 0.95 shape
 * (`"mbox": ["mailto:…"]`, `"account": [{"accountServiceHomePage", "accountName"}]`).
 * Returns undefined when no inverse functional identifier is left.
 */
export function normalizeActor(raw) {
  if (raw === null || typeof raw !== 'object') return undefined;
  const actor = { objectType: 'Agent' };
  const name = first(raw.name);
  if (typeof name === 'string' && name !== '') actor.name = name;
  const mbox = first(raw.mbox);
  const sha1 = first(raw.mbox_sha1sum);
  const openid = first(raw.openid);
  const account = first(raw.account);
  if (typeof mbox === 'string' && mbox !== '') actor.mbox = mbox.startsWith('mailto:') ? mbox : `mailto:${mbox}`;
  else if (typeof sha1 === 'string' && sha1 !== '') actor.mbox_sha1sum = sha1;
  else if (typeof openid === 'string' && openid !== '') actor.openid = openid;
  else if (account && typeof account === 'object') {
    const homePage = account.homePage ?? account.accountServiceHomePage;
    const accountName = account.name ?? account.accountName;
    if (typeof homePage !== 'string' || typeof accountName !== 'string') return undefined;
    actor.account = { homePage, name: accountName };
  } else return undefined;
  return actor;
}

/**
 * The launch, or `{ tracked: false, problems }` when the course was opened without (usable)
 * launch parameters: it then runs as a preview that records nothing.
 *
 * @param {string} search `window.location.search`
 * @param {{ activityId: string }} defaults the course's activity id from tincan.xml
 */
export function parseLaunch(search, defaults) {
  const params = new URLSearchParams(search);
  const problems = [];
  const endpointParam = params.get('endpoint');
  let endpoint;
  if (endpointParam === null || endpointParam === '') problems.push('no endpoint');
  else {
    try {
      const url = new URL(endpointParam);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('endpoint is not http(s)');
      else endpoint = endpointParam.endsWith('/') ? endpointParam : `${endpointParam}/`;
    } catch {
      problems.push('endpoint is not a URL');
    }
  }
  let actor;
  const actorParam = params.get('actor');
  if (actorParam === null) problems.push('no actor');
  else {
    try {
      actor = normalizeActor(JSON.parse(actorParam));
      if (actor === undefined) problems.push('actor has no identifier');
    } catch {
      problems.push('actor is not JSON');
    }
  }
  const registrationParam = params.get('registration');
  let registration;
  if (registrationParam !== null && registrationParam !== '') {
    if (UUID.test(registrationParam)) registration = registrationParam.toLowerCase();
    else problems.push('registration is not a UUID');
  }
  const activityId = params.get('activity_id') || defaults.activityId;
  if (problems.length > 0 || endpoint === undefined || actor === undefined) return { tracked: false, problems, activityId };
  const auth = params.get('auth') ?? undefined;
  return { tracked: true, endpoint, auth: auth === '' ? undefined : auth, actor, registration, activityId, problems: [] };
}
