/**
 * SCORM 1.2 imsmanifest.xml (IMS CP 1.1.2 + ADL `adlcp_rootv1p2` extensions): multi-SCO item
 * trees, assets, `xml:base`, dependencies, and the item extensions `adlcp:masteryscore`,
 * `maxtimeallowed`, `timelimitaction`, `datafromlms`, `prerequisites`. Element names of the
 * extensions are matched case-insensitively: authoring tools write `dataFromLMS` in 1.2
 * manifests too.
 */
import type { CourseModel } from './course-model.js';
import { ProblemList } from './problem.js';
import type { PackageFiles } from './package-files.js';
import { ADLCP, adlText, buildScormModel, type ItemExtras, type ManifestContext, type ScormFlavor } from './scorm-manifest.js';
import { DEFAULT_MAX_XML_BYTES, attribute, childNamed, trimmedText, type XmlElement } from './xml.js';

const TIME_LIMIT_ACTIONS = new Set(['exit,message', 'exit,no message', 'continue,message', 'continue,no message']);
// SCORM 1.2 RTE 3.4.2 CMITimespan: HHHH:MM:SS.SS
const TIMESPAN = /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/;

function itemExtras(item: XmlElement, ctx: ManifestContext): ItemExtras {
  const unit: Record<string, unknown> = {};
  const where = { file: ctx.file, element: item.path };
  const mastery = adlText(item, 'masteryscore');
  if (mastery !== undefined) {
    const value = Number(mastery);
    if (!Number.isFinite(value) || value < 0 || value > 100) {
      ctx.problems.error('invalid-value', `adlcp:masteryscore is "${mastery}"; it must be a number from 0 to 100.`, where);
    } else unit['masteryScore'] = value;
  }
  const maxTime = adlText(item, 'maxtimeallowed');
  if (maxTime !== undefined) {
    if (!TIMESPAN.test(maxTime)) ctx.problems.warn('invalid-value', `adlcp:maxtimeallowed is "${maxTime}"; SCORM 1.2 expects HHHH:MM:SS.SS. It is kept as written.`, where);
    unit['maxTimeAllowed'] = maxTime;
  }
  const action = adlText(item, 'timelimitaction');
  if (action !== undefined) {
    const normalised = action.toLowerCase().replace(/\s*,\s*/, ',');
    if (!TIME_LIMIT_ACTIONS.has(normalised)) ctx.problems.error('invalid-value', `adlcp:timelimitaction is "${action}"; it must be one of exit,message / exit,no message / continue,message / continue,no message.`, where);
    else unit['timeLimitAction'] = normalised;
  }
  const dataFromLms = childNamed(item, 'datafromlms', ADLCP, true);
  if (dataFromLms !== undefined) unit['dataFromLms'] = dataFromLms.text.trim();
  const prerequisites = childNamed(item, 'prerequisites', ADLCP, true);
  if (prerequisites !== undefined && trimmedText(prerequisites) !== '') {
    unit['prerequisites'] = { type: attribute(prerequisites, 'type')?.trim() || 'aicc_script', expression: trimmedText(prerequisites) };
  }
  return { unit: unit as ItemExtras['unit'] };
}

const SCORM12: ScormFlavor = {
  format: 'scorm12',
  strictDefaultOrganization: false,
  itemExtras,
};

export interface ScormParseOptions {
  /** Path of the manifest in the package, for problems. Default `imsmanifest.xml`. */
  readonly file?: string;
  /** Missing launch files are errors unless this is false. Default true. */
  readonly requireLaunchFiles?: boolean;
  readonly maxXmlBytes?: number;
}

export type ParseResult =
  | { readonly ok: true; readonly model: CourseModel; readonly warnings: ProblemList['warnings'] }
  | { readonly ok: false; readonly errors: ProblemList['errors']; readonly warnings: ProblemList['warnings'] };

export function manifestContext(files: PackageFiles, options: ScormParseOptions, problems: ProblemList): ManifestContext {
  return {
    file: options.file ?? 'imsmanifest.xml',
    problems,
    files,
    requireLaunchFiles: options.requireLaunchFiles ?? true,
    maxXmlBytes: options.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES,
  };
}

export function resultOf(model: CourseModel | undefined, problems: ProblemList): ParseResult {
  if (model === undefined || problems.hasErrors) return { ok: false, errors: problems.errors, warnings: problems.warnings };
  return { ok: true, model, warnings: problems.warnings };
}

/** Parses an already-parsed SCORM 1.2 manifest against the package's files. */
export function parseScorm12Manifest(manifest: XmlElement, files: PackageFiles, options: ScormParseOptions = {}): ParseResult {
  const problems = new ProblemList();
  const model = buildScormModel(manifest, manifestContext(files, options, problems), SCORM12);
  return resultOf(model, problems);
}
