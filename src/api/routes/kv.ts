// Key/value routes (upstream's `/kv/{namespace}/{key}`): any user reads and writes short strings that
// pipeline services share. The value travels as a JSON string; writing an empty value deletes the key,
// and the answers are upstream's words ("OK", "Key-value pair deleted successfully").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../auth';
import { badRequest } from '../errors';
import { CHANNEL } from '../schemas/events';
import type { RoutePlugin } from './plugin';

/** Longest value accepted, in characters (upstream's values are commit ids, timestamps and the like). */
export const KV_MAX_VALUE = 65_536;

const KV_PARAMS = {
  type: 'object',
  required: ['namespace', 'key'],
  properties: {
    namespace: CHANNEL,
    key: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,255}$' },
  },
} as const;

type KvRequest = FastifyRequest<{ Params: { namespace: string; key: string } }>;

/** The body as upstream takes it: a JSON string, or nothing (or null, or "") to delete. */
function valueOf(request: KvRequest): string | null {
  const body = request.body;
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'string')
    throw badRequest('body: must be a JSON string (the value), or empty to delete');
  if (body.length > KV_MAX_VALUE) throw badRequest(`body: must be at most ${KV_MAX_VALUE} characters`);
  return body;
}

export const kvRoutes: RoutePlugin = async (app, { ctx }) => {
  const kv = ctx.storage.kv;

  app.get<{ Params: { namespace: string; key: string } }>(
    '/kv/:namespace/:key',
    {
      schema: {
        summary: 'A value of the key/value store (null when not set)',
        tags: ['kv'],
        security: [{ bearer: [] }],
        params: KV_PARAMS,
        response: { 200: { type: ['string', 'null'] } },
      },
    },
    async (request, reply) => {
      requireUser(request);
      const value = await kv.get(request.params.namespace, request.params.key);
      return reply.type('application/json').send(JSON.stringify(value));
    },
  );

  const write = async (request: KvRequest, reply: FastifyReply) => {
    requireUser(request);
    const { namespace, key } = request.params;
    const value = valueOf(request);
    if (value === null) await kv.delete(namespace, key);
    else await kv.set(namespace, key, value);
    return reply.type('application/json').send(JSON.stringify('OK'));
  };
  const writeSchema = {
    summary: 'Set a value (body: a JSON string); an empty body deletes the key. POST (upstream) or PUT',
    tags: ['kv'],
    security: [{ bearer: [] }],
    params: KV_PARAMS,
    response: { 200: { type: 'string' } },
  };
  app.post('/kv/:namespace/:key', { schema: writeSchema }, write);
  app.put('/kv/:namespace/:key', { schema: writeSchema }, write);

  app.delete<{ Params: { namespace: string; key: string } }>(
    '/kv/:namespace/:key',
    {
      schema: {
        summary: 'Delete a key (deleting a key that is not set is not an error)',
        tags: ['kv'],
        security: [{ bearer: [] }],
        params: KV_PARAMS,
        response: { 200: { type: 'string' } },
      },
    },
    async (request, reply) => {
      requireUser(request);
      await kv.delete(request.params.namespace, request.params.key);
      return reply.type('application/json').send(JSON.stringify('Key-value pair deleted successfully'));
    },
  );
};
