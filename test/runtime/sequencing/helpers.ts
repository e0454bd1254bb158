import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectPackage, type CourseModel, type LaunchableUnit, type PackageSource } from '../../../src/packages/index.js';
import type { CourseNode, RuleCondition, Sequencing, SequencingRule } from '../../../src/packages/course-model.js';
import type { SequencingAttempt } from '../../../src/runtime/sequencing/index.js';
import { findRepoRoot } from '../../../src/shared/json-schema.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';

const models = new Map<string, Promise<CourseModel>>();

async function inspect(key: string, source: PackageSource): Promise<CourseModel> {
  let pending = models.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const target = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-sequencing-'));
      try {
        const result = await inspectPackage(source, path.join(target, 'package'), { requireLaunchFiles: false });
        if (!result.ok) throw new Error(`${key}: ${JSON.stringify(result.errors)}`);
        return result.model;
      } finally {
        fs.rmSync(target, { recursive: true, force: true });
      }
    })();
    models.set(key, pending);
  }
  return pending;
}

/** A Rustici/ADL golf sequencing example from ../shared/fixtures/scorm2004, e.g. `ForcedSequential_SCORM20043rdEdition`. */
export const sequencingFixture = (name: string) => inspect(name, { zipPath: sharedFixture('scorm2004', `Sequencing${name}.zip`) });

/** The SCORM 2004 demo course of content-packages/. */
export const demoCourse = () => inspect('demo', { directory: path.join(findRepoRoot(), 'content-packages', 'scorm2004-interview-techniques') });

export interface CmiValues {
  completion?: 'completed' | 'incomplete' | 'not attempted' | 'unknown';
  success?: 'passed' | 'failed' | 'unknown';
  scaled?: number;
  objectives?: Array<{ id: string; success?: 'passed' | 'failed' | 'unknown'; scaled?: number }>;
}

/**
 * A registration's attempts, in the order they are added: each is one attempt of a SCO with the normalised CMI
 * state the runtime keeps (`ScormAttemptState.cmi`), ended unless `suspended`.
 */
export function attempts() {
  const list: SequencingAttempt[] = [];
  const builder = {
    list,
    add(unitId: string, values: CmiValues | null, options: { suspended?: boolean; durationMs?: number } = {}) {
      const at = list.length + 1;
      const number = list.filter((attempt) => attempt.unitId === unitId).length + 1;
      const cmi =
        values === null
          ? null
          : {
              version: 'scorm2004',
              completion: values.completion ?? 'unknown',
              success: values.success ?? 'unknown',
              score: values.scaled === undefined ? {} : { scaled: values.scaled },
              preferences: {},
              interactions: [],
              comments: [],
              commentsFromLms: [],
              objectives: (values.objectives ?? []).map((objective, index) => ({
                index,
                id: objective.id,
                completion: 'unknown',
                success: objective.success ?? 'unknown',
                score: objective.scaled === undefined ? {} : { scaled: objective.scaled },
              })),
            };
      list.push({ unitId, number, createdMs: at * 1000, endedMs: options.suspended ? null : at * 1000 + (options.durationMs ?? 500), state: cmi === null ? null : { cmi, raw: {}, session: `s${at}` } });
      return builder;
    },
    /** Completed and passed. */
    pass(unitId: string, scaled?: number) {
      return builder.add(unitId, { completion: 'completed', success: 'passed', ...(scaled !== undefined && { scaled }) });
    },
    /** Completed and failed. */
    fail(unitId: string, scaled?: number) {
      return builder.add(unitId, { completion: 'completed', success: 'failed', ...(scaled !== undefined && { scaled }) });
    },
  };
  return builder;
}

/** A node of a synthetic SCORM 2004 course: a SCO when it has no children. */
export interface NodeSpec {
  readonly id: string;
  readonly sequencing?: Sequencing;
  readonly children?: readonly NodeSpec[];
  readonly maxTimeAllowed?: string;
}

/** A SCORM 2004 course model from a tree of nodes (the organization's own sequencing in `root`). */
export function syntheticCourse(root: Sequencing | undefined, items: readonly NodeSpec[]): CourseModel {
  const units: LaunchableUnit[] = [];
  const node = (spec: NodeSpec): CourseNode => {
    const leaf = spec.children === undefined || spec.children.length === 0;
    const unit: LaunchableUnit | undefined = leaf
      ? { identifier: spec.id, title: { en: spec.id }, launchUrl: `${spec.id}.html`, external: false, scormType: 'sco', isVisible: true, ...(spec.maxTimeAllowed !== undefined && { maxTimeAllowed: spec.maxTimeAllowed }) }
      : undefined;
    if (unit) units.push(unit);
    return { identifier: spec.id, title: { en: spec.id }, isVisible: true, children: (spec.children ?? []).map(node), ...(unit && { unit }), ...(spec.sequencing && { sequencing: spec.sequencing }) };
  };
  const organization = { identifier: 'org', title: { en: 'Course' }, items: items.map(node), ...(root && { sequencing: root }) };
  return {
    format: 'scorm2004',
    edition: '4th',
    identifier: 'synthetic',
    identifierIsIri: false,
    title: { en: 'Course' },
    languages: ['en'],
    metadata: {},
    organizations: [organization],
    defaultOrganization: 'org',
    units,
    descriptor: 'imsmanifest.xml',
  };
}

/** A sequencing rule with conditions `[condition, operator?]`. */
export const rule = (action: SequencingRule['action'], conditions: ReadonlyArray<readonly [RuleCondition['condition'], ('not' | 'noOp')?]>, combination: 'all' | 'any' = 'all'): SequencingRule => ({
  conditionCombination: combination,
  conditions: conditions.map(([condition, operator]) => ({ condition, operator: operator ?? 'noOp' })),
  action,
});

export const FLOW: Sequencing = { controlMode: { choice: true, flow: true } };
