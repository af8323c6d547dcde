// API errors: every failure answers JSON `{"detail": "<message naming the field>"}`; client mistakes are
// always 4xx, and only genuine server faults become a 500 (logged, with no internals leaked).
import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type ErrorKind } from '../errors';

export class ApiError extends Error {
  constructor(
    public readonly statusCode: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  get detail(): string {
    return this.message;
  }
}

export const badRequest = (detail: string) => new ApiError(400, detail);
export const unauthorized = (detail = 'not authenticated') => new ApiError(401, detail);
export const forbidden = (detail = 'forbidden') => new ApiError(403, detail);
export const notFound = (detail = 'not found') => new ApiError(404, detail);
export const conflict = (detail: string) => new ApiError(409, detail);

/** The HTTP status of each domain error kind. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** One Ajv error as Fastify hands it over (the fields we read). */
interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `body.kind: must be one of checkout, kbuild, …` from an Ajv error and the request part it concerns. */
export function describeValidationIssue(part: string, issue: ValidationIssue): string {
  const path = issue.instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = issue.params;
  const field = (extra?: unknown) =>
    [part, ...path, ...(extra === undefined ? [] : [String(extra)])].join('.');
  switch (issue.keyword) {
    case 'required':
      return `${field(p.missingProperty)}: field required`;
    case 'additionalProperties':
      return `${field(p.additionalProperty)}: unknown field`;
    case 'enum':
      return `${field()}: must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `${field()}: must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `${field()}: must be ${String(p.type).replace(/,/g, ' or ')}`;
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return `${field()}: must be ${p.comparison} ${p.limit}`;
    case 'maxLength':
      return `${field()}: must be at most ${p.limit} characters`;
    case 'minLength':
      return `${field()}: must be at least ${p.limit} characters`;
    case 'maxItems':
      return `${field()}: must have at most ${p.limit} items`;
    case 'minItems':
      return `${field()}: must have at least ${p.limit} items`;
    case 'minProperties':
      return `${field()}: must have at least ${p.limit} field${p.limit === 1 ? '' : 's'}`;
    case 'pattern':
      return `${field()}: must match ${p.pattern}`;
    case 'format':
      return `${field()}: must be a valid ${p.format}`;
    default:
      return `${field()}: ${issue.message ?? 'invalid value'}`;
  }
}

/** Maps Fastify's built-in client errors (bad JSON, big body, …) to their status and a readable detail. */
function builtinClientError(
  err: FastifyError,
  contentType: string | undefined,
): { status: number; detail: string } | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, detail: `body: malformed JSON (${err.message})` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, detail: 'body: request body is too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        detail: `body: unsupported content type "${contentType ?? ''}"; send application/json or application/x-www-form-urlencoded`,
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, detail: 'body: Content-Length does not match the body' };
  }
  if (err instanceof SyntaxError) return { status: 400, detail: `body: malformed JSON (${err.message})` };
  return null;
}

/** Installs the JSON error and not-found handlers on the root instance. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known =
      err instanceof ApiError
        ? err.statusCode
        : err instanceof DomainError
          ? STATUS_OF_KIND[err.kind]
          : undefined;
    if (known !== undefined) {
      if (known === 401) reply.header('www-authenticate', 'Bearer');
      return reply.code(known).send({ detail: err.message });
    }
    if (err.validation) {
      const detail = err.validation
        .map((issue) => describeValidationIssue(err.validationContext ?? 'request', issue as ValidationIssue))
        .join('; ');
      return reply.code(400).send({ detail });
    }
    const builtin = builtinClientError(err, request.headers['content-type']);
    if (builtin) return reply.code(builtin.status).send({ detail: builtin.detail });
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ detail: err.message });
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ detail: 'internal server error' });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return reply.code(404).send({ detail: `no route ${request.method} ${path}` });
  });
}
