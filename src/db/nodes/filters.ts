// Query-string filters for /nodes, /nodes/fast and /count (SPEC §3), turned into a MongoDB filter that
// contains only operators this module emits. Every unknown field, operator or malformed value is a 400
// naming the parameter, so nothing a client sends can reach the database as an operator.
import { ObjectId } from 'mongodb';
import { booleanWord } from '../../boolean-words';
import { invalid } from '../../errors';
import { isObjectId } from '../../object-id';
import type { FindOptions, NodeQuery } from './types';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
const MAX_REGEX_LENGTH = 512;
const MAX_LIST_ITEMS = 1000;

type FieldType = 'string' | 'id' | 'date' | 'number' | 'bool' | 'auto';

/** Top-level fields that may be filtered and sorted on, with the type their values are parsed as. */
const FIELD_TYPES: Record<string, FieldType> = {
  id: 'id',
  kind: 'string',
  name: 'string',
  path: 'string',
  group: 'string',
  parent: 'id',
  state: 'string',
  result: 'string',
  owner: 'string',
  submitter: 'string',
  treeid: 'string',
  user_groups: 'string',
  jobfilter: 'string',
  platform_filter: 'string',
  created: 'date',
  updated: 'date',
  timeout: 'date',
  holdoff: 'date',
  retry_counter: 'number',
  processed_by_kcidb_bridge: 'bool',
};

/** Sub-documents whose keys are free: any `prefix.<a>.<b>` made of `[A-Za-z0-9_]` segments. */
const OPEN_PREFIXES: Record<string, FieldType> = { data: 'auto', artifacts: 'string', debug: 'auto' };

const OPERATORS = {
  lt: '$lt',
  lte: '$lte',
  gt: '$gt',
  gte: '$gte',
  ne: '$ne',
  re: '$regex',
  in: '$in',
  nin: '$nin',
} as const;
type Op = keyof typeof OPERATORS;

const SEGMENT = /^[A-Za-z0-9_]+$/;

/** The stored field and value type for a filter/sort field name, or null when it is not allowed. */
export function resolveField(name: string): { dbField: string; type: FieldType } | null {
  if (FIELD_TYPES[name]) return { dbField: name === 'id' ? '_id' : name, type: FIELD_TYPES[name] };
  const [prefix, ...rest] = name.split('.');
  const type = OPEN_PREFIXES[prefix];
  if (!type || !rest.length || rest.length > 8 || !rest.every((s) => SEGMENT.test(s))) return null;
  return { dbField: name, type };
}

function parseScalar(raw: string, type: FieldType, param: string): unknown[] {
  // Each parsed value may stand for several stored representations (e.g. "6" in data: 6 or "6").
  if (raw === 'null') return [null];
  switch (type) {
    case 'string':
      return [raw];
    case 'id':
      if (!isObjectId(raw)) throw invalid(`${param}: "${raw}" is not a valid node id`);
      return [new ObjectId(raw)];
    case 'bool': {
      const value = booleanWord(raw);
      if (value === undefined) throw invalid(`${param}: must be true, false or null`);
      return [value];
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw invalid(`${param}: must be a number`);
      return [n];
    }
    case 'date': {
      const m = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw);
      let s = raw.replace(' ', 'T');
      if (m && !s.includes('T')) s += 'T00:00:00Z';
      else if (m && !/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) s += 'Z';
      const d = new Date(s);
      if (!m || Number.isNaN(d.getTime())) throw invalid(`${param}: "${raw}" is not an ISO-8601 timestamp`);
      return [d];
    }
    case 'auto':
      if (raw === 'true') return [true];
      if (raw === 'false') return [false];
      if (/^-?\d+(\.\d+)?$/.test(raw) && Number.isFinite(Number(raw))) return [Number(raw), raw];
      return [raw];
  }
}

function parseCondition(
  field: { dbField: string; type: FieldType },
  op: Op | 'eq',
  raw: string,
  param: string,
): Record<string, unknown> {
  if (op === 're') {
    if (field.type === 'id' || field.type === 'date' || field.type === 'number' || field.type === 'bool') {
      throw invalid(`${param}: regular expressions only apply to text fields`);
    }
    if (raw.length > MAX_REGEX_LENGTH)
      throw invalid(`${param}: regular expression longer than ${MAX_REGEX_LENGTH}`);
    try {
      new RegExp(raw);
    } catch {
      throw invalid(`${param}: invalid regular expression`);
    }
    return { $regex: raw };
  }
  if (op === 'in' || op === 'nin') {
    const items = raw.split(',');
    if (items.length > MAX_LIST_ITEMS) throw invalid(`${param}: more than ${MAX_LIST_ITEMS} values`);
    return { [OPERATORS[op]]: items.flatMap((item) => parseScalar(item, field.type, param)) };
  }
  const values = parseScalar(raw, field.type, param);
  if (op === 'eq') return values.length === 1 ? { $eq: values[0] } : { $in: values };
  if (op === 'ne') return values.length === 1 ? { $ne: values[0] } : { $nin: values };
  // Range operators compare one typed value; for "6" in data that is the number.
  return { [OPERATORS[op]]: values[0] };
}

