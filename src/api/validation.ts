// Request validators. Bodies are validated strictly: no type coercion ("5" is not a number) and unknown
// fields are rejected (not silently dropped, as Fastify's default Ajv setup would do). Query strings,
// params and headers arrive as text, so they are coerced to the declared types.
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

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
  });
}
