import Fastify, { type FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import type { Settings } from '../settings';
import { PRODUCT_NAME, VERSION } from '../version';
import { API_VERSIONS, rewriteVersionedUrl } from './versioning';

export interface ApiDeps {
  db: Db;
  settings: Settings;
  /** Pino logger options or false (tests). */
  logger?: boolean | object;
}

export async function buildApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? { level: deps.settings.logLevel },
    rewriteUrl: (req) => rewriteVersionedUrl(req.url ?? '/'),
  });

  app.get('/__unknown_version/:version', async (req, reply) => {
    const { version } = req.params as { version: string };
    return reply.code(400).send({ detail: `unknown API version "${version}"; use one of ${API_VERSIONS.join(', ')}` });
  });

  for (const version of API_VERSIONS) {
    await app.register(
      async (scope) => {
        scope.get('/', async () => ({ name: PRODUCT_NAME, version: VERSION, api_version: version }));
      },
      { prefix: `/${version}` },
    );
  }
  return app;
}
