// Request validators. Bodies are validated strictly: no type coercion ("5" is not a number) and unknown
// fields are rejected (not silently dropped, as Fastify's default Ajv setup would do). Query strings,
// params and headers arrive as text, so they are coerced to the declared types.
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { booleanWord } from '../boolean-words';
import { badRequest } from './errors';

/** `True`, `yes`, `1`, `on`… → true; `False`, `no`, `0`, `off`… → false; anything else is a 400. */
export function parseBooleanWord(field: string, raw: string): boolean {
  const value = booleanWord(raw);
  if (value !== undefined) return value;
  throw badRequest(`${field}: must be a boolean (true/false, 1/0, yes/no, on/off, any case), got "${raw}"`);
}

interface QuerySchema {
  properties?: Record<string, { type?: unknown }>;
}

/** Names of the boolean properties of a querystring schema (cached per schema object). */
const booleanFieldsCache = new WeakMap<object, string[]>();
function booleanFields(schema: QuerySchema): string[] {
  let fields = booleanFieldsCache.get(schema);
  if (!fields) {
    fields = Object.entries(schema.properties ?? {})
      .filter(([, prop]) => prop?.type === 'boolean')
      .map(([name]) => name);
    booleanFieldsCache.set(schema, fields);
  }
  return fields;
}

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    ...opts,
  });
  addFormats(ajv);
  return ajv;
}

export function installValidators(app: FastifyInstance): void {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );
  // A request without a body, on a route that declares one, is handled as `{}`: an all-optional body may
  // be left out, and a missing required field is reported by name rather than as "body: must be object".
  app.addHook('preValidation', async (request) => {
    if (request.body == null && request.routeOptions.schema?.body) request.body = {};
    // Ajv only coerces "true"/"false": accept every spelling upstream's clients send (`promisc=True`).
    const querySchema = request.routeOptions.schema?.querystring as QuerySchema | undefined;
    if (!querySchema) return;
    const query = request.query as Record<string, unknown>;
    for (const field of booleanFields(querySchema)) {
      const raw = query[field];
      if (typeof raw === 'string') query[field] = parseBooleanWord(`querystring.${field}`, raw);
    }
  });
}
