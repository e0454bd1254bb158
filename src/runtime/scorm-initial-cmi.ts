import type { LaunchableUnit } from '../packages/index.js';
import type { ScormCmiState } from './scorm-to-xapi/index.js';

/** ISO 8601 duration (PT1H2M3.5S, P1DT…) as SCORM 1.2 CMITimespan HHHH:MM:SS.SS. */
export function toScorm12Timespan(duration: string | undefined): string | undefined {
  if (!duration) return undefined;
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match) return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  const seconds = Number(d) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds - hours * 3600 - minutes * 60;
  return `${String(hours).padStart(4, '0')}:${String(minutes).padStart(2, '0')}:${rest.toFixed(2).padStart(5, '0')}`;
}

/** SCORM 1.2 lesson_status from the normalised completion and success. */
function lessonStatus(state: ScormCmiState): string {
  if (state.success === 'passed' || state.success === 'failed') return state.success;
  if (state.completion === 'completed') return 'completed';
  if (state.lessonStatus === 'browsed') return 'browsed';
  return state.completion === 'not attempted' ? 'not attempted' : 'incomplete';
}

const defined = (entries: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined && value !== null && value !== ''));

/**
 * What the player loads into scorm-again before a SCO starts (flattened element names, see
 * runtime/player/index.ts): who the learner is, what the manifest says, and, when resuming an attempt, where
 * it stood. `previous` is the attempt's last state; null starts ab-initio. Interactions are not loaded back:
 * they are write-only in SCORM 1.2, and their learner responses are kept in xAPI syntax, not SCORM's.
 */
export function initialCmi(
  version: 'scorm12' | 'scorm2004',
  unit: LaunchableUnit,
  learner: { id: string; name: string },
  previous: ScormCmiState | null,
  objectives: ReadonlyArray<{ readonly id: string; readonly success?: 'passed' | 'failed'; readonly scaled?: number }> = [],
): Record<string, unknown> {
  const resume = previous !== null;
  if (version === 'scorm12') {
    return defined({
      'cmi.core.student_id': learner.id,
      'cmi.core.student_name': learner.name,
      'cmi.core.entry': resume ? 'resume' : 'ab-initio',
      'cmi.core.credit': 'credit',
      'cmi.core.lesson_mode': 'normal',
      'cmi.launch_data': unit.dataFromLms,
      'cmi.student_data.mastery_score': unit.masteryScore,
      'cmi.student_data.max_time_allowed': unit.maxTimeAllowed,
      'cmi.student_data.time_limit_action': unit.timeLimitAction,
      ...(previous && {
        'cmi.core.lesson_location': previous.location,
        'cmi.core.lesson_status': lessonStatus(previous),
        'cmi.core.score.raw': previous.score.raw,
        'cmi.core.score.min': previous.score.min,
        'cmi.core.score.max': previous.score.max,
        'cmi.core.total_time': toScorm12Timespan(previous.totalTime),
        'cmi.suspend_data': previous.suspendData,
      }),
    });
  }
  const threshold = unit.completionThreshold as { minProgressMeasure?: number } | undefined;
  return defined({
    'cmi.learner_id': learner.id,
    'cmi.learner_name': learner.name,
    'cmi.entry': resume ? 'resume' : 'ab-initio',
    'cmi.credit': 'credit',
    'cmi.mode': 'normal',
    'cmi.launch_data': unit.dataFromLms,
    'cmi.completion_threshold': threshold?.minProgressMeasure,
    'cmi.max_time_allowed': unit.maxTimeAllowed,
    'cmi.time_limit_action': unit.timeLimitAction,
    ...(previous && {
      'cmi.location': previous.location,
      'cmi.suspend_data': previous.suspendData,
      'cmi.completion_status': previous.completion === 'unknown' ? undefined : previous.completion,
      'cmi.success_status': previous.success === 'unknown' ? undefined : previous.success,
      'cmi.progress_measure': previous.progressMeasure,
      'cmi.score.scaled': previous.score.scaled,
      'cmi.score.raw': previous.score.raw,
      'cmi.score.min': previous.score.min,
      'cmi.score.max': previous.score.max,
      'cmi.total_time': previous.totalTime,
    }),
    ...objectiveElements(objectives, previous),
  });
}

/**
 * SCORM 2004 cmi.objectives: the activity's objectives with what sequencing knows of them (global objectives read
 * in, src/runtime/sequencing `deliveredObjectives`), then, on resume, the objectives the SCO wrote itself that the
 * manifest does not declare, as it left them.
 */
function objectiveElements(
  declared: ReadonlyArray<{ readonly id: string; readonly success?: 'passed' | 'failed'; readonly scaled?: number }>,
  previous: ScormCmiState | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const written = previous?.objectives ?? [];
  const list = [
    ...declared.map((objective) => {
      const own = written.find((candidate) => candidate.id === objective.id);
      return { id: objective.id, success: objective.success ?? (own?.success === 'passed' || own?.success === 'failed' ? own.success : undefined), scaled: objective.scaled ?? own?.score?.scaled, completion: own?.completion };
    }),
    ...written
      .filter((objective) => !declared.some((candidate) => candidate.id === objective.id))
      .map((objective) => ({ id: objective.id, success: objective.success === 'unknown' ? undefined : objective.success, scaled: objective.score?.scaled, completion: objective.completion })),
  ];
  list.forEach((objective, index) => {
    out[`cmi.objectives.${index}.id`] = objective.id;
    if (objective.success !== undefined) out[`cmi.objectives.${index}.success_status`] = objective.success;
    if (objective.scaled !== undefined) out[`cmi.objectives.${index}.score.scaled`] = objective.scaled;
    if (objective.completion !== undefined && objective.completion !== 'unknown') out[`cmi.objectives.${index}.completion_status`] = objective.completion;
  });
  return out;
}
