// Node filters (parsed by ../nodes/filters.ts into operator objects) turned into parameterised SQL. Only
// the operators that parser emits are understood; anything else is a 400, so nothing a client sends can
// become SQL. Column names come from a fixed table, `data.*` paths are passed as parameters.
import { ObjectId } from 'mongodb';
import { invalid } from '../../errors';
import type { FindOptions, NodeQuery } from '../nodes/types';
import { INDEXED_DATA_PATHS } from './schema';

/** Filterable top-level fields → column expression; arrays match when they contain the value. */
const COLUMNS: Record<string, { sql: string; array?: 'text[]' | 'jsonb' }> = {
  _id: { sql: 'id' },
  kind: { sql: 'kind' },
  name: { sql: 'name' },
  path: { sql: 'path', array: 'text[]' },
  group: { sql: '"group"' },
  parent: { sql: 'parent' },
  state: { sql: 'state' },
  result: { sql: 'result' },
  owner: { sql: 'owner' },
  submitter: { sql: 'submitter' },
  treeid: { sql: 'treeid' },
  user_groups: { sql: 'user_groups', array: 'text[]' },
  jobfilter: { sql: 'jobfilter', array: 'jsonb' },
  platform_filter: { sql: 'platform_filter', array: 'jsonb' },
  created: { sql: 'created' },
  updated: { sql: 'updated' },
  timeout: { sql: 'timeout' },
  holdoff: { sql: 'holdoff' },
  retry_counter: { sql: 'retry_counter' },
  processed_by_kcidb_bridge: { sql: 'processed_by_kcidb_bridge' },
};

const JSON_PREFIXES = new Set(['data', 'artifacts', 'debug']);
const RANGE: Record<string, string> = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' };

export class SqlBuilder {
  readonly params: unknown[] = [];
  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
}

const plain = (v: unknown): unknown => (v instanceof ObjectId ? v.toHexString() : v);

/** The text form `#>>` yields for a JSON scalar (null stays null). */
function asJsonText(v: unknown): string | null {
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  return String(plain(v));
}

function jsonPath(field: string): { column: string; path: string[] } {
  const [prefix, ...rest] = field.split('.');
  return { column: prefix, path: rest };
}

function conditionsOf(value: unknown): [string, unknown][] {
  const isOps =
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Date) &&
    !(value instanceof ObjectId) &&
    !Array.isArray(value);
  return isOps ? Object.entries(value as Record<string, unknown>) : [['$eq', value]];
}

function columnCondition(b: SqlBuilder, field: string, op: string, value: unknown): string {
  const col = COLUMNS[field];
  const sql = col.sql;
  if (col.array === 'text[]') {
    const list = (op === '$in' || op === '$nin' ? (value as unknown[]) : [value]).map(plain);
    const nonNull = list.filter((v) => v !== null).map(String);
    const hasNull = list.length !== nonNull.length;
    let cond: string;
    if (op === '$regex')
      cond = `EXISTS (SELECT 1 FROM unnest(${sql}) AS e WHERE e ~ ${b.param(String(value))})`;
    else if (op in RANGE)
      cond = `EXISTS (SELECT 1 FROM unnest(${sql}) AS e WHERE e ${RANGE[op]} ${b.param(String(plain(value)))})`;
    else {
      const parts = [];
      if (nonNull.length) parts.push(`${sql} && ${b.param(nonNull)}::text[]`);
      if (hasNull) parts.push(`cardinality(${sql}) = 0`);
      cond = `(${parts.join(' OR ') || 'false'})`;
      if (op === '$ne' || op === '$nin') cond = `NOT ${cond}`;
    }
    return cond;
  }
  if (col.array === 'jsonb') {
    // jobfilter / platform_filter: a JSON list of strings, or null.
    const list = (op === '$in' || op === '$nin' ? (value as unknown[]) : [value]).map(plain);
    if (!['$eq', '$ne', '$in', '$nin'].includes(op))
      throw invalid(`${field}: only equality and in/nin filters apply to lists`);
    const parts = list.map((v) =>
      v === null ? `${sql} IS NULL` : `${sql} @> ${b.param(JSON.stringify([v]))}::jsonb`,
    );
    const cond = `(${parts.join(' OR ') || 'false'})`;
    return op === '$ne' || op === '$nin' ? `NOT ${cond}` : cond;
  }
  switch (op) {
    case '$eq':
      return value === null ? `${sql} IS NULL` : `${sql} = ${b.param(plain(value))}`;
    case '$ne':
      return value === null ? `${sql} IS NOT NULL` : `${sql} IS DISTINCT FROM ${b.param(plain(value))}`;
    case '$in':
    case '$nin': {
      const list = (value as unknown[]).map(plain);
      const nonNull = list.filter((v) => v !== null);
      const typed = nonNull.every((v) => v instanceof Date)
        ? 'timestamptz[]'
        : nonNull.every((v) => typeof v === 'number')
          ? 'numeric[]'
          : nonNull.every((v) => typeof v === 'boolean')
            ? 'boolean[]'
            : 'text[]';
      const parts = [];
      if (nonNull.length) parts.push(`${sql} = ANY(${b.param(nonNull)}::${typed})`);
      if (nonNull.length !== list.length) parts.push(`${sql} IS NULL`);
      const cond = `(${parts.join(' OR ') || 'false'})`;
      return op === '$in' ? cond : `NOT ${cond}`;
    }
    case '$regex':
      return `${sql} ~ ${b.param(String(value))}`;
    default:
      if (op in RANGE) return `${sql} ${RANGE[op]} ${b.param(plain(value))}`;
      throw invalid(`${field}: unsupported filter operator`);
  }
}

