// Root and operational routes: GET / (name and version) and GET /metrics (Prometheus text). The docs
// routes are installed by ../openapi.ts.
import { PRODUCT_NAME, VERSION } from '../../version';
import type { RoutePlugin } from './plugin';

export const metaRoutes: RoutePlugin = async (app) => {
  app.get(
    '/',
    {
      schema: {
        summary: 'API name and version',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              version: { type: 'string' },
              api_version: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => ({ name: PRODUCT_NAME, version: VERSION, api_version: request.url.split('/')[1] }),
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
