/**
 * Drives the real scorm-again runtime in Node to produce the commit bodies the player sends:
 * `renderCommitCMI` is what `getCommitObject` posts with the default settings.
 */
// The main entry: the subpath exports' typings declare a default export that their ESM builds lack.
import { Scorm12API, Scorm2004API } from 'scorm-again';

export interface ScormAgainSession {
  /** SetValue / LMSSetValue; throws with scorm-again's diagnostic when the runtime refuses the value. */
  set(element: string, value: string): ScormAgainSession;
  /** The body of the commit scorm-again would send now (`terminate` adds total_time, as on Terminate). */
  commit(terminate?: boolean): unknown;
  /** The body with `renderCommonCommitFields: true` (the CommitObject wrapper). */
  commitObject(terminate?: boolean): unknown;
}

const settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 as const };

export function scorm12Session(initial: Record<string, unknown> = {}): ScormAgainSession {
  const api = new Scorm12API({ ...settings });
  if (Object.keys(initial).length > 0) api.loadFromJSON(initial);
  if (api.LMSInitialize('') !== 'true') throw new Error(`LMSInitialize failed: ${api.LMSGetLastError()}`);
  const session: ScormAgainSession = {
    set(element, value) {
      if (api.LMSSetValue(element, value) !== 'true') {
        throw new Error(`LMSSetValue(${element}, ${value}) failed: ${api.LMSGetLastError()} ${api.LMSGetDiagnostic('')}`);
      }
      return session;
    },
    commit: (terminate = false) => json(api.renderCommitCMI(terminate)),
    commitObject: (terminate = false) => json(api.renderCommitObject(terminate)),
  };
  return session;
}

export function scorm2004Session(initial: Record<string, unknown> = {}): ScormAgainSession {
  const api = new Scorm2004API({ ...settings });
  if (Object.keys(initial).length > 0) api.loadFromJSON(initial);
  if (api.Initialize('') !== 'true') throw new Error(`Initialize failed: ${api.GetLastError()}`);
  const session: ScormAgainSession = {
    set(element, value) {
      if (api.SetValue(element, value) !== 'true') {
        throw new Error(`SetValue(${element}, ${value}) failed: ${api.GetLastError()} ${api.GetDiagnostic('')}`);
      }
      return session;
    },
    commit: (terminate = false) => json(api.renderCommitCMI(terminate)),
    commitObject: (terminate = false) => json(api.renderCommitObject(terminate)),
  };
  return session;
}

/** What reaches the server: the body after JSON serialisation. */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
