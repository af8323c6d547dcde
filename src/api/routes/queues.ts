// Queue routes, behaving like upstream's lists for upstream clients: a name is shared by every user,
// pushing to a list never opened creates it, popping long-polls and removes the item (`ack=auto`).
// Beyond upstream, as opt-ins: `?private=true` (the caller's own queue of that name; `?owner=` another
// user's, admins only), `ack=explicit` (a receipt, a visibility timeout and redelivery), explicit
// open/close and `?wait=` (204 when nothing came).
import type { FastifyRequest } from 'fastify';
import type { QueueStorage } from '../../events/backend';
import { attributes, toCloudEvent } from '../../events/cloudevent';
import { queueKey, SHARED_QUEUE_OWNER, type QueueDocument } from '../../events/queues';
import { hasAdminScope, requireUser, type Principal } from '../auth';
import type { ApiContext } from '../context';
import { forbidden, notFound } from '../errors';
import {
  CLOUD_EVENT,
  POP_QUERY,
  PUSH_BODY,
  QUEUE,
  QUEUE_ADDRESS_QUERY,
  QUEUE_PARAMS,
  QUEUE_RECEIPT_PARAMS,
} from '../schemas/events';
import { KEEP_ALIVE_DATA, publishFields, type PublishBody } from './events';
import { DETAIL } from '../schemas/common';
import type { RoutePlugin } from './plugin';

interface Address {
  private?: boolean;
  shared?: boolean;
  owner?: string;
}

type QueueRequest = FastifyRequest<{ Params: { queue: string }; Querystring: Address }>;

/** The owner part of the queue a request addresses, after the access check. */
function addressedOwner(user: Principal, address: Address): string {
  if (address.owner && address.owner !== user.username) {
    if (!hasAdminScope(user)) throw forbidden(`owner: only admins may use another user's queue`);
    return address.owner;
  }
  if (address.owner || address.private || address.shared === false) return user.username;
  return SHARED_QUEUE_OWNER;
}

function describe(q: QueueDocument, size?: number) {
  return {
    name: q.name,
    owner: q.owner,
    shared: q.owner === SHARED_QUEUE_OWNER,
    created: q.created.toISOString(),
    size,
  };
}

/** Upstream's push body: `data` plus any attributes at the top level (or in `attributes`). */
function pushFields(body: PublishBody & Record<string, unknown>) {
  const { data, type, source, attributes: nested, ...topLevel } = body;
  return publishFields({ data, type, source, attributes: { ...topLevel, ...(nested ?? {}) } });
}

/** What a pop that waited without an item answers: a CloudEvent upstream clients parse (data "BEEP"). */
function keepAliveEvent(ctx: ApiContext) {
  return { ...attributes(ctx.settings.eventSource), specversion: '1.0', data: KEEP_ALIVE_DATA };
}

