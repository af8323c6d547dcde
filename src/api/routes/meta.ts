// Root and operational routes: GET / (upstream's greeting) and GET /metrics (Prometheus text). The docs
// routes are installed by ../openapi.ts.
import type { RoutePlugin } from './plugin';

export const ROOT_MESSAGE = 'KernelCI API';

export const metaRoutes: RoutePlugin = async (app) => {
  // Exactly upstream's answer (its e2e test compares the whole body); the version is in /openapi.json.
  app.get(
    '/',
    {
      schema: {
        summary: 'Greeting, as upstream answers it',
        tags: ['meta'],
        response: { 200: { type: 'object', properties: { message: { type: 'string' } } } },
      },
    },
    async () => ({ message: ROOT_MESSAGE }),
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['meta'] } },
    async (_request, reply) => {
      const registry = app.metricsRegistry;
      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    },
  );
};
