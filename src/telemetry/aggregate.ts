// Statistics and anomalies over telemetry records (upstream's `/telemetry/stats` and
// `/telemetry/anomalies`): counters per group, and the groups whose failure or infrastructure-error rate
// reaches a threshold. `lab` is upstream's name for a record's `runtime`.
import type { TelemetryRecord, TelemetryTextField } from './types';

/** Keys `/telemetry/stats` groups by: the record fields, plus `lab` (= runtime). */
export const GROUP_KEYS = [
  'lab',
  'runtime',
  'device_type',
  'device_id',
  'kind',
  'job_name',
  'test_name',
  'tree',
  'branch',
  'arch',
  'result',
  'error_type',
] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export interface Counters {
  total: number;
  pass: number;
  fail: number;
  incomplete: number;
  skip: number;
  infra_error: number;
}

const field = (key: GroupKey): TelemetryTextField => (key === 'lab' ? 'runtime' : key);

function count(into: Counters, r: TelemetryRecord): void {
  into.total++;
  if (r.result === 'pass' || r.result === 'fail' || r.result === 'incomplete' || r.result === 'skip')
    into[r.result]++;
  if (r.is_infra_error) into.infra_error++;
}

const zero = (): Counters => ({ total: 0, pass: 0, fail: 0, incomplete: 0, skip: 0, infra_error: 0 });

interface Group {
  keys: Record<string, string | null>;
  counters: Counters;
  /** The newest record of the group (records arrive newest first). */
  latest: TelemetryRecord;
}

function groupBy(records: TelemetryRecord[], keys: readonly GroupKey[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of records) {
    const values = keys.map((k) => r[field(k)] ?? null);
    const id = JSON.stringify(values);
    let g = groups.get(id);
    if (!g) {
      g = { keys: Object.fromEntries(keys.map((k, i) => [k, values[i]])), counters: zero(), latest: r };
      groups.set(id, g);
    }
    count(g.counters, r);
  }
  return [...groups.values()].sort((a, b) => b.counters.total - a.counters.total);
}

/** One row per group: its keys, then the counters (upstream's stats rows). */
export function stats(records: TelemetryRecord[], keys: readonly GroupKey[]) {
  return groupBy(records, keys).map((g) => ({ ...g.keys, ...g.counters }));
}

export type AnomalyScope = 'runtime' | 'device';

export const SCOPE_KEYS: Record<AnomalyScope, readonly GroupKey[]> = {
  runtime: ['runtime', 'lab'],
  device: ['runtime', 'lab', 'device_type', 'device_id'],
};

const rate = (n: number, total: number) => (total ? Math.round((n / total) * 1e4) / 1e4 : 0);

/**
 * Groups of job results (per runtime, or per physical device) with at least `minTotal` results whose
 * failure rate (fail + incomplete) or infrastructure-error rate reaches `threshold`.
 */
export function resultAnomalies(
  records: TelemetryRecord[],
  scope: AnomalyScope,
  threshold: number,
  minTotal: number,
) {
  return groupBy(records, SCOPE_KEYS[scope])
    .filter((g) => g.counters.total >= minTotal)
    .map((g) => {
      const c = g.counters;
      const failRate = rate(c.fail + c.incomplete, c.total);
      const infraRate = rate(c.infra_error, c.total);
      return {
        ...g.keys,
        ...c,
        infra_rate: infraRate,
        fail_rate: failRate,
        constant_failure: c.pass === 0 && c.fail + c.incomplete === c.total,
        constant_infra_failure: c.infra_error === c.total,
        last_seen: g.latest.ts.toISOString(),
        latest_error_type: g.latest.error_type ?? null,
        latest_error_msg: g.latest.error_msg ?? null,
      };
    })
    .filter((row) => row.fail_rate >= threshold || row.infra_rate >= threshold);
}

/** Runtimes (and error types) that reported at least `minTotal` runtime errors. */
export function runtimeErrorAnomalies(records: TelemetryRecord[], minTotal: number) {
  return groupBy(records, ['runtime', 'lab', 'error_type'])
    .filter((g) => g.counters.total >= minTotal)
    .map((g) => ({
      ...g.keys,
      total: g.counters.total,
      last_seen: g.latest.ts.toISOString(),
      latest_error_msg: g.latest.error_msg ?? null,
    }));
}
