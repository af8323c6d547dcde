// Validation of node bodies for the write path: field types, per-kind `data` (SPEC §2), storable keys.
// The write path validates itself (not only the HTTP layer) because workflow activities call it directly.
import { invalid } from '../../errors';
import { isObjectId } from '../../object-id';
import { assertStorableValue } from './body-keys';
import {
  NODE_KINDS,
  NODE_RESULTS,
  NODE_STATES,
  PATCH_FIELDS,
  type NodeKind,
  type NodePatch,
  type NodeResult,
  type NodeState,
} from './types';

const MAX_NAME_LENGTH = 1024;

/** Fields a client may set on create (NodeInput). */
export const INPUT_FIELDS = [
  'kind',
  'name',
  'parent',
  'path',
  'group',
  'state',
  'result',
  'artifacts',
  'data',
  'debug',
  'jobfilter',
  'platform_filter',
  'timeout',
  'holdoff',
  'submitter',
  'treeid',
  'user_groups',
  'retry_counter',
  'processed_by_kcidb_bridge',
] as const;

/** Server-managed fields a PUT body may echo back (clients GET, modify, PUT); ignored when unchanged. */
export const ECHO_FIELDS = ['id', 'owner', 'created', 'updated'] as const;

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function assertObject(v: unknown, field: string): asserts v is Obj {
  if (!isPlainObject(v)) throw invalid(`${field}: must be an object`);
}

function assertKnownKeys(body: Obj, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(`${where}${key}: unknown field`);
  }
}

function str(v: unknown, field: string, nullable = false): string | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'string') throw invalid(`${field}: must be a string${nullable ? ' or null' : ''}`);
  return v;
}

function strList(v: unknown, field: string, nullable: boolean): string[] | null {
  if (v === null && nullable) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalid(`${field}: must be a list of strings${nullable ? ' or null' : ''}`);
  }
  return v as string[];
}

function oneOf<T extends string>(
  v: unknown,
  values: readonly T[],
  field: string,
  nullable = false,
): T | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw invalid(`${field}: must be one of ${values.join(', ')}${nullable ? ' or null' : ''}`);
  }
  return v as T;
}

/** ISO-8601 timestamp (a missing zone means UTC) or a Date. */
export function parseTimestamp(v: unknown, field: string, nullable = false): Date | null {
  if (v === null && nullable) return null;
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  if (
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(v)
  ) {
    let s = v.replace(' ', 'T');
    if (!s.includes('T')) s += 'T00:00:00Z';
    else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) s += 'Z';
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw invalid(`${field}: must be an ISO-8601 timestamp${nullable ? ' or null' : ''}`);
}

function stringMap(v: unknown, field: string): Record<string, string> {
  assertObject(v, field);
  for (const [k, x] of Object.entries(v))
    if (typeof x !== 'string') throw invalid(`${field}.${k}: must be a string`);
  return v as Record<string, string>;
}

function objectOrNull(v: unknown, field: string): Obj | null {
  if (v === null) return null;
  assertObject(v, field);
  return v;
}

/** Optional string-or-null fields of `data`, per kind. */
const BUILD_FIELDS = ['arch', 'defconfig', 'config_full', 'compiler', 'platform', 'runtime', 'job_id'];
const JOB_FIELDS = [...BUILD_FIELDS, 'device', 'error_code', 'error_msg'];

