// Test results under their jobs (pure functions: unit-tested without a browser).
import type { Node } from './types';

/** The job each test belongs to: the nearest ancestor that is a job among the loaded nodes. */
export function groupTestsByJob(jobs: Node[], tests: Node[]): Map<string, Node[]> {
  const jobIds = new Set(jobs.map((j) => j.id));
  const parentOf = new Map(tests.map((t) => [t.id, t.parent]));
  const groups = new Map<string, Node[]>(jobs.map((j) => [j.id, []]));
  for (const t of tests) {
    let at: string | null | undefined = t.parent;
    for (let hops = 0; at && !jobIds.has(at) && hops < 64; hops++) at = parentOf.get(at);
    if (at && jobIds.has(at)) groups.get(at)!.push(t);
  }
  return groups;
}

export function tally(tests: Node[]) {
  // Groups (tests with children) aggregate their children: count only the leaves.
  const parents = new Set(tests.map((t) => t.parent));
  const leaves = tests.filter((t) => !parents.has(t.id));
  const c = { pass: 0, fail: 0, skip: 0, incomplete: 0, pending: 0 };
  for (const t of leaves) {
    const r = t.result as keyof typeof c | null;
    if (r && r in c) c[r]++;
    else c.pending++;
  }
  return c;
}