/** Like URLSearchParams, but malformed percent-encoding or UTF-8 is a 400 rather than U+FFFD. */
function decodeQuery(queryString: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of queryString.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [rawKey, rawValue] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw invalid(`${rawKey.slice(0, 64)}: malformed percent-encoding or UTF-8 in the query string`);
      }
    };
    out.push([decode(rawKey), decode(rawValue)]);
  }
  return out;
}

export interface ParsedNodeQuery {
  query: NodeQuery;
  options: FindOptions;
}

function parseNonNegativeInt(raw: string, param: string): number {
  if (!/^\d+$/.test(raw)) throw invalid(`${param}: must be a non-negative integer`);
  return Number(raw);
}

/**
 * Parses a raw query string (`kind=kbuild&data.arch=x86_64&created__gt=2024-01-01&sort=-created`).
 * Repeated parameters are a 400: one value per field and operator.
 */
export function parseNodeQuery(queryString: string): ParsedNodeQuery {
  const params = decodeQuery(queryString);
  const query: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  const options: FindOptions = { limit: DEFAULT_LIMIT, offset: 0 };
  for (const [param, raw] of params) {
    if (seen.has(param)) throw invalid(`${param}: given more than once`);
    seen.add(param);
    if (param === 'limit') {
      options.limit = parseNonNegativeInt(raw, 'limit');
      if (options.limit > MAX_LIMIT) throw invalid(`limit: must be at most ${MAX_LIMIT}`);
      continue;
    }
    if (param === 'offset') {
      options.offset = parseNonNegativeInt(raw, 'offset');
      continue;
    }
    if (param === 'sort') {
      options.sort = raw.split(',').map((s) => {
        const name = s.startsWith('-') ? s.slice(1) : s;
        if (!resolveField(name)) throw invalid(`sort: cannot sort on "${name}"`);
        return s;
      });
      continue;
    }
    if (param.startsWith('$')) throw invalid(`${param}: parameters must not start with "$"`);
    const sep = param.lastIndexOf('__');
    const name = sep > 0 ? param.slice(0, sep) : param;
    const opName = sep > 0 ? param.slice(sep + 2) : 'eq';
    if (opName !== 'eq' && !(opName in OPERATORS)) {
      throw invalid(
        `${param}: unknown operator "${opName}" (use one of ${Object.keys(OPERATORS).join(', ')})`,
      );
    }
    if (sep > 0 && opName === 'eq') throw invalid(`${param}: unknown operator "eq" (write ${name}=value)`);
    const field = resolveField(name);
    if (!field) throw invalid(`${param}: unknown filter field "${name}"`);
    const cond = parseCondition(field, opName as Op | 'eq', raw, param);
    const target = (query[field.dbField] ??= {});
    for (const [k, v] of Object.entries(cond)) {
      if (k in target) throw invalid(`${param}: conflicts with another filter on "${name}"`);
      target[k] = v;
    }
  }
  // Single equalities are written plainly ({kind: "kbuild"}), the form every index planner handles best.
  const out: NodeQuery = {};
  for (const [field, cond] of Object.entries(query)) {
    const keys = Object.keys(cond);
    out[field] = keys.length === 1 && keys[0] === '$eq' ? cond.$eq : cond;
  }
  return { query: out, options };
}

/**
 * Equality filters built in-process (`{parent: id}`), through the same field table and value parsing as
 * a query string, without writing one and parsing it back.
 */
export function nodeQuery(equals: Record<string, string>): NodeQuery {
  const out: NodeQuery = {};
  for (const [name, raw] of Object.entries(equals)) {
    const field = resolveField(name);
    if (!field) throw invalid(`${name}: unknown filter field "${name}"`);
    const values = parseScalar(raw, field.type, name);
    out[field.dbField] = values.length === 1 ? values[0] : { $in: values };
  }
  return out;
}