/** Per-kind checks of `data` (SPEC §2). Extra keys are allowed: `data` is open for labs and tools. */
export function validateKindData(kind: NodeKind, data: Obj): void {
  if (kind === 'checkout') {
    // Optional (clients may create the node before they know the revision), but complete when given.
    const rev = data.kernel_revision;
    if (rev === undefined || rev === null) return;
    assertObject(rev, 'data.kernel_revision');
    for (const f of ['tree', 'url', 'branch', 'commit']) str(rev[f], `data.kernel_revision.${f}`);
    if (rev.describe !== undefined) str(rev.describe, 'data.kernel_revision.describe', true);
    if (rev.version !== undefined && rev.version !== null)
      assertObject(rev.version, 'data.kernel_revision.version');
  }
  const stringFields = kind === 'kbuild' ? BUILD_FIELDS : kind === 'job' || kind === 'test' ? JOB_FIELDS : [];
  for (const f of stringFields) {
    const v = data[f];
    if (v === undefined || v === null) continue;
    // job ids are strings upstream; LAVA hands out numbers, which we accept as they are.
    if (f === 'job_id' && typeof v === 'number') continue;
    str(v, `data.${f}`);
  }
  if (
    (kind === 'kbuild' || kind === 'job' || kind === 'test') &&
    data.fragments !== undefined &&
    data.fragments !== null
  ) {
    strList(data.fragments, 'data.fragments', false);
  }
}

/** Validated, typed fields of a create/replace body (only those present). */
export interface CheckedInput {
  kind: NodeKind;
  name: string;
  parent?: string | null;
  group?: string | null;
  state?: NodeState;
  result?: NodeResult | null;
  artifacts?: Record<string, string>;
  data?: Obj;
  debug?: Obj | null;
  jobfilter?: string[] | null;
  platform_filter?: string[] | null;
  timeout?: Date;
  holdoff?: Date | null;
  submitter?: string | null;
  treeid?: string | null;
  user_groups?: string[];
  retry_counter?: number;
  processed_by_kcidb_bridge?: boolean;
  /** Echoed server-managed fields (PUT only). */
  echo: { id?: string; owner?: string; created?: Date; updated?: Date };
}

/** Checks a create (`allowEcho=false`) or replace (`allowEcho=true`) body. */
export function checkNodeInput(
  body: unknown,
  allowEcho: boolean,
  where = '',
  requireIdentity = true,
): Partial<CheckedInput> & { echo: CheckedInput['echo'] } {
  const field = (f: string) => `${where}${f}`;
  assertObject(body, where ? where.replace(/\.$/, '') : 'body');
  assertKnownKeys(body, allowEcho ? [...INPUT_FIELDS, ...ECHO_FIELDS] : INPUT_FIELDS, where);
  if (!allowEcho && 'id' in body) throw invalid(`${field('id')}: ids are assigned by the server`);
  assertStorableValue(body, where ? where.replace(/\.$/, '') : 'body');

  if (requireIdentity && body.kind === undefined) throw invalid(`${field('kind')}: field required`);
  if (requireIdentity && body.name === undefined) throw invalid(`${field('name')}: field required`);
  const out: Partial<CheckedInput> & { echo: CheckedInput['echo'] } = { echo: {} };
  if (body.kind !== undefined) out.kind = oneOf(body.kind, NODE_KINDS, field('kind')) as NodeKind;
  if (body.name !== undefined) {
    const name = str(body.name, field('name'))!;
    if (!name.length || name.length > MAX_NAME_LENGTH) {
      throw invalid(`${field('name')}: must be 1 to ${MAX_NAME_LENGTH} characters`);
    }
    out.name = name;
  }
  if (body.parent !== undefined) {
    const p = str(body.parent, field('parent'), true);
    if (p !== null && !isObjectId(p)) throw invalid(`${field('parent')}: must be a 24-hex node id`);
    out.parent = p?.toLowerCase() ?? null;
  }
  if (body.path !== undefined) strList(body.path, field('path'), true); // recomputed from the parent
  if (body.group !== undefined) out.group = str(body.group, field('group'), true);
  if (body.state !== undefined) out.state = oneOf(body.state, NODE_STATES, field('state')) as NodeState;
  if (body.result !== undefined) out.result = oneOf(body.result, NODE_RESULTS, field('result'), true);
  if (body.artifacts !== undefined)
    out.artifacts = body.artifacts === null ? {} : stringMap(body.artifacts, field('artifacts'));
  if (body.data !== undefined) {
    out.data = body.data === null ? {} : (assertObject(body.data, field('data')), body.data);
  }
  if (body.debug !== undefined) out.debug = objectOrNull(body.debug, field('debug'));
  if (body.jobfilter !== undefined) out.jobfilter = strList(body.jobfilter, field('jobfilter'), true);
  if (body.platform_filter !== undefined)
    out.platform_filter = strList(body.platform_filter, field('platform_filter'), true);
  if (body.timeout !== undefined && body.timeout !== null)
    out.timeout = parseTimestamp(body.timeout, field('timeout'))!;
  if (body.holdoff !== undefined) out.holdoff = parseTimestamp(body.holdoff, field('holdoff'), true);
  if (body.submitter !== undefined) out.submitter = str(body.submitter, field('submitter'), true);
  if (body.treeid !== undefined) out.treeid = str(body.treeid, field('treeid'), true);
  if (body.user_groups !== undefined)
    out.user_groups = strList(body.user_groups, field('user_groups'), false)!;
  if (body.retry_counter !== undefined) {
    if (!Number.isInteger(body.retry_counter) || (body.retry_counter as number) < 0) {
      throw invalid(`${field('retry_counter')}: must be a non-negative integer`);
    }
    out.retry_counter = body.retry_counter as number;
  }
  if (body.processed_by_kcidb_bridge !== undefined) {
    if (typeof body.processed_by_kcidb_bridge !== 'boolean')
      throw invalid(`${field('processed_by_kcidb_bridge')}: must be a boolean`);
    out.processed_by_kcidb_bridge = body.processed_by_kcidb_bridge;
  }
  if (allowEcho) {
    if (body.id !== undefined) out.echo.id = str(body.id, field('id'))!;
    if (body.owner !== undefined) out.echo.owner = str(body.owner, field('owner'))!;
    if (body.created !== undefined) out.echo.created = parseTimestamp(body.created, field('created'))!;
    if (body.updated !== undefined) out.echo.updated = parseTimestamp(body.updated, field('updated'))!;
  }
  return out;
}

