/**
 * Statement builders for the cybercrime first response course. Pure functions of their inputs
 * (ids and timestamps are passed in), so they run in Node for the unit tests.
 */

export const VERBS = {
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
};

export const ACTIVITY_TYPES = {
  course: 'http://adlnet.gov/expapi/activities/course',
  page: 'http://activitystrea.ms/schema/1.0/page',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  interaction: 'http://adlnet.gov/expapi/activities/cmi.interaction',
};

const LANG = 'en-US';

/** ISO 8601 duration with hundredths of a second, as xAPI 1.0.3 §4.6 recommends ("PT1M4.25S"). */
export function isoDuration(ms) {
  const centis = Math.max(0, Math.round(ms / 10));
  const hours = Math.floor(centis / 360000);
  const minutes = Math.floor((centis % 360000) / 6000);
  const seconds = (centis % 6000) / 100;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds}S`;
}

function activity(id, type, name, extra = {}) {
  return { objectType: 'Activity', id, definition: { type, name: { [LANG]: name }, ...extra } };
}

/** `launch`: { actor, registration, activityId }; `course`: { title }. */
export function courseActivity(launch, course) {
  return activity(launch.activityId, ACTIVITY_TYPES.course, course.title);
}

function base(launch, verb, object, now, extra = {}) {
  const context = { ...(launch.registration ? { registration: launch.registration } : {}), ...(extra.context ?? {}) };
  return {
    actor: launch.actor,
    verb: { id: VERBS[verb], display: { [LANG]: verb } },
    object,
    ...(extra.result ? { result: extra.result } : {}),
    ...(Object.keys(context).length > 0 ? { context } : {}),
    timestamp: now.toISOString(),
  };
}

export function initialized(launch, course, now) {
  return base(launch, 'initialized', courseActivity(launch, course), now);
}

export function experienced(launch, course, page, now) {
  return base(launch, 'experienced', activity(`${launch.activityId}/pages/${page.id}`, ACTIVITY_TYPES.page, page.title), now, {
    context: { contextActivities: { parent: [courseActivity(launch, course)] } },
  });
}

/** The interaction activity definition of a question (xAPI 1.0.3 §4.1.4.1, "Interaction Activities"). */
export function interactionDefinition(question) {
  const definition = {
    type: ACTIVITY_TYPES.interaction,
    name: { [LANG]: question.title },
    description: { [LANG]: question.prompt },
    interactionType: question.type,
    correctResponsesPattern: [...question.correct],
  };
  const components = (list) => list.map((c) => ({ id: c.id, description: { [LANG]: c.text } }));
  if (question.choices) definition.choices = components(question.choices);
  if (question.source) definition.source = components(question.source);
  if (question.target) definition.target = components(question.target);
  return definition;
}

export function answered(launch, course, question, answer, now) {
  const quiz = activity(`${launch.activityId}/quiz`, ACTIVITY_TYPES.assessment, `${course.title}: knowledge check`);
  return base(launch, 'answered', { objectType: 'Activity', id: `${launch.activityId}/quiz/${question.id}`, definition: interactionDefinition(question) }, now, {
    result: { response: answer.response, success: answer.success, duration: isoDuration(answer.durationMs) },
    context: { contextActivities: { parent: [quiz], grouping: [courseActivity(launch, course)] } },
  });
}

export function completed(launch, course, sessionMs, now) {
  return base(launch, 'completed', courseActivity(launch, course), now, { result: { completion: true, duration: isoDuration(sessionMs) } });
}

/** passed or failed, with the score (xAPI 1.0.3 §4.1.5.1: scaled in [-1, 1], raw between min and max). */
export function judged(launch, course, score, passingScaled, sessionMs, now) {
  const scaled = Math.round((score.raw / score.max) * 10000) / 10000;
  const success = scaled >= passingScaled;
  return base(launch, success ? 'passed' : 'failed', courseActivity(launch, course), now, {
    result: { score: { scaled, raw: score.raw, min: score.min, max: score.max }, success, completion: true, duration: isoDuration(sessionMs) },
  });
}

export function terminated(launch, course, sessionMs, now) {
  return base(launch, 'terminated', courseActivity(launch, course), now, { result: { duration: isoDuration(sessionMs) } });
}

/** Judges a response against the question's correct response patterns. */
export function isCorrect(question, response) {
  if (question.type === 'fill-in') {
    const given = response.trim().toLowerCase();
    return question.correct.some((pattern) => pattern.replace(/^\{case_matters=false\}/, '').toLowerCase() === given);
  }
  if (question.type === 'choice' || question.type === 'matching') {
    const sorted = (s) => s.split('[,]').sort().join('[,]');
    return question.correct.some((pattern) => sorted(pattern) === sorted(response));
  }
  return question.correct.includes(response);
}
