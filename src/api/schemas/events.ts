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

export const SUBSCRIPTION_STATS = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    user: { type: 'string' },
    created: { type: 'string' },
    last_poll: { type: ['string', 'null'] },
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

/** Name of the CloudEvent attribute carrying an event's sequence number in `/listen` answers (upstream's). */
export const SEQUENCE_ATTRIBUTE = '_sequence_id';

export const LISTEN_MESSAGE = {
  type: 'object',
  properties: {
    type: { type: 'string', description: 'always "message" (upstream shape)' },
    channel: { type: 'string' },
    data: {
      type: 'string',
      description: `the CloudEvent as a JSON string, with its sequence number in "${SEQUENCE_ATTRIBUTE}"; a wait that ended without an event answers a keep-alive CloudEvent whose data is "BEEP"`,
    },
    pattern: { type: 'null' },
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
  private: {
    type: 'boolean',
    default: false,
    description: "the caller's own queue of this name instead of the shared one (upstream has only shared)",
  },
  shared: {
    type: 'boolean',
    description: 'the shared queue of this name (the default; `shared=false` is the same as `private=true`)',
  },
  owner: { type: 'string', description: "another user's private queue (admins only)" },
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
      description:
        'seconds to wait for an item, then 204; without it the pop long-polls like upstream (MAESTRO_LISTEN_TIMEOUT) and then answers a keep-alive CloudEvent whose data is "BEEP"',
    },
    ack: {
      type: 'string',
      enum: ['explicit', 'auto'],
      default: 'auto',
      description: 'auto: popping removes the item (upstream); explicit: it carries a receipt to acknowledge',
    },
  },
} as const;

/** `POST /push/{name}` body: upstream takes any object with `data`; its other keys become CloudEvent attributes. */
export const PUSH_BODY = {
  ...PUBLISH_BODY,
  additionalProperties: true,
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
