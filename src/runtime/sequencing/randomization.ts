/**
 * Selection and randomization of children (SN book 4th ed. §3.12, SR.1 Select Children Process and SR.2 Randomize
 * Children Process), deterministic: the random draws come from a seed of the registration, the cluster and the
 * attempt the order is for, so the same learner sees the same order on every request and after resuming, and a new
 * attempt of the cluster (`onEachNewAttempt`) gets a new one. Nothing is stored: the order is recomputed from the
 * attempts each time.
 *
 * The attempt an order is for is the cluster's current attempt while it is active, else the next one (the attempt
 * that entering it would begin): so a `retry` of a cluster flows into the order its new attempt will keep.
 * Selection keeps the selected children in document order (SR.1); randomization then reorders them (SR.2). The
 * children that are not selected are not available: flow, choice, rollup and the table of contents skip them.
 */
import { seededRandom } from '../../shared/seeded-random.js';
import type { Activity, ActivityTree } from './activity-tree.js';

export interface ClusterAttempts {
  readonly attemptCount: number;
  readonly active: boolean;
}

/** FNV-1a, 32 bits: a stable hash of the seed text. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The seeded generator of a text seed (its hash), enough to shuffle a handful of children. */
const generator = (seed: string): (() => number) => seededRandom(hash(seed));

/** Fisher–Yates with the seeded generator. */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const random = generator(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The attempt number a timing's draw is for: always the first for `once`, the current or next for `onEachNewAttempt`. */
function drawAttempt(timing: 'once' | 'onEachNewAttempt', attempts: ClusterAttempts): number {
  if (timing === 'once') return 1;
  return attempts.active ? Math.max(1, attempts.attemptCount) : attempts.attemptCount + 1;
}

/** The available children of a cluster, selected (SR.1) then ordered (SR.2). */
export function availableChildren(activity: Activity, attempts: ClusterAttempts, seed: string): Activity[] {
  const { randomization } = activity;
  let children = [...activity.allChildren];
  const count = randomization.selectCount;
  if (randomization.selectionTiming !== 'never' && count !== undefined && count > 0 && count < children.length) {
    const picked = new Set(shuffled(children, `${seed}|select|${activity.id}|${drawAttempt(randomization.selectionTiming, attempts)}`).slice(0, count));
    children = children.filter((child) => picked.has(child));
  }
  if (randomization.randomizationTiming !== 'never' && randomization.reorderChildren) {
    children = shuffled(children, `${seed}|order|${activity.id}|${drawAttempt(randomization.randomizationTiming, attempts)}`);
  }
  return children;
}

/**
 * Arranges a freshly built tree in place: each cluster's `children` become its available children, and `order`
 * is renumbered along the arranged preorder (choice compares it to tell forward from backward). In place because
 * the tree is built for one evaluation and its activities are the keys of the tracking model.
 */
export function arrangeTree(tree: ActivityTree, attemptsOf: (activity: Activity) => ClusterAttempts, seed: string): void {
  for (const activity of tree.activities) {
    if (activity.allChildren.length === 0) continue;
    (activity as { children: readonly Activity[] }).children = availableChildren(activity, attemptsOf(activity), seed);
  }
  let order = 0;
  const number = (activity: Activity): void => {
    (activity as { order: number }).order = order;
    order += 1;
    activity.children.forEach(number);
  };
  number(tree.root);
}
