// Pub/sub routes (KernelCI-compatible): subscribe, unsubscribe, listen, publish; the event history
// (GET /events) and, beyond upstream, a Server-Sent Events stream (GET /events/stream).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertStorableValue } from '../../db/nodes/body-keys';
import type { EventBus } from '../../events/bus';
import { attributes, cloudEventJson } from '../../events/cloudevent';
import type { HistoryQuery } from '../../events/history';
import { NODE_CHANNEL, type BusEvent } from '../../events/types';
import { hasAdminScope, requireAdmin, requireUser } from '../auth';
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
  SEQUENCE_ATTRIBUTE,
  STREAM_QUERY,
  SUB_PARAMS,
  SUBSCRIBE_QUERY,
  SUBSCRIPTION,
  SUBSCRIPTION_STATS,
} from '../schemas/events';
import { DETAIL } from '../schemas/common';
import type { RoutePlugin } from './plugin';

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

/** Members of this group (service users such as the LAVA callback) may publish on channel `node`. */
export const NODE_PUBLISHER_GROUP = 'events:publish:node';

/** Upstream's keep-alive: a message whose CloudEvent carries `data: "BEEP"` (and no sequence id). */
export const KEEP_ALIVE_DATA = 'BEEP';

function keepAlive(channel: string, source: string) {
  const ce = { ...attributes(source), data: KEEP_ALIVE_DATA, specversion: '1.0' };
  return { type: 'message', channel, data: JSON.stringify(ce), pattern: null };
}

/** The CloudEvent JSON a listener receives: the sequence id travels inside it, as upstream's does. */
function listenedEventJson(event: BusEvent): string {
  // The envelope's JSON is serialised once per event and shared by every listener: append the number.
  const json = cloudEventJson(event);
  return `${json.slice(0, -1)},${JSON.stringify(SEQUENCE_ATTRIBUTE)}:${event.seq}}`;
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
      if (!event) return keepAlive(subscription.channel, ctx.settings.eventSource);
      return {
        type: 'message',
        channel: subscription.channel,
        data: listenedEventJson(event),
        pattern: null,
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
      // The node channel carries the write path's events. Upstream lets any user publish there (the LAVA
      // callback's job retry does, with its service token); here it takes an admin or the group permission.
      if (channel === NODE_CHANNEL && !hasAdminScope(user) && !user.groups.includes(NODE_PUBLISHER_GROUP))
        throw forbidden(
          `channel: publishing on "node" needs membership of group "${NODE_PUBLISHER_GROUP}" (or an admin)`,
        );
      const fields = publishFields(request.body);
      const ev = await bus.publish({ channel, owner: user.username, ...fields });
      return { id: ev.ce!.id, sequence_id: ev.seq, channel };
    },
  );

  app.get(
    '/stats/subscriptions',
    {
      schema: {
        summary: 'Active subscriptions (admin), as upstream: id, channel, user, created, last_poll',
        tags: ['events'],
        security: [{ bearer: [] }],
        response: { 200: { type: 'array', items: SUBSCRIPTION_STATS } },
      },
    },
    async (request) => {
      requireAdmin(request);
      const subs = await bus.subscriptions.listActive();
      return subs.map((s) => ({
        id: s._id,
        channel: s.channel,
        user: s.user,
        created: s.created.toISOString(),
        last_poll: s.last_poll.toISOString(),
      }));
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
