// JSON schemas of the node routes: request validation (shape and types; the node write path checks the
// rest, e.g. keys, per-kind data, transitions), response serialisation and the OpenAPI docs.
import { NODE_KINDS, NODE_RESULTS, NODE_STATES } from '../../db/nodes/types';
import { OBJECT_ID_PATTERN } from '../../object-id';
import { OBJECT_ID } from './common';

const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const STRING_LIST = { type: 'array', items: { type: 'string' } } as const;
const NULLABLE_STRING_LIST = { type: ['array', 'null'], items: { type: 'string' } } as const;
const TIMESTAMP = { type: 'string', description: 'ISO-8601, UTC when no zone is given' } as const;
const FREE_OBJECT = { type: 'object', additionalProperties: true } as const;

const KIND = { type: 'string', enum: [...NODE_KINDS] } as const;
const STATE = { type: 'string', enum: [...NODE_STATES] } as const;
const RESULT = { type: ['string', 'null'], enum: [...NODE_RESULTS, null] } as const;

export const NODE_ID_PARAMS = { type: 'object', required: ['id'], properties: { id: OBJECT_ID } } as const;

/** A node as the API returns it. */
export const NODE = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    path: STRING_LIST,
    group: NULLABLE_STRING,
    parent: NULLABLE_STRING,
    state: { type: 'string' },
    result: NULLABLE_STRING,
    artifacts: { type: 'object', additionalProperties: { type: 'string' } },
    data: FREE_OBJECT,
    debug: { type: ['object', 'null'], additionalProperties: true },
    jobfilter: NULLABLE_STRING_LIST,
    platform_filter: NULLABLE_STRING_LIST,
    created: { type: 'string' },
    updated: { type: 'string' },
    timeout: { type: 'string' },
    holdoff: NULLABLE_STRING,
    owner: { type: 'string' },
    submitter: NULLABLE_STRING,
    treeid: NULLABLE_STRING,
    user_groups: STRING_LIST,
    retry_counter: { type: 'integer' },
    processed_by_kcidb_bridge: { type: 'boolean' },
  },
} as const;

const INPUT_PROPS = {
  kind: KIND,
  name: { type: 'string', minLength: 1, maxLength: 1024 },
  parent: { type: ['string', 'null'], pattern: OBJECT_ID_PATTERN },
  path: { ...NULLABLE_STRING_LIST, description: 'ignored: computed from the parent' },
  group: NULLABLE_STRING,
  state: STATE,
  result: RESULT,
  artifacts: {
    type: ['object', 'null'],
    additionalProperties: { type: 'string' },
    description: 'name → public URL',
  },
  data: { type: ['object', 'null'], additionalProperties: true, description: 'per kind (see the README)' },
  debug: { type: ['object', 'null'], additionalProperties: true },
  jobfilter: NULLABLE_STRING_LIST,
  platform_filter: NULLABLE_STRING_LIST,
  timeout: { ...TIMESTAMP, type: ['string', 'null'] },
  holdoff: { ...TIMESTAMP, type: ['string', 'null'] },
  submitter: NULLABLE_STRING,
  treeid: NULLABLE_STRING,
  user_groups: STRING_LIST,
  retry_counter: { type: 'integer', minimum: 0 },
  processed_by_kcidb_bridge: { type: 'boolean' },
} as const;

/** POST /node. `id` is listed only so its rejection names it (ids are assigned by the server). */
export const NODE_CREATE_BODY = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: { ...INPUT_PROPS, id: { description: 'not allowed: ids are assigned by the server' } },
} as const;

/** PUT /node/{id}: a whole node, usually as read from GET; server-managed fields are checked or ignored. */
export const NODE_REPLACE_BODY = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    ...INPUT_PROPS,
    id: { type: 'string', description: 'must match the URL when given' },
    owner: { type: 'string', description: 'immutable' },
    created: { type: 'string', description: 'ignored' },
    updated: { type: 'string', description: 'ignored' },
  },
} as const;

export const NODE_PATCH_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    state: INPUT_PROPS.state,
    result: INPUT_PROPS.result,
    artifacts: { type: 'object', additionalProperties: { type: 'string' } },
    data: {
      type: 'object',
      additionalProperties: true,
      description: 'merged into the stored data key by key',
    },
    debug: INPUT_PROPS.debug,
    jobfilter: INPUT_PROPS.jobfilter,
    platform_filter: INPUT_PROPS.platform_filter,
    timeout: TIMESTAMP,
    holdoff: INPUT_PROPS.holdoff,
    processed_by_kcidb_bridge: INPUT_PROPS.processed_by_kcidb_bridge,
  },
} as const;

/** PUT /nodes/{id}: `{node, child_nodes: [{node, child_nodes}, …]}` (recursive; checked by the write path). */
export const NODE_TREE_BODY = {
  type: 'object',
  required: ['node'],
  additionalProperties: false,
  properties: {
    node: { type: 'object', additionalProperties: true, description: 'the root node (fields to update)' },
    child_nodes: {
      type: 'array',
      items: { type: 'object', additionalProperties: true, description: '{node, child_nodes} (recursive)' },
    },
  },
} as const;

export const BATCH_NODESET_BODY = {
  type: 'object',
  required: ['nodes', 'field', 'value'],
  additionalProperties: false,
  properties: {
    nodes: { type: 'array', items: OBJECT_ID, maxItems: 10_000 },
    field: { type: 'string', enum: ['processed_by_kcidb_bridge'] },
    value: { type: ['boolean', 'string'], enum: [true, false, 'true', 'false', 'True', 'False'] },
  },
} as const;

export const NOEVENT_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { noevent: { type: 'boolean', description: 'do not publish an event for this write' } },
} as const;

const FILTER_DOC =
  'Filters: field=value, data.<path>=value, field__op=value with op in lt, lte, gt, gte, ne, re, in, nin ' +
  '(comma lists for in/nin); null/true/false typed; timestamps on created, updated, timeout, holdoff.';

/** Query of /nodes, /nodes/fast, /count: documented here, parsed by src/db/nodes/filters.ts. */
export const NODE_FILTER_QUERY = {
  type: 'object',
  additionalProperties: true,
  description: FILTER_DOC,
  properties: {
    limit: { type: 'string', description: 'page size, default 50, at most 1000' },
    offset: { type: 'string', description: 'items to skip, default 0' },
    sort: { type: 'string', description: 'comma list of fields, "-" for descending, e.g. -created,name' },
    kind: { type: 'string' },
    state: { type: 'string' },
    result: { type: 'string' },
    name: { type: 'string' },
    parent: { type: 'string' },
    owner: { type: 'string' },
    'data.kernel_revision.tree': { type: 'string' },
  },
} as const;

export const NODE_PAGE = {
  type: 'object',
  properties: {
    items: { type: 'array', items: NODE },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

export const NODE_LIST = { type: 'array', items: NODE } as const;
