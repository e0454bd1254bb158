/**
 * SCORM 2004 imsmanifest.xml, 2nd/3rd/4th editions: the content packaging shared with 1.2
 * (see scorm-manifest.ts) plus the ADL item extensions (`adlcp:completionThreshold`,
 * `timeLimitAction`, `dataFromLMS`, 4th-ed `adlcp:data` shared data, `adlnav:presentation`)
 * and sequencing (`imsss:sequencing`, merged with `sequencingCollection` entries).
 */
import type { CompletionThreshold, Scorm2004Edition, SharedDataMap } from './course-model.js';
import { ProblemList } from './problem.js';
import type { PackageFiles } from './package-files.js';
import { ADLCP, ADLNAV, ADLSEQ, IMSSS, adlText, buildScormModel, type ItemExtras, type ManifestContext, type ScormFlavor } from './scorm-manifest.js';
import { readSequencing, readSequencingCollection, type SequencingReadContext } from './scorm2004-sequencing.js';
import { manifestContext, resultOf, type ParseResult, type ScormParseOptions } from './scorm12-parser.js';
import { attribute, childNamed, childrenNamed, parseXmlBoolean, trimmedText, type XmlElement } from './xml.js';
import { scormVersionOf } from './detect.js';

const TIME_LIMIT_ACTIONS = new Set(['exit,message', 'exit,no message', 'continue,message', 'continue,no message']);
const HIDE_LMS_UI = new Set(['continue', 'previous', 'exit', 'exitAll', 'abandon', 'abandonAll', 'suspendAll']);

function completionThresholdOf(item: XmlElement, ctx: ManifestContext): CompletionThreshold | undefined {
  const element = childNamed(item, 'completionThreshold', ADLCP);
  if (element === undefined) return undefined;
  const where = { file: ctx.file, element: element.path };
  const number = (raw: string | undefined, name: string, min: number): number | undefined => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > 1) {
      ctx.problems.error('invalid-value', `adlcp:completionThreshold ${name} "${raw}" must be a number from ${min} to 1.`, where);
      return undefined;
    }
    return value;
  };
  // 3rd edition: the threshold is the element's text; 4th edition: attributes.
  const text = number(trimmedText(element), 'value', 0);
  if (text !== undefined) return { completedByMeasure: true, minProgressMeasure: text };
  const completedByMeasure = parseXmlBoolean(attribute(element, 'completedByMeasure'));
  if (completedByMeasure === 'invalid') ctx.problems.error('invalid-value', 'adlcp:completionThreshold completedByMeasure must be true or false.', where);
  const minProgressMeasure = number(attribute(element, 'minProgressMeasure'), 'minProgressMeasure', 0);
  const progressWeight = number(attribute(element, 'progressWeight'), 'progressWeight', 0);
  return {
    ...(typeof completedByMeasure === 'boolean' ? { completedByMeasure } : {}),
    ...(minProgressMeasure !== undefined ? { minProgressMeasure } : {}),
    ...(progressWeight !== undefined ? { progressWeight } : {}),
  };
}

function sharedDataOf(item: XmlElement, ctx: ManifestContext): SharedDataMap[] | undefined {
  const data = childNamed(item, 'data', ADLCP);
  if (data === undefined) return undefined;
  const maps: SharedDataMap[] = [];
  for (const map of childrenNamed(data, 'map', ADLCP)) {
    const targetID = attribute(map, 'targetID')?.trim();
    if (!targetID) {
      ctx.problems.error('invalid-value', 'An adlcp:map has no targetID.', { file: ctx.file, element: map.path });
      continue;
    }
    const read = parseXmlBoolean(attribute(map, 'readSharedData'));
    const write = parseXmlBoolean(attribute(map, 'writeSharedData'));
    // adlcp_v1p3.xsd mapType: readSharedData defaults to true, writeSharedData to false.
    maps.push({ targetID, readSharedData: read === 'invalid' || read === undefined ? true : read, writeSharedData: write === true });
  }
  return maps;
}

