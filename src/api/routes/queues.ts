// Queue routes: open/close a queue, push, pop (each item to exactly one consumer), ack and release.
// A bare name means the caller's own queue; `?shared=true` the shared queue of that name (opened by
// an admin, usable by every user); `?owner=<username>` another user's queue (admins only).
import type { FastifyRequest } from 'fastify';
import type { QueueStorage } from '../../events/backend';
import { attributes, toCloudEvent } from '../../events/cloudevent';
import { queueKey, SHARED_QUEUE_OWNER, type QueueDocument } from '../../events/queues';
import { hasAdminScope, requireUser, type Principal } from '../auth';
import { forbidden, notFound } from '../errors';
import {
  CLOUD_EVENT,
  POP_QUERY,
  PUBLISH_BODY,
  QUEUE,
  QUEUE_ADDRESS_QUERY,
  QUEUE_PARAMS,
  QUEUE_RECEIPT_PARAMS,
} from '../schemas/events';
import { publishFields, type PublishBody } from './events';
import { DETAIL } from './schemas';
import type { RoutePlugin } from './index';

interface Address {
  shared?: boolean;
  owner?: string;
}

/** The owner part of the queue a request addresses, after the access check. */
function addressedOwner(user: Principal, address: Address): string {
  if (address.shared) return SHARED_QUEUE_OWNER;
  if (address.owner && address.owner !== user.username) {
    if (!hasAdminScope(user)) throw forbidden(`owner: only admins may use another user's queue`);
    return address.owner;
  }
  return user.username;
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

export const queueRoutes: RoutePlugin = async (app, { ctx }) => {
  const queues: QueueStorage = ctx.queues;

  async function openQueue(
    request: FastifyRequest<{ Params: { queue: string }; Querystring: Address }>,
  ): Promise<QueueDocument> {
    const user = requireUser(request);
    const key = queueKey(addressedOwner(user, request.query), request.params.queue);
    const q = await queues.get(key);
    if (!q)
      throw notFound(
        `queue: "${request.params.queue}" is not open; open it with POST /queue/${request.params.queue}`,
      );
    return q;
  }

  app.post<{ Params: { queue: string }; Querystring: Address }>(
    '/queue/:queue',
    {
      schema: {
        summary: 'Open a queue (yours; shared=true: a shared one, admins only)',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        response: { 200: QUEUE, 201: QUEUE, 403: DETAIL },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (request.query.shared && !hasAdminScope(user))
        throw forbidden('shared: only admins may open shared queues');
      const owner = addressedOwner(user, request.query);
      const { queue, created } = await queues.open(owner, request.params.queue, user.username);
      return reply.code(created ? 201 : 200).send(describe(queue, await queues.size(queue._id)));
    },
  );

  app.delete<{ Params: { queue: string }; Querystring: Address }>(
    '/queue/:queue',
    {
      schema: {
        summary: 'Close a queue; items still in it are dropped',
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
      if (request.query.shared && !hasAdminScope(user))
        throw forbidden('shared: only admins may close shared queues');
      const q = await openQueue(request);
      return { name: q.name, dropped: await queues.close(q._id) };
    },
  );

  app.get(
    '/queues',
    {
      schema: {
        summary: 'Your open queues and the shared ones',
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

  app.post<{ Params: { queue: string }; Querystring: Address; Body: PublishBody }>(
    '/push/:queue',
    {
      schema: {
        summary: 'Push a CloudEvent onto an open queue',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        body: PUBLISH_BODY,
        response: {
          200: { type: 'object', properties: { id: { type: 'string' } } },
          400: DETAIL,
          404: DETAIL,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const q = await openQueue(request);
      const { data, type, source, extensions } = publishFields(request.body);
      const ce = attributes(source ?? ctx.settings.eventSource, type, extensions);
      const event = toCloudEvent({ ce, owner: user.username, data, timestamp: new Date() });
      return { id: await queues.push(q._id, event) };
    },
  );

  app.get<{ Params: { queue: string }; Querystring: Address & { wait: number; ack: 'explicit' | 'auto' } }>(
    '/pop/:queue',
    {
      schema: {
        summary: 'Pop the next item (each item goes to one consumer); 204 when none came within wait',
        tags: ['queues'],
        params: QUEUE_PARAMS,
        querystring: POP_QUERY,
        response: { 200: CLOUD_EVENT, 204: { type: 'null' }, 404: DETAIL },
      },
    },
    async (request, reply) => {
      const q = await openQueue(request);
      const abort = new AbortController();
      request.raw.once('close', () => abort.abort());
      const item = await queues.pop(
        q._id,
        Math.round(request.query.wait * 1000),
        request.query.ack === 'auto',
        abort.signal,
      );
      if (!item) return reply.code(204).send();
      return request.query.ack === 'auto' ? item.event : { ...item.event, receipt: item.receipt };
    },
  );

  app.post<{ Params: { queue: string; receipt: string }; Querystring: Address }>(
    '/queue/:queue/ack/:receipt',
    {
      schema: {
        summary: 'Acknowledge a popped item: it is done and never delivered again',
        tags: ['queues'],
        params: QUEUE_RECEIPT_PARAMS,
        querystring: QUEUE_ADDRESS_QUERY,
        response: { 200: { type: 'null' }, 404: DETAIL },
      },
    },
    async (request) => {
      const q = await openQueue(request);
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
      const q = await openQueue(request);
      await queues.release(q._id, request.params.receipt);
      return null;
    },
  );
};
