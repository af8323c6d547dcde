// Pub/sub routes (KernelCI-compatible): subscribe, unsubscribe, listen, publish; the event history
// (GET /events) and, beyond upstream, a Server-Sent Events stream (GET /events/stream).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertStorableValue } from '../../db/nodes/body-keys';
import type { EventBus } from '../../events/bus';
import { cloudEventJson } from '../../events/cloudevent';
import type { HistoryQuery } from '../../events/history';
import { NODE_CHANNEL } from '../../events/types';
import { hasAdminScope, requireUser } from '../auth';
import { badRequest, forbidden } from '../errors';
import {
  ACK_QUERY,
  CHANNEL_PARAMS,
  EVENT_RECORD,
  EVENTS_QUERY,
  LISTEN_MESSAGE,
  LISTEN_QUERY,
  PUBLISH_BODY,
  PUBLISHED,
  STREAM_QUERY,
  SUB_PARAMS,
  SUBSCRIBE_QUERY,
  SUBSCRIPTION,
} from '../schemas/events';
import { DETAIL } from './schemas';
import type { RoutePlugin } from './index';
import { queueRoutes } from './queues';

export interface PublishBody {
  data: unknown;
  type?: string;
  source?: string;
  attributes?: Record<string, unknown>;
}

const RESERVED_ATTRIBUTES = new Set(['specversion', 'id', 'time', 'data', 'owner', 'data_base64']);

/** Validated publish body → bus input fields (type/source may also come in `attributes`, as upstream sends them). */
export function publishFields(body: PublishBody): {
  data: unknown;
  type?: string;
  source?: string;
  extensions: Record<string, unknown>;
} {
  assertStorableValue(body.data, 'body.data');
  const extensions: Record<string, unknown> = {};
  let { type, source } = body;
  for (const [key, value] of Object.entries(body.attributes ?? {})) {
    if (key === 'type' && typeof value === 'string') type ??= value;
    else if (key === 'source' && typeof value === 'string') source ??= value;
    else if (RESERVED_ATTRIBUTES.has(key))
      continue; // set by the server
    else if (!/^[a-z0-9]{1,20}$/.test(key)) {
      throw badRequest(
        `body.attributes.${key}: CloudEvents attribute names are 1-20 lower-case letters or digits`,
      );
    } else if (value !== null && typeof value === 'object') {
      throw badRequest(`body.attributes.${key}: must be a string, number or boolean`);
    } else extensions[key] = value;
  }
  return { data: body.data, type, source, extensions };
}

function keepAlive(channel: string) {
  return { type: 'keep-alive', channel, data: null, pattern: null };
}