function hideLmsUiOf(item: XmlElement, ctx: ManifestContext): string[] | undefined {
  const presentation = childNamed(item, 'presentation', ADLNAV);
  const nav = presentation === undefined ? undefined : childNamed(presentation, 'navigationInterface', ADLNAV);
  if (nav === undefined) return undefined;
  const values: string[] = [];
  for (const hide of childrenNamed(nav, 'hideLMSUI', ADLNAV)) {
    const value = trimmedText(hide);
    if (!HIDE_LMS_UI.has(value)) ctx.problems.error('invalid-value', `adlnav:hideLMSUI "${value}" is not one of: ${[...HIDE_LMS_UI].join(', ')}.`, { file: ctx.file, element: hide.path });
    else if (!values.includes(value)) values.push(value);
  }
  return values;
}

function flavorFor(edition: Scorm2004Edition, manifest: XmlElement, ctx: ManifestContext): ScormFlavor {
  const seqCtx: SequencingReadContext = { file: ctx.file, problems: ctx.problems, imsss: IMSSS, adlseq: ADLSEQ };
  const collection = readSequencingCollection(manifest, seqCtx);
  return {
    format: 'scorm2004',
    edition,
    strictDefaultOrganization: true,
    itemExtras(item, itemCtx): ItemExtras {
      const where = { file: itemCtx.file, element: item.path };
      const unit: Record<string, unknown> = {};
      const action = adlText(item, 'timeLimitAction');
      if (action !== undefined) {
        const normalised = action.toLowerCase().replace(/\s*,\s*/, ',');
        if (!TIME_LIMIT_ACTIONS.has(normalised)) itemCtx.problems.error('invalid-value', `adlcp:timeLimitAction is "${action}"; it must be one of exit,message / exit,no message / continue,message / continue,no message.`, where);
        else unit['timeLimitAction'] = normalised;
      }
      const dataFromLms = childNamed(item, 'dataFromLMS', ADLCP, true);
      if (dataFromLms !== undefined) unit['dataFromLms'] = dataFromLms.text.trim();
      const completionThreshold = completionThresholdOf(item, itemCtx);
      if (completionThreshold !== undefined) unit['completionThreshold'] = completionThreshold;
      const sharedData = sharedDataOf(item, itemCtx);
      if (sharedData !== undefined) unit['sharedData'] = sharedData;
      const sequencing = readSequencing(item, collection, seqCtx);
      const duration = sequencing?.limitConditions?.attemptAbsoluteDurationLimit;
      if (duration !== undefined) unit['maxTimeAllowed'] = duration;
      const hideLmsUi = hideLmsUiOf(item, itemCtx);
      return {
        unit: unit as ItemExtras['unit'],
        ...(sequencing !== undefined ? { sequencing } : {}),
        ...(hideLmsUi !== undefined ? { hideLmsUi } : {}),
        ...(completionThreshold !== undefined ? { completionThreshold } : {}),
      };
    },
    organizationSequencing: (organization) => readSequencing(organization, collection, seqCtx),
    organizationFlags(organization) {
      const objectives = parseXmlBoolean(attribute(organization, 'objectivesGlobalToSystem', ADLSEQ));
      const shared = parseXmlBoolean(attribute(organization, 'sharedDataGlobalToSystem', ADLCP));
      return {
        ...(typeof objectives === 'boolean' ? { objectivesGlobalToSystem: objectives } : {}),
        ...(typeof shared === 'boolean' ? { sharedDataGlobalToSystem: shared } : {}),
      };
    },
  };
}

export interface Scorm2004ParseOptions extends ScormParseOptions {
  /** The edition, when already detected; otherwise read from the manifest. */
  readonly edition?: Scorm2004Edition;
}

/** Parses an already-parsed SCORM 2004 manifest against the package's files. */
export function parseScorm2004Manifest(manifest: XmlElement, files: PackageFiles, options: Scorm2004ParseOptions = {}): ParseResult {
  const problems = new ProblemList();
  const ctx = manifestContext(files, options, problems);
  const detected = scormVersionOf(manifest);
  const edition = options.edition ?? (detected.format === 'scorm2004' ? detected.edition : '3rd');
  if (options.edition === undefined && detected.note !== undefined) problems.warn('scorm-edition-assumed', detected.note, { file: ctx.file, element: manifest.path });
  const model = buildScormModel(manifest, ctx, flavorFor(edition, manifest, ctx));
  return resultOf(model, problems);
}
