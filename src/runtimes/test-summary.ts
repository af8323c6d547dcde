// The JSON summary a test command writes to $KCI_RESULTS:
//   {"tests": [{"name": "boot", "result": "pass"}, {"name": "kselftest", "tests": [...]}]}
// (a bare list is accepted too). Turned into child test nodes by the lab worker.
import type { NodeTreeInput } from '../db/nodes/types';
import type { RuntimeOutcome, TestOutcome } from './runtime';

const RESULTS = ['pass', 'fail', 'skip'];
const MAX_TESTS = 5000;

export function parseTestSummary(text: string): TestOutcome[] {
  const raw = JSON.parse(text) as unknown;
  const list = Array.isArray(raw) ? raw : (raw as { tests?: unknown })?.tests;
  if (!Array.isArray(list)) throw new Error('test summary: expected {"tests": [...]} or a list');
  let count = 0;
  const walk = (items: unknown[], where: string): TestOutcome[] =>
    items.map((item, i) => {
      if (++count > MAX_TESTS) throw new Error(`test summary: more than ${MAX_TESTS} tests`);
      const t = item as Record<string, unknown>;
      if (typeof t?.name !== 'string' || !t.name)
        throw new Error(`test summary: ${where}[${i}].name must be a non-empty string`);
      const out: TestOutcome = { name: t.name };
      if (Array.isArray(t.tests)) out.tests = walk(t.tests, `${where}[${i}].tests`);
      else if (typeof t.result === 'string' && RESULTS.includes(t.result))
        out.result = t.result as TestOutcome['result'];
      else throw new Error(`test summary: ${where}[${i}].result must be one of ${RESULTS.join(', ')}`);
      return out;
    });
  return walk(list, 'tests');
}

/** Aggregate of a group (SPEC §2): any fail → fail; else any pass → pass; else skip. */
export function aggregateResults(results: (string | null | undefined)[]): 'pass' | 'fail' | 'skip' {
  if (results.includes('fail')) return 'fail';
  if (results.includes('pass')) return 'pass';
  return 'skip';
}

export function groupResult(t: TestOutcome): 'pass' | 'fail' | 'skip' {
  return t.tests ? aggregateResults(t.tests.map(groupResult)) : (t.result ?? 'skip');
}

/**
 * A job node's result (SPEC §2) from its command's status and its top-level tests' results: a failed
 * `setup` group makes the job incomplete, a failing command fails it, otherwise its tests decide.
 */
export function jobResult(
  status: 'pass' | 'fail' | 'incomplete',
  tests: { name: string; result?: string | null }[],
): 'pass' | 'fail' | 'skip' | 'incomplete' {
  if (status === 'incomplete') return 'incomplete';
  if (tests.some((t) => t.name === 'setup' && t.result === 'fail')) return 'incomplete';
  if (!tests.length) return status;
  return status === 'fail' ? 'fail' : aggregateResults(tests.map((t) => t.result));
}

/** What a runtime activity returns to the job workflow: the outcome without its test list. */
export interface LabJobResult extends Omit<RuntimeOutcome, 'tests'> {
  /** The job node's result (SPEC §2), aggregated here from the tests the lab reported. */
  result: ReturnType<typeof jobResult>;
  testCount: number;
}

/** The activity's answer for an outcome whose tests were already submitted as nodes. */
export function labJobResult(outcome: RuntimeOutcome): LabJobResult {
  const count = (ts: TestOutcome[]): number => ts.reduce((n, t) => n + 1 + count(t.tests ?? []), 0);
  const { tests, ...rest } = outcome;
  const top = tests.map((t) => ({ name: t.name, result: groupResult(t) }));
  return { ...rest, result: jobResult(outcome.status, top), testCount: count(tests) };
}

/** The test hierarchy submitted under a job node. */
export function testNodes(tests: TestOutcome[], data: Record<string, unknown>): NodeTreeInput[] {
  return tests.map((t) => ({
    node: { kind: 'test', name: t.name, state: 'done', result: groupResult(t), data: { ...data } },
    child_nodes: t.tests ? testNodes(t.tests, data) : [],
  }));
}
