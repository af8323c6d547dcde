// POST /webhook/git: push notifications from GitHub, GitLab and Gitea start the pushed revision at once
// (see src/webhook/). Off (404) unless the API process was given a webhook target (MAESTRO_WEBHOOK_SECRET).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../errors';
import { forgeOf, parsePush, verifySecret } from '../../webhook/push';
import type { RoutePlugin } from './plugin';

export const webhookRoutes: RoutePlugin = async (app, { ctx }) => {
  // The signature covers the exact bytes sent: keep the raw body in this plugin, parse it ourselves.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/webhook/git',
    {
      schema: {
        summary: 'Start the revision a git push names (GitHub, GitLab or Gitea push webhook)',
        tags: ['pipeline'],
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const target = ctx.webhook;
      if (!target) throw notFound('webhook: not configured on this API (set MAESTRO_WEBHOOK_SECRET)');
      if (!Buffer.isBuffer(request.body))
        throw badRequest('body: a JSON push payload is required (webhook content type application/json)');
      const { forge, event } = forgeOf(request.headers);
      verifySecret(forge, request.headers, request.body, target.secret);
      if (event === 'ping') return reply.code(200).send({ forge, ping: 'ok' });
      let payload: unknown;
      try {
        payload = JSON.parse(request.body.toString('utf8'));
      } catch (err) {
        throw badRequest(`body: not valid JSON (${(err as Error).message})`);
      }
      const parsed = parsePush(forge, event, payload);
      if (parsed.kind === 'ignored')
        return reply.code(202).send({ forge, started: [], existing: [], ignored: parsed.reason });
      const result = await target.handle(parsed.push);
      request.log.info({ ...parsed.push, ...result }, 'webhook push');
      return reply.code(202).send({ forge, ...result });
    },
  );
};
