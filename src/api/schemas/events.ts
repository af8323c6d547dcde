// JSON schemas of the event, subscription and queue routes (validation, serialisation, OpenAPI docs).
import { OBJECT_ID } from './common';

export const CHANNEL = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$' } as const;
export const QUEUE_NAME = CHANNEL;
export const SUBSCRIBER_ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$' } as const;
const SEQUENCE = { type: 'integer', minimum: 0 } as const;

export const CHANNEL_PARAMS = {
  type: 'object',
  required: ['channel'],
  properties: { channel: CHANNEL },
} as const;
export const SUB_PARAMS = {
  type: 'object',
  required: ['sub_id'],
  properties: { sub_id: { type: 'integer', minimum: 1 } },
} as const;

export const SUBSCRIBE_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    promisc: {
      type: 'boolean',
      default: false,
      description: "receive every user's events, not only the caller's",
    },
    subscriber_id: {
      ...SUBSCRIBER_ID,
      description: 'durable subscription: resumes after its last acknowledged event',
    },
  },
} as const;

export const SUBSCRIPTION = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    user: { type: 'string' },
    promiscuous: { type: 'boolean' },
    subscriber_id: { type: ['string', 'null'] },
  },
} as const;

export const ACK_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { ack: { ...SEQUENCE, description: 'acknowledge events up to this sequence_id only' } },
} as const;

export const LISTEN_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ack: { ...SEQUENCE, description: 'acknowledge up to this sequence_id instead of the previous delivery' },
    wait: {
      type: 'number',
      minimum: 0,
      maximum: 300,
      description: 'longest wait in seconds (default: the server setting)',
    },
  },
} as const;

export const LISTEN_MESSAGE = {
  type: 'object',
  properties: {
    type: { type: 'string', description: '"message", or "keep-alive" when the wait ended without an event' },
    channel: { type: 'string' },
    data: { type: ['string', 'null'], description: 'the CloudEvent as a JSON string' },
    pattern: { type: 'null' },
    sequence_id: { type: 'integer' },
  },
} as const;

export const PUBLISH_BODY = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: {
    data: { description: 'event payload (any JSON value)' },
    type: { type: 'string', minLength: 1, maxLength: 256 },
    source: { type: 'string', minLength: 1, maxLength: 1024 },
    attributes: {
      type: 'object',
      description: 'CloudEvents extension attributes (lower-case alphanumeric names)',
    },
  },
} as const;

export const PUBLISHED = {
  type: 'object',
  properties: { id: { type: 'string' }, sequence_id: { type: 'integer' }, channel: { type: 'string' } },
} as const;

export const EVENTS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string' },
    state: { type: 'string' },
    result: { type: 'string' },
    op: { type: 'string', enum: ['created', 'updated'] },
    name: { type: 'string' },
    group: { type: 'string' },
    owner: { type: 'string' },
    channel: CHANNEL,
    node_id: OBJECT_ID,
    path: { type: 'string', description: 'comma list: events whose node path contains all of them' },
    from: { type: 'string', format: 'date-time', description: 'only events after this time' },
    id: OBJECT_ID,
    ids: { type: 'string', pattern: '^[0-9a-fA-F]{24}(,[0-9a-fA-F]{24})*$' },
    sequence_id__gt: { ...SEQUENCE, description: 'only events after this sequence_id' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    recursive: { type: 'boolean', default: false, description: 'embed the current node as `node`' },
  },
} as const;

export const EVENT_RECORD = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    sequence_id: { type: 'integer' },
    channel: { type: 'string' },
    timestamp: { type: 'string' },
    owner: { type: ['string', 'null'] },
    data: {},
    node: {},
  },
} as const;

export const STREAM_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    channel: { ...CHANNEL, default: 'node' },
    from: { ...SEQUENCE, description: 'first sequence_id to send (default: only new events)' },
    owner: { type: 'string', description: "only this user's events" },
  },
} as const;

export const QUEUE_PARAMS = {
  type: 'object',
  required: ['queue'],
  properties: { queue: QUEUE_NAME },
} as const;
export const QUEUE_RECEIPT_PARAMS = {
  type: 'object',
  required: ['queue', 'receipt'],
  properties: { queue: QUEUE_NAME, receipt: { type: 'string', pattern: '^[0-9a-f]{24}:[0-9]+$' } },
} as const;

export const QUEUE_ADDRESS_PROPS = {
  shared: {
    type: 'boolean',
    default: false,
    description: 'the shared queue of this name (opened by an admin)',
  },
  owner: { type: 'string', description: "another user's queue (admins only)" },
} as const;

export const QUEUE_ADDRESS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: QUEUE_ADDRESS_PROPS,
} as const;

export const POP_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...QUEUE_ADDRESS_PROPS,
    wait: {
      type: 'number',
      minimum: 0,
      maximum: 300,
      default: 0,
      description: 'seconds to wait for an item',
    },
    ack: {
      type: 'string',
      enum: ['explicit', 'auto'],
      default: 'explicit',
      description: 'auto: popping acknowledges (upstream behaviour); explicit: ack with the receipt',
    },
  },
} as const;

export const QUEUE = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    owner: { type: 'string' },
    shared: { type: 'boolean' },
    created: { type: 'string' },
    size: { type: 'integer' },
  },
} as const;

export const CLOUD_EVENT = {
  type: 'object',
  additionalProperties: true,
  properties: {
    specversion: { type: 'string' },
    id: { type: 'string' },
    source: { type: 'string' },
    type: { type: 'string' },
    time: { type: 'string' },
    owner: { type: 'string' },
    data: {},
    receipt: { type: 'string', description: 'acknowledge with POST /queue/{queue}/ack/{receipt}' },
  },
} as const;