function jsonCondition(b: SqlBuilder, field: string, op: string, value: unknown): string {
  const { column, path } = jsonPath(field);
  const indexed = column === 'data' ? INDEXED_DATA_PATHS[path.join('.')] : undefined;
  // Built only when used: every parameter placed must appear in the statement.
  const text = () => indexed ?? `(${column} #>> ${b.param(path)}::text[])`;
  const json = () => `(${column} #> ${b.param(path)}::text[])`;
  const list = op === '$in' || op === '$nin' ? (value as unknown[]) : [value];
  switch (op) {
    case '$eq':
    case '$ne':
    case '$in':
    case '$nin': {
      const nonNull = list.filter((v) => v !== null).map(plain);
      const parts = [];
      if (nonNull.length === 1 && !indexed && column === 'data') {
        // Containment: served by the GIN index on `data`, and typed (true is not "true").
        const doc = path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), nonNull[0]);
        parts.push(`data @> ${b.param(JSON.stringify(doc))}::jsonb`);
      } else if (nonNull.length) {
        // The text form uses the expression index; the typed comparison keeps JSON's types apart.
        parts.push(
          `(${text()} = ANY(${b.param(nonNull.map(asJsonText))}::text[]) AND ` +
            `${json()} = ANY(${b.param(nonNull.map((v) => JSON.stringify(v)))}::jsonb[]))`,
        );
      }
      if (nonNull.length !== list.length) parts.push(`(${json()} IS NULL OR ${json()} = 'null'::jsonb)`);
      const cond = `(${parts.join(' OR ') || 'false'})`;
      return op === '$eq' || op === '$in' ? cond : `NOT COALESCE(${cond}, false)`;
    }
    case '$regex':
      return `${text()} ~ ${b.param(String(value))}`;
    default: {
      if (!(op in RANGE)) throw invalid(`${field}: unsupported filter operator`);
      const j = json();
      // CASE, not AND: PostgreSQL may evaluate either side of AND first, and "abc"::numeric fails.
      if (typeof value === 'number')
        return `(CASE WHEN jsonb_typeof(${j}) = 'number' THEN (${j})::numeric END) ${RANGE[op]} ${b.param(value)}`;
      return `(CASE WHEN jsonb_typeof(${j}) = 'string' THEN ${j} #>> '{}' END) ${RANGE[op]} ${b.param(asJsonText(value))}`;
    }
  }
}

/** The WHERE clause (without the keyword; `true` when there is no filter). */
export function whereClause(b: SqlBuilder, query: NodeQuery): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(query)) {
    const json = JSON_PREFIXES.has(field.split('.')[0]) && field.includes('.');
    if (!json && !COLUMNS[field]) throw invalid(`${field}: unknown filter field`);
    for (const [op, v] of conditionsOf(value)) {
      if (!op.startsWith('$')) throw invalid(`${field}: unknown filter operator`);
      parts.push(json ? jsonCondition(b, field, op, v) : columnCondition(b, field, op, v));
    }
  }
  return parts.length ? parts.join(' AND ') : 'true';
}

/** ORDER BY: the requested fields, then insertion order (stable pages). */
export function orderClause(b: SqlBuilder, sort: FindOptions['sort']): string {
  const keys: string[] = [];
  for (const s of sort ?? []) {
    const desc = s.startsWith('-');
    const name = desc ? s.slice(1) : s;
    const field = name === 'id' ? '_id' : name;
    let expr: string;
    if (COLUMNS[field]) expr = COLUMNS[field].sql;
    else if (JSON_PREFIXES.has(field.split('.')[0])) {
      const { column, path } = jsonPath(field);
      expr =
        column === 'data' && INDEXED_DATA_PATHS[path.join('.')]
          ? INDEXED_DATA_PATHS[path.join('.')]
          : `(${column} #> ${b.param(path)}::text[])`;
    } else throw invalid(`sort: cannot sort on "${name}"`);
    // PostgreSQL's default null placement, so a btree index scanned either way serves the order.
    keys.push(`${expr} ${desc ? 'DESC' : 'ASC'}`);
  }
  keys.push('ord ASC');
  return keys.join(', ');
}