export const queueRoutes: RoutePlugin = async (app, { ctx }) => {
  const queues: QueueStorage = ctx.queues;

  /** The addressed queue; `create` opens it when it is not (push and pop, as upstream's lists). */
  async function addressedQueue(request: QueueRequest, create: boolean): Promise<QueueDocument> {
    const user = requireUser(request);
    const owner = addressedOwner(user, request.query);
    const q = await queues.get(queueKey(owner, request.params.queue));
    if (q) return q;
    if (create) return (await queues.open(owner, request.params.queue, user.username)).queue;
    throw notFound(`queue: "${request.params.queue}" is not open`);
  }

  app.post<{ Params: { queue: string }; Querystring: Address }>(
    '/queue/:queue',
    {
      schema: {
        summary: 'Open a queue explicitly (shared by default; private=true: your own); pushing also opens it',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        response: { 200: QUEUE, 201: QUEUE, 403: DETAIL },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const owner = addressedOwner(user, request.query);
      const { queue, created } = await queues.open(owner, request.params.queue, user.username);
      return reply.code(created ? 201 : 200).send(describe(queue, await queues.size(queue._id)));
    },
  );

  app.delete<{ Params: { queue: string }; Querystring: Address }>(
    '/queue/:queue',
    {
      schema: {
        summary: 'Close a queue; items still in it are dropped (a shared one: its opener or an admin)',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        response: {
          200: { type: 'object', properties: { name: { type: 'string' }, dropped: { type: 'integer' } } },
          403: DETAIL,
          404: DETAIL,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const q = await addressedQueue(request, false);
      if (q.owner === SHARED_QUEUE_OWNER && q.created_by !== user.username && !hasAdminScope(user))
        throw forbidden(`queue: only ${q.created_by}, who opened it, or an admin may close a shared queue`);
      return { name: q.name, dropped: await queues.close(q._id) };
    },
  );

  app.get(
    '/queues',
    {
      schema: {
        summary: 'The shared queues and your private ones',
        tags: ['queues'],
        response: { 200: { type: 'array', items: QUEUE } },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const open = await queues.list([user.username, SHARED_QUEUE_OWNER]);
      return Promise.all(open.map(async (q) => describe(q, await queues.size(q._id))));
    },
  );

  app.post<{ Params: { queue: string }; Querystring: Address; Body: PublishBody & Record<string, unknown> }>(
    '/push/:queue',
    {
      schema: {
        summary: 'Push a CloudEvent (`data` and its attributes) onto a queue, opening it if needed',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        body: PUSH_BODY,
        response: {
          200: { type: 'object', properties: { id: { type: 'string' } } },
          400: DETAIL,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const q = await addressedQueue(request, true);
      const { data, type, source, extensions } = pushFields(request.body);
      const ce = attributes(source ?? ctx.settings.eventSource, type, extensions);
      const event = toCloudEvent({ ce, owner: user.username, data, timestamp: new Date() });
      return { id: await queues.push(q._id, event) };
    },
  );

  app.get<{ Params: { queue: string }; Querystring: Address & { wait?: number; ack: 'explicit' | 'auto' } }>(
    '/pop/:queue',
    {
      schema: {
        summary:
          'Pop the next item (each item goes to one consumer); without wait it long-polls like upstream',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: POP_QUERY,
        response: { 200: CLOUD_EVENT, 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const q = await addressedQueue(request, true);
      const { wait, ack } = request.query;
      const abort = new AbortController();
      request.raw.once('close', () => abort.abort());
      const waitMs = wait === undefined ? ctx.settings.listenTimeout : Math.round(wait * 1000);
      const item = await queues.pop(q._id, waitMs, ack === 'auto', abort.signal);
      if (!item) return wait === undefined ? keepAliveEvent(ctx) : reply.code(204).send();
      return ack === 'auto' ? item.event : { ...item.event, receipt: item.receipt };
    },
  );

  app.post<{ Params: { queue: string; receipt: string }; Querystring: Address }>(
    '/queue/:queue/ack/:receipt',
    {
      schema: {
        summary: 'Acknowledge an item popped with ack=explicit: it is done and never delivered again',
        tags: ['queues'],
        params: QUEUE_RECEIPT_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        response: { 200: { type: 'null' }, 404: DETAIL },
      },
    },
    async (request) => {
      const q = await addressedQueue(request, false);
      await queues.ack(q._id, request.params.receipt);
      return null;
    },
  );

  app.post<{ Params: { queue: string; receipt: string }; Querystring: Address }>(
    '/queue/:queue/release/:receipt',
    {
      schema: {
        summary: 'Give a popped item back: it is delivered again at once',
        tags: ['queues'],
        params: QUEUE_RECEIPT_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        response: { 200: { type: 'null' }, 404: DETAIL, 409: DETAIL },
      },
    },
    async (request) => {
      const q = await addressedQueue(request, false);
      await queues.release(q._id, request.params.receipt);
      return null;
    },
  );
};
