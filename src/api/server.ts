// The API server: Fastify with strict request validation, JSON errors, bearer-token auth, request ids,
// metrics, OpenAPI docs and every route plugin under each version prefix.
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import formbody from '@fastify/formbody';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyBodyParser,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { componentLogger } from '../logger';
import { installAuthHook } from './auth';
import type { ApiContext } from './context';
import { ApiError, badRequest, installErrorHandlers } from './errors';
import { installMetrics } from './metrics';
import { installOpenApi } from './openapi';
import { registerRoutes } from './routes';
import { installValidators } from './validation';
import { API_VERSIONS, rewriteVersionedUrl } from './versioning';

type ContentTypeParserDoneFunction = FastifyBodyParser<string | Buffer>;

const unsupportedMediaType = (type: string) =>
  new ApiError(
    415,
    `body: unsupported content type "${type}"; send application/json or application/x-www-form-urlencoded`,
  );

export interface ApiDeps {
  ctx: ApiContext;
  /** Pino logger options or false (tests). */
  logger?: boolean | object;
}

/** Honours a sane incoming `x-request-id` (so ids follow a request across proxies), else a new UUID. */
function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w.:@/-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

/** Secrets that may travel in a query string (the invite URL) never reach the logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|password)=)[^&]*/gi, '$1[redacted]');
}

/** The process's one pino logger (`component: api`), or none (tests). */
function apiLogger(deps: ApiDeps): { loggerInstance: FastifyBaseLogger } | { logger: false } {
  const base = deps.logger ?? true;
  if (base === false) return { logger: false };
  const options = typeof base === 'object' ? base : { level: deps.ctx.settings.logLevel };
  const req = (r: FastifyRequest) => ({
    method: r.method,
    url: redactUrl(r.url),
    host: r.host,
    remoteAddress: r.ip,
    remotePort: r.socket?.remotePort,
  });
  const serializers = { ...(options as { serializers?: object }).serializers, req };
  return { loggerInstance: componentLogger('api').child({}, { ...options, serializers }) };
}

export async function buildApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const { ctx } = deps;
  const app = Fastify({
    ...apiLogger(deps),
    rewriteUrl: (req) => rewriteVersionedUrl(req.url ?? '/'),
    bodyLimit: ctx.settings.bodyLimit,
    genReqId: requestId,
    // Errors raised before routing (a URL that does not decode, an over-long parameter): JSON too.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      void (reply as FastifyReply).code(status).send({ detail: `url: ${err.message}` });
    },
  });
  installValidators(app);
  installErrorHandlers(app);
  // Invalid UTF-8 would be decoded to U+FFFD and stored silently: reject it before JSON parsing.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  const parseUtf8Json: ContentTypeParserDoneFunction = (req, body, done) => {
    const bytes = body as Buffer;
    // An empty body is no body, as FastAPI reads it: Python's requests sends `Content-Type:
    // application/json` on a DELETE without one. A route that needs a body then names the missing field.
    if (bytes.length === 0) return done(null, undefined);
    if (!isUtf8(bytes)) return done(badRequest('body: not valid UTF-8'), undefined);
    parseJson(req, bytes.toString('utf8'), done);
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseUtf8Json);
  // A body sent without Content-Type is JSON, as FastAPI reads it (scripts post `data=json.dumps(…)`);
  // any other unknown type stays a 415.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const type = req.headers['content-type'];
    if (type === undefined || type.trim() === '') return parseUtf8Json(req, body, done);
    done(unsupportedMediaType(type), undefined);
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.decorate('metricsRegistry', installMetrics(app));
  await app.register(formbody, { bodyLimit: ctx.settings.bodyLimit });
  installAuthHook(app, ctx.tokens);
  await installOpenApi(app);

  app.get('/__unknown_version/:version', { schema: { hide: true } }, async (req, reply) => {
    const { version } = req.params as { version: string };
    return reply
      .code(400)
      .send({ detail: `unknown API version "${version}"; use one of ${API_VERSIONS.join(', ')}` });
  });
  await registerRoutes(app, ctx);

  app.addHook('onClose', async () => {
    for (const stop of [...ctx.cleanup].reverse()) await stop();
  });
  return app;
}
