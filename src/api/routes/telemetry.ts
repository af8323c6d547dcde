// Telemetry routes (upstream's): services post batches of records; anyone reads them, their statistics
// and the anomalies (runtimes or devices failing at a high rate). Records live behind the telemetry
// store interface; statistics are computed over at most TELEMETRY_SCAN_LIMIT of the newest matches.
import {
  GROUP_KEYS,
  resultAnomalies,
  runtimeErrorAnomalies,
  stats,
  type AnomalyScope,
  type GroupKey,
} from '../../telemetry/aggregate';
import { TELEMETRY_TEXT_FIELDS, type TelemetryFilter, type TelemetryRecord } from '../../telemetry/types';
import { requireUser } from '../auth';
import { badRequest } from '../errors';
import { PAGE_QUERY_PROPS, page } from '../schemas/common';
import type { RoutePlugin } from './plugin';

/** Most records one statistics or anomalies answer is computed over (the newest first). */
export const TELEMETRY_SCAN_LIMIT = 100_000;
/** Most records one POST may carry (upstream's emitter flushes at 50). */
export const TELEMETRY_BATCH_LIMIT = 1000;

const TEXT = { type: ['string', 'null'], maxLength: 4096 } as const;

const RECORD_BODY = {
  type: 'object',
  required: ['kind'],
  additionalProperties: true,
  properties: {
    ...Object.fromEntries(TELEMETRY_TEXT_FIELDS.map((f) => [f, TEXT])),
    kind: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
    ts: { type: 'string', format: 'date-time' },
    is_infra_error: { type: ['boolean', 'null'] },
    retry: { type: ['integer', 'null'], minimum: 0 },
  },
} as const;

const FILTER_PROPS = {
  ...Object.fromEntries(TELEMETRY_TEXT_FIELDS.map((f) => [f, { type: 'string', maxLength: 1024 }])),
  lab: { type: 'string', maxLength: 1024, description: 'same as runtime (upstream name)' },
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
} as const;

type FilterQuery = Partial<Record<string, string>>;

/** The store filter of a query; `lab` and `runtime` are one field, so different values are a 400. */
function filterOf(query: FilterQuery): TelemetryFilter {
  if (query.lab && query.runtime && query.lab !== query.runtime)
    throw badRequest('querystring.lab: conflicts with runtime (lab is the runtime); give one of them');
  const equals: TelemetryFilter['equals'] = {};
  for (const f of TELEMETRY_TEXT_FIELDS) if (query[f] !== undefined) equals[f] = query[f];
  if (query.lab) equals.runtime = query.lab;
  return {
    equals,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
  };
}

function groupKeysOf(raw: string | undefined): GroupKey[] {
  const keys = (raw ?? 'runtime').split(',').map((k) => k.trim());
  for (const k of keys)
    if (!(GROUP_KEYS as readonly string[]).includes(k))
      throw badRequest(`querystring.group_by: unknown key "${k}"; use ${GROUP_KEYS.join(', ')}`);
  return keys as GroupKey[];
}

/** `48h`, `30m`, `7d` → milliseconds. */
function windowMs(raw: string): number {
  const m = /^(\d{1,5})([mhd])$/.exec(raw)!;
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

function toRecord(body: Record<string, unknown>, submitter: string): TelemetryRecord {
  const known = new Set<string>([...TELEMETRY_TEXT_FIELDS, 'ts', 'is_infra_error', 'retry']);
  const record: Record<string, unknown> = {
    submitter,
    ts: body.ts ? new Date(body.ts as string) : new Date(),
  };
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'ts') continue;
    if (known.has(k)) record[k] = v;
    else extra[k] = v;
  }
  if (Object.keys(extra).length) record.extra = extra;
  return record as unknown as TelemetryRecord;
}

const toJson = (r: TelemetryRecord) => ({ ...r, ts: r.ts.toISOString() });

export const telemetryRoutes: RoutePlugin = async (app, { ctx }) => {
  const store = ctx.storage.telemetry;

  app.post<{ Body: Record<string, unknown>[] }>(
    '/telemetry',
    {
      schema: {
        summary: 'Store a batch of telemetry records (what the pipeline services flush every 30 s)',
        tags: ['telemetry'],
        security: [{ bearer: [] }],
        body: { type: 'array', minItems: 1, maxItems: TELEMETRY_BATCH_LIMIT, items: RECORD_BODY },
        response: { 200: { type: 'object', properties: { inserted: { type: 'integer' } } } },
      },
    },
    async (request) => {
      const user = requireUser(request);
      return { inserted: await store.insert(request.body.map((b) => toRecord(b, user.username))) };
    },
  );

  app.get<{ Querystring: FilterQuery & { limit: number; offset: number } }>(
    '/telemetry',
    {
      schema: {
        summary: 'Telemetry records, newest first (filters: record fields, lab, since, until)',
        tags: ['telemetry'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...FILTER_PROPS, ...PAGE_QUERY_PROPS },
        },
        response: { 200: page({ type: 'object', additionalProperties: true }) },
      },
    },
    async (request) => {
      const { limit, offset, ...query } = request.query;
      const { items, total } = await store.find(filterOf(query), limit, offset);
      return { items: items.map(toJson), total, limit, offset };
    },
  );

  app.get<{ Querystring: FilterQuery & { group_by?: string } }>(
    '/telemetry/stats',
    {
      schema: {
        summary:
          'Counters (total, pass, fail, incomplete, skip, infra_error) per group (group_by: comma list)',
        tags: ['telemetry'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...FILTER_PROPS, group_by: { type: 'string', maxLength: 256 } },
        },
        response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } } },
      },
    },
    async (request) => {
      const { group_by, ...query } = request.query;
      const keys = groupKeysOf(group_by);
      return stats(await store.recent(filterOf(query), TELEMETRY_SCAN_LIMIT), keys);
    },
  );

  app.get<{ Querystring: { scope: AnomalyScope; window: string; threshold: number; min_total: number } }>(
    '/telemetry/anomalies',
    {
      schema: {
        summary: 'Runtimes or devices whose job results fail (or hit infrastructure errors) at a high rate',
        tags: ['telemetry'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            scope: { type: 'string', enum: ['runtime', 'device'], default: 'runtime' },
            window: { type: 'string', pattern: '^\\d{1,5}[mhd]$', default: '24h' },
            threshold: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
            min_total: { type: 'integer', minimum: 1, default: 3 },
          },
        },
      },
    },
    async (request) => {
      const { scope, window, threshold, min_total } = request.query;
      const since = new Date(Date.now() - windowMs(window));
      const results = await store.recent(
        { equals: { kind: 'job_result' }, since, withDeviceId: scope === 'device' },
        TELEMETRY_SCAN_LIMIT,
      );
      const errors = await store.recent({ equals: { kind: 'runtime_error' }, since }, TELEMETRY_SCAN_LIMIT);
      return {
        scope,
        window,
        threshold,
        min_total,
        result_anomalies: resultAnomalies(results, scope, threshold, min_total),
        runtime_error_anomalies: runtimeErrorAnomalies(errors, min_total),
      };
    },
  );
};
