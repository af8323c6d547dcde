// OpenAPI 3 generated from the route schemas (@fastify/swagger); interactive docs at /latest/docs and
// the JSON document at /latest/openapi.json. Only the /latest copy of each route is documented (/v0 and
// unprefixed paths serve the same routes).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { PRODUCT_NAME, VERSION } from '../version';

const ERROR_RESPONSE = {
  description: 'Client error: the message names the field or the reason',
  type: 'object',
  properties: { detail: { type: 'string' } },
};

export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: `${PRODUCT_NAME} API`,
        version: VERSION,
        description:
          'KernelCI-compatible Maestro API: nodes, events, users. Every route is also served under /v0 and ' +
          'without a version prefix. Authenticate with `Authorization: Bearer <token>` from POST /latest/user/login.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: ({ schema, url }) => {
      const documented = url.startsWith('/latest/') || url === '/latest';
      if (!documented) return { schema: { ...(schema ?? {}), hide: true }, url } as never;
      // Docs only (serialisation is untouched): every route may answer an error `{detail}`.
      const response = { ...((schema?.response as object) ?? {}), '4XX': ERROR_RESPONSE };
      return { schema: { ...(schema ?? {}), response }, url } as never;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/latest/docs' });
  app.get('/latest/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
