// Telemetry records posted by pipeline services (upstream's TelemetryEmitter: the scheduler, the monitor
// and the LAVA callback flush `{kind, ts, runtime, device_type, …}` events every 30 s) and the filters the
// read routes take.

/** The kinds upstream's emitter sends; others are accepted too (a newer service may add some). */
export const TELEMETRY_KINDS = ['runtime_error', 'job_submission', 'job_skip', 'job_result', 'test_result'];

/** Text fields a record may carry and the read routes filter and group by (`lab` is `runtime`). */
export const TELEMETRY_TEXT_FIELDS = [
  'kind',
  'runtime',
  'device_type',
  'device_id',
  'job_name',
  'test_name',
  'node_id',
  'tree',
  'branch',
  'arch',
  'result',
  'error_type',
  'error_msg',
] as const;
export type TelemetryTextField = (typeof TELEMETRY_TEXT_FIELDS)[number];

export interface TelemetryRecord extends Partial<Record<TelemetryTextField, string | null>> {
  kind: string;
  /** When it happened (the emitter's clock), stored as a date. */
  ts: Date;
  is_infra_error?: boolean | null;
  retry?: number | null;
  /** Who posted it. */
  submitter: string;
  /** Other fields the emitter sent, kept as they came. */
  extra?: Record<string, unknown>;
}

export interface TelemetryFilter {
  equals: Partial<Record<TelemetryTextField, string>>;
  since?: Date;
  until?: Date;
  /** Only records with a non-empty `device_id` (the device scope of anomalies). */
  withDeviceId?: boolean;
}