/** Validated PATCH fields; `data` keys are merged into the stored data. */
export type CheckedPatch = Pick<CheckedInput, (typeof PATCH_FIELDS)[number]>;

export function checkNodePatch(body: unknown, where = ''): CheckedPatch {
  assertObject(body, where ? where.replace(/\.$/, '') : 'body');
  for (const key of Object.keys(body)) {
    if (!(PATCH_FIELDS as readonly string[]).includes(key)) {
      throw invalid(`${where}${key}: unknown or read-only field (patchable: ${PATCH_FIELDS.join(', ')})`);
    }
  }
  assertStorableValue(body, where ? where.replace(/\.$/, '') : 'body');
  const p = body as NodePatch & Obj;
  const out: CheckedPatch = {};
  if (p.state !== undefined) out.state = oneOf(p.state, NODE_STATES, `${where}state`) as NodeState;
  if (p.result !== undefined) out.result = oneOf(p.result, NODE_RESULTS, `${where}result`, true);
  if (p.artifacts !== undefined) out.artifacts = stringMap(p.artifacts, `${where}artifacts`);
  if (p.data !== undefined) {
    assertObject(p.data, `${where}data`);
    out.data = p.data;
  }
  if (p.debug !== undefined) out.debug = objectOrNull(p.debug, `${where}debug`);
  if (p.jobfilter !== undefined) out.jobfilter = strList(p.jobfilter, `${where}jobfilter`, true);
  if (p.platform_filter !== undefined)
    out.platform_filter = strList(p.platform_filter, `${where}platform_filter`, true);
  if (p.timeout !== undefined) out.timeout = parseTimestamp(p.timeout, `${where}timeout`)!;
  if (p.holdoff !== undefined) out.holdoff = parseTimestamp(p.holdoff, `${where}holdoff`, true);
  if (p.processed_by_kcidb_bridge !== undefined) {
    if (typeof p.processed_by_kcidb_bridge !== 'boolean')
      throw invalid(`${where}processed_by_kcidb_bridge: must be a boolean`);
    out.processed_by_kcidb_bridge = p.processed_by_kcidb_bridge;
  }
  return out;
}