export const eventRoutes: RoutePlugin = async (app, { ctx }) => {
  const bus: EventBus = ctx.events;
  // A closing server must not wait for long-polls and streams: end them first.
  app.addHook('preClose', async () => bus.interrupt());

  app.post<{ Params: { channel: string }; Querystring: { promisc: boolean; subscriber_id?: string } }>(
    '/subscribe/:channel',
    {
      schema: {
        summary: 'Subscribe to a channel; with subscriber_id the subscription is durable',
        tags: ['events'],
        params: CHANNEL_PARAMS,
        querystring: SUBSCRIBE_QUERY,
        response: { 200: SUBSCRIPTION, 409: DETAIL },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { channel } = request.params;
      const sub = await bus.subscribe(
        user.username,
        channel,
        request.query.promisc,
        request.query.subscriber_id ?? null,
      );
      return {
        id: sub._id,
        channel,
        user: sub.user,
        promiscuous: sub.promiscuous,
        subscriber_id: sub.subscriber_id,
      };
    },
  );

  app.post<{ Params: { sub_id: number }; Querystring: { ack?: number } }>(
    '/unsubscribe/:sub_id',
    {
      schema: {
        summary: 'End a subscription (a durable one keeps its position for the next subscribe)',
        tags: ['events'],
        params: SUB_PARAMS,
        querystring: ACK_QUERY,
        response: { 200: { type: 'null' }, 403: DETAIL, 404: DETAIL },
      },
    },
    async (request) => {
      const user = requireUser(request);
      await bus.unsubscribe(request.params.sub_id, user.username, request.query.ack);
      return null;
    },
  );

  app.get<{ Params: { sub_id: number }; Querystring: { ack?: number; wait?: number } }>(
    '/listen/:sub_id',
    {
      schema: {
        summary: 'Long-poll the next event (acknowledges the previous one)',
        tags: ['events'],
        params: SUB_PARAMS,
        querystring: LISTEN_QUERY,
        response: { 200: LISTEN_MESSAGE, 403: DETAIL, 404: DETAIL },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const abort = abortOnDisconnect(request);
      const { wait, ack } = request.query;
      const { subscription, event } = await bus.listen(request.params.sub_id, user.username, {
        ack,
        waitMs: wait === undefined ? undefined : Math.round(wait * 1000),
        signal: abort.signal,
      });
      if (!event) return keepAlive(subscription.channel);
      return {
        type: 'message',
        channel: subscription.channel,
        data: cloudEventJson(event),
        pattern: null,
        sequence_id: event.seq,
      };
    },
  );

  app.post<{ Params: { channel: string }; Body: PublishBody }>(
    '/publish/:channel',
    {
      schema: {
        summary: 'Publish a CloudEvent on a channel (owner: the caller)',
        tags: ['events'],
        params: CHANNEL_PARAMS,
        body: PUBLISH_BODY,
        response: { 200: PUBLISHED, 400: DETAIL, 403: DETAIL },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { channel } = request.params;
      // The node channel carries the write path's events; only admins may inject into it.
      if (channel === NODE_CHANNEL && !hasAdminScope(user))
        throw forbidden('channel: "node" is reserved for node events');
      const fields = publishFields(request.body);
      const ev = await bus.publish({ channel, owner: user.username, ...fields });
      return { id: ev.ce!.id, sequence_id: ev.seq, channel };
    },
  );

  app.get<{ Querystring: HistoryQuery }>(
    '/events',
    {
      schema: {
        summary: 'Event history, in sequence order',
        tags: ['events'],
        querystring: EVENTS_QUERY,
        response: { 200: { type: 'array', items: EVENT_RECORD } },
      },
    },
    async (request) => ctx.events.history(request.query),
  );

  app.get<{ Querystring: { channel: string; from?: number; owner?: string } }>(
    '/events/stream',
    {
      schema: {
        summary: 'Server-Sent Events stream of a channel; resumable with Last-Event-ID',
        tags: ['events'],
        querystring: STREAM_QUERY,
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]+$' } } },
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => streamEvents(bus, request, reply),
  );

  await app.register(queueRoutes, { ctx });
};

/** Aborts when the client goes away, so a long wait stops early. */
function abortOnDisconnect(request: FastifyRequest): AbortController {
  const abort = new AbortController();
  request.raw.once('close', () => abort.abort());
  return abort;
}

const STREAM_KEEPALIVE_MS = 15_000;

async function streamEvents(
  bus: EventBus,
  request: FastifyRequest<{ Querystring: { channel: string; from?: number; owner?: string } }>,
  reply: FastifyReply,
): Promise<void> {
  const { channel, from, owner } = request.query;
  const lastEventId = request.headers['last-event-id'];
  await bus.ready;
  // Last-Event-ID (a reconnect) wins over `from`; `from` is inclusive; neither: only new events.
  let position =
    typeof lastEventId === 'string'
      ? Number(lastEventId)
      : from !== undefined
        ? Math.max(0, from - 1)
        : bus.poller.cursor;
  const abort = abortOnDisconnect(request);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.write(': stream of channel ' + channel + '\n\n');
  try {
    while (!abort.signal.aborted && !bus.closing) {
      const { event, position: reached } = await bus.next(
        position,
        { channel, user: null },
        Date.now() + STREAM_KEEPALIVE_MS,
        abort.signal,
      );
      position = reached;
      if (event && (!owner || event.owner === owner)) {
        const ok = res.write(`id: ${event.seq}\nevent: message\ndata: ${cloudEventJson(event)}\n\n`);
        if (!ok) await new Promise((resolve) => res.once('drain', resolve));
      } else if (!event) {
        res.write(': keep-alive\n\n');
      }
    }
  } catch (err) {
    request.log.error({ err }, 'event stream failed');
  } finally {
    res.end();
  }
}
