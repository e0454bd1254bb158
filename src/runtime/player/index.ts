/**
 * The SCORM player: the page a SCO runs inside, on the content origin. The app serves
 * `renderPlayerPage(data)` as text/html and every entry of `playerAssets` at
 * `data.assetsBaseUrl + name`; it owns the commit and navigate endpoints the page calls.
 *
 * `initialCmi` — what the player loads into scorm-again before the SCO starts — is an object of
 * flattened SCORM element names to string values (numbers are accepted). Loaded with scorm-again's
 * `loadFromFlattenedJSON`, which orders interaction/objective fields (id, type first) itself, so
 * read-only elements may be set. The elements the server should send:
 *
 * SCORM 1.2 (`cmi.core.*` etc.):
 *   cmi.core.student_id, cmi.core.student_name, cmi.core.entry ("ab-initio" | "resume" | ""),
 *   cmi.core.credit ("credit" | "no-credit"), cmi.core.lesson_mode ("normal" | "browse" | "review"),
 *   cmi.core.lesson_location, cmi.core.lesson_status, cmi.core.score.raw/.min/.max,
 *   cmi.core.total_time ("HHHH:MM:SS.SS"), cmi.suspend_data, cmi.launch_data,
 *   cmi.student_data.mastery_score, cmi.student_data.max_time_allowed,
 *   cmi.student_data.time_limit_action, cmi.objectives.N.id/.score.raw/.score.min/.score.max/.status.
 *   Not cmi.interactions: they are write-only in 1.2, and sending them back would repeat them in
 *   every later commit.
 * SCORM 2004 (`cmi.*`):
 *   cmi.learner_id, cmi.learner_name, cmi.entry ("ab-initio" | "resume" | ""), cmi.credit, cmi.mode,
 *   cmi.location, cmi.suspend_data, cmi.launch_data, cmi.completion_status, cmi.success_status,
 *   cmi.progress_measure, cmi.score.scaled/.raw/.min/.max, cmi.total_time (ISO 8601 duration),
 *   cmi.scaled_passing_score, cmi.completion_threshold, cmi.max_time_allowed,
 *   cmi.time_limit_action, cmi.objectives.N.* and cmi.interactions.N.* (both readable by the SCO
 *   on resume), cmi.learner_preference.*.
 * For a new attempt send entry "ab-initio" and no location/suspend data/status; for a resume
 * (previous exit "suspend") entry "resume" and the recorded values. A nested object, e.g. a
 * commit's `runtimeData` (`{"cmi": {"core": {…}}}`), is accepted as well and loaded with
 * `loadFromJSON`.
 *
 * Commits: POST `commitUrl` with the scorm-again commit object (`renderCommonCommitFields: true`:
 * `{successStatus, completionStatus, totalTimeSeconds, score, runtimeData: {cmi…}, commitSequence}`),
 * `commitSequence` counting on from `lastCommitSequence`, answered `{"result": true, "errorCode": 0}`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findRepoRoot } from '../../shared/json-schema.js';

export {
  renderPlayerPage,
  terminateCommitParam,
  type PlayerPageData,
  type PlayerTocEntry,
  type PlayerClientConfig,
} from './player-page.js';
export { playerMessages, type PlayerLabels, type PlayerMessageKey } from './player-messages.js';

export interface PlayerAsset {
  /** File name under `assetsBaseUrl`. */
  name: string;
  /** Absolute path of the file on disk. */
  file: string;
  contentType: string;
}

const require = createRequire(import.meta.url);
const assetsDir = join(findRepoRoot(), 'src', 'runtime', 'player', 'assets');

/** Files to serve under `assetsBaseUrl` (content origin), immutable for a given release. */
export const playerAssets: ReadonlyArray<PlayerAsset> = Object.freeze([
  { name: 'player.js', file: join(assetsDir, 'player.js'), contentType: 'text/javascript; charset=utf-8' },
  { name: 'player.css', file: join(assetsDir, 'player.css'), contentType: 'text/css; charset=utf-8' },
  {
    name: 'scorm12.min.js',
    file: require.resolve('scorm-again/scorm12/min'),
    contentType: 'text/javascript; charset=utf-8',
  },
  {
    name: 'scorm2004.min.js',
    file: require.resolve('scorm-again/scorm2004/min'),
    contentType: 'text/javascript; charset=utf-8',
  },
]);
