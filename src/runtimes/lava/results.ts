// LAVA's notify callback body (dataset "all", content-type json) → a runtime outcome. The body is what
// lava-server's TestJob.create_job_data() sends: job fields (id, status, health_string, state_string,
// definition, failure_comment…), `results` (suite name → YAML list of test cases) and `log` (YAML list of
// {dt, lvl, msg}). Test suites are named "<index>_<definition name>"; LAVA's own suite `lava` holds the
// infrastructure steps, and its `job` case carries error_type/error_msg when the job did not complete.
import { parse as parseYaml } from 'yaml';
import { looksLikeKtap, parseKtap } from '../../results/ktap';
import type { TestOutcome, TestResult } from '../runtime';

/** LAVA's error types, kept as `data.error_code` (SPEC §2). */
export const LAVA_ERROR_CODES = [
  'Infrastructure',
  'Job',
  'Test',
  'Bug',
  'Configuration',
  'Canceled',
  'LAVATimeout',
] as const;
export type LavaErrorCode = (typeof LAVA_ERROR_CODES)[number];

export interface LavaCallbackBody {
  id: number;
  status?: number;
  status_string?: string;
  state_string?: string;
  health?: number;
  health_string?: string;
  failure_comment?: string | null;
  definition?: string;
  results?: Record<string, string>;
  log?: string;
  [key: string]: unknown;
}

export interface LavaOutcome {
  lavaJobId: number;
  /** pass: LAVA completed the job (test cases decide the result); incomplete: it did not. */
  status: 'pass' | 'fail' | 'incomplete';
  errorCode?: LavaErrorCode | string;
  errorMsg?: string;
  tests: TestOutcome[];
  /** The serial console output of the device (log lines at level "target"), for the `log` artifact. */
  consoleLog: string;
}

interface LavaCase {
  name?: unknown;
  result?: unknown;
  metadata?: Record<string, unknown> | null;
}

export class LavaCallbackError extends Error {}

/** Which error types leave a result that says something about the kernel (fail) and which do not. */
export function lavaErrorStatus(errorType: string | undefined): 'fail' | 'incomplete' {
  // A test that broke or a boot that never reached its prompt is the kernel's doing; the rest is the lab's.
  return errorType === 'Test' || errorType === 'LAVATimeout' || errorType === 'Job' ? 'fail' : 'incomplete';
}

function caseResult(raw: unknown): TestResult {
  if (raw === 'pass') return 'pass';
  if (raw === 'fail') return 'fail';
  // LAVA's "skip" and "unknown" both mean no verdict.
  return 'skip';
}

function parseCases(suite: string, yamlText: string): LavaCase[] {
  let parsed: unknown;
  try {
    parsed = parseYaml(yamlText);
  } catch (err) {
    throw new LavaCallbackError(`results.${suite}: not YAML (${(err as Error).message})`);
  }
  if (parsed == null) return [];
  if (!Array.isArray(parsed)) throw new LavaCallbackError(`results.${suite}: expected a list of test cases`);
  return parsed as LavaCase[];
}

/** One suite's cases as outcomes; cases with a `set` in their metadata are grouped under it. */
function suiteTests(cases: LavaCase[]): TestOutcome[] {
  const out: TestOutcome[] = [];
  const sets = new Map<string, TestOutcome>();
  // Node names are unique among siblings; LAVA repeats some (one http-download per image).
  const seen = new Map<string, number>();
  for (const c of cases) {
    if (typeof c?.name !== 'string' || !c.name) continue;
    const set = c.metadata?.set;
    const key = `${typeof set === 'string' ? set : ''}/${c.name}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const name = n > 1 ? `${c.name}-${n}` : c.name;
    const leaf: TestOutcome = { name, result: caseResult(c.result ?? c.metadata?.result) };
    if (typeof set === 'string' && set) {
      let group = sets.get(set);
      if (!group) {
        group = { name: set, tests: [] };
        sets.set(set, group);
        out.push(group);
      }
      group.tests!.push(leaf);
    } else {
      out.push(leaf);
    }
  }
  return out;
}

/** The plain console text of a LAVA log (YAML list of {dt, lvl, msg}); other levels are LAVA's own. */
export function lavaConsoleLog(logYaml: string | undefined): string {
  if (!logYaml) return '';
  let lines: unknown;
  try {
    lines = parseYaml(logYaml);
  } catch {
    return logYaml;
  }
  if (!Array.isArray(lines)) return '';
  const out: string[] = [];
  for (const l of lines as { lvl?: unknown; msg?: unknown }[]) {
    if (l?.lvl === 'target' && typeof l.msg === 'string') out.push(l.msg);
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

export interface LavaParseOptions {
  /** Also parse KTAP printed on the device's console (kunit, kselftest run by the test definition). */
  ktap?: boolean;
}

export function parseLavaCallback(body: unknown, opts: LavaParseOptions = {}): LavaOutcome {
  const b = body as LavaCallbackBody;
  if (!b || typeof b !== 'object') throw new LavaCallbackError('body: expected a JSON object');
  if (typeof b.id !== 'number') throw new LavaCallbackError('body.id: must be the LAVA job id (a number)');
  const results = b.results ?? {};
  if (typeof results !== 'object' || Array.isArray(results))
    throw new LavaCallbackError('body.results: expected an object of suite name → YAML');

  const tests: TestOutcome[] = [];
  let jobCase: LavaCase | undefined;
  for (const [suite, text] of Object.entries(results)) {
    if (typeof text !== 'string') throw new LavaCallbackError(`body.results.${suite}: expected YAML text`);
    const cases = parseCases(suite, text);
    if (suite === 'lava') {
      jobCase = cases.find((c) => c?.name === 'job');
      // LAVA's own steps (deploy, boot, login…) form the job's `setup` step: a failure there makes the
      // job incomplete rather than failed (SPEC §2).
      const setup = suiteTests(cases.filter((c) => c?.name !== 'job'));
      if (setup.length) tests.push({ name: 'setup', tests: setup });
      continue;
    }
    // "0_smoke" → "smoke": the index only orders definitions within the job.
    const name = /^\d+_(.+)$/.exec(suite)?.[1] ?? suite;
    tests.push({ name, tests: suiteTests(cases) });
  }

  const consoleLog = lavaConsoleLog(b.log);
  if (opts.ktap && looksLikeKtap(consoleLog)) {
    const taken = new Set(tests.map((t) => t.name));
    for (const t of parseKtap(consoleLog))
      tests.push(taken.has(t.name) ? { ...t, name: `ktap-${t.name}` } : t);
  }

  const health = b.health_string ?? '';
  const meta = jobCase?.metadata ?? {};
  const errorType = typeof meta.error_type === 'string' && meta.error_type ? meta.error_type : undefined;
  const errorMsg = (typeof meta.error_msg === 'string' && meta.error_msg) || b.failure_comment || undefined;
  const base = { lavaJobId: b.id, tests, consoleLog };
  if (health === 'Complete' || b.status === 2) return { ...base, status: 'pass' };
  if (health === 'Canceled' || b.status === 4 || b.status === 5)
    return {
      ...base,
      status: 'incomplete',
      errorCode: 'Canceled',
      errorMsg: errorMsg ?? 'LAVA job canceled',
    };
  const code = errorType ?? 'Infrastructure';
  return {
    ...base,
    status: lavaErrorStatus(code),
    errorCode: code,
    errorMsg: errorMsg ?? `LAVA job ${health ? health.toLowerCase() : 'incomplete'}`,
  };
}
