import type { CompletionCount, CompletionCountRecord, CompletionCounts } from './ports.js';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order `CompletionCounts` promises: course id, then the group's other keys, by code unit. */
export function sortCompletionCounts(counts: CompletionCounts): CompletionCounts {
  return {
    byMonth: [...counts.byMonth].sort((a, b) => compare(a.courseId, b.courseId) || compare(a.month, b.month)),
    byCountry: [...counts.byCountry].sort((a, b) => compare(a.courseId, b.courseId) || compare(a.country, b.country)),
    byAgency: [...counts.byAgency].sort((a, b) => compare(a.courseId, b.courseId) || compare(a.country, b.country) || compare(a.agency, b.agency)),
  };
}

/** Rows summed into groups by key, in order of first appearance; `first` is the group's first row (its names). */
export function sumCompletions<R extends { readonly completed: number; readonly passed: number }>(rows: readonly R[], keyOf: (row: R) => string) {
  const groups = new Map<string, { completed: number; passed: number; first: R }>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) {
      group.completed += row.completed;
      group.passed += row.passed;
    } else groups.set(key, { completed: row.completed, passed: row.passed, first: row });
  }
  return [...groups.values()];
}

/** The three groupings of fine-grained rows (for adapters whose query yields `CompletionCountRecord`s). */
export function completionCountsOf(rows: readonly CompletionCountRecord[]): CompletionCounts {
  const sum = <T extends CompletionCount>(keyOf: (row: CompletionCountRecord) => string, make: (row: CompletionCountRecord) => T): T[] =>
    sumCompletions(rows, keyOf).map((group) => ({ ...make(group.first), completed: group.completed, passed: group.passed }));
  return sortCompletionCounts({
    byMonth: sum((row) => `${row.courseId}\n${row.month}`, (row) => ({ courseId: row.courseId, month: row.month, completed: 0, passed: 0 })),
    byCountry: sum((row) => `${row.courseId}\n${row.country}`, (row) => ({ courseId: row.courseId, country: row.country, completed: 0, passed: 0 })),
    byAgency: sum((row) => `${row.courseId}\n${row.country}\n${row.agency}`, (row) => ({ courseId: row.courseId, country: row.country, agency: row.agency, completed: 0, passed: 0 })),
  });
}
