// API infrastructure over real HTTP: version prefixes, docs, metrics, request ids and a table of bad
// inputs with their exact status codes and field-naming messages.
import { beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/api/server';
import { createTestUser, http, startTestApi, type TestApi, type TestUser } from '../support/api';

describe('API server infrastructure', () => {
  let api: TestApi;
  let user: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    api = await startTestApi({ settings: { bodyLimit: 64 * 1024 } });
    user = await createTestUser(api);
    admin = await createTestUser(api, { superuser: true });
  });

  describe('versioning', () => {
    it('serves every route under /latest, /v0 and unprefixed', async () => {
      for (const path of ['/latest/whoami', '/v0/whoami', '/whoami']) {
        const res = await http(api, 'GET', path, { token: user.token });
        expect(res.status, path).toBe(200);
        expect(res.body.username).toBe(user.username);
      }
      for (const path of ['/latest/', '/v0/', '/']) {
        const res = await http(api, 'GET', path);
        expect(res.status, path).toBe(200);
        expect(res.body).toEqual({ message: 'KernelCI API' });
      }
    });

    it('answers 400 for an unknown version', async () => {
      for (const path of ['/v9/whoami', '/v1/', '/v12/nodes?kind=test']) {
        const res = await http(api, 'GET', path, { token: user.token });
        expect(res.status, path).toBe(400);
        expect(res.body.detail).toMatch(/unknown API version "v\d+"/);
      }
    });

    it('answers 404 JSON for an unknown route', async () => {
      const res = await http(api, 'GET', '/latest/no-such-route');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.stringContaining('/no-such-route') });
    });
  });

  describe('docs and ops', () => {
    it('serves the OpenAPI 3 document generated from the route schemas', async () => {
      for (const path of ['/latest/openapi.json', '/openapi.json']) {
        const res = await http(api, 'GET', path);
        expect(res.status, path).toBe(200);
        expect(res.body.openapi).toMatch(/^3\./);
        expect(Object.keys(res.body.paths)).toEqual(
          expect.arrayContaining(['/latest/whoami', '/latest/user/login', '/latest/user-groups/{id}']),
        );
        // One copy per route: /v0 duplicates are not documented.
        expect(Object.keys(res.body.paths).filter((p) => p.startsWith('/v0'))).toEqual([]);
        expect(res.body.paths['/latest/user/login'].post.requestBody.content).toHaveProperty(
          'application/x-www-form-urlencoded',
        );
        expect(
          res.body.paths['/latest/whoami'].get.responses['4XX'].content['application/json'].schema.properties
            .detail.type,
        ).toBe('string');
      }
    });

    it('serves interactive docs at /latest/docs', async () => {
      const res = await fetch(`${api.url}/latest/docs`, { redirect: 'follow' });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/swagger/i);
    });

    it('exposes Prometheus metrics with a request duration histogram by route and status', async () => {
      await http(api, 'GET', '/latest/whoami', { token: user.token });
      const res = await http(api, 'GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      expect(res.body).toMatch(/maestro_process_cpu_user_seconds_total/);
      expect(res.body).toMatch(
        /maestro_http_request_duration_seconds_bucket\{[^}]*route="\/latest\/whoami"[^}]*status_code="200"/,
      );
    });

    it('keeps query-string secrets (invite tokens) out of the request logs', () => {
      expect(redactUrl('/latest/user/accept-invite?token=abc&x=1')).toBe(
        '/latest/user/accept-invite?token=[redacted]&x=1',
      );
      expect(redactUrl('/x?a=1&access_token=t&password=p')).toBe(
        '/x?a=1&access_token=[redacted]&password=[redacted]',
      );
      expect(redactUrl('/latest/nodes?name=token')).toBe('/latest/nodes?name=token');
    });

    it('returns a request id, honouring one sent by the client', async () => {
      const own = await http(api, 'GET', '/latest/', { headers: { 'x-request-id': 'trace-abc.123' } });
      expect(own.headers.get('x-request-id')).toBe('trace-abc.123');
      const generated = await http(api, 'GET', '/latest/');
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const unsafe = await http(api, 'GET', '/latest/', {
        headers: { 'x-request-id': 'has spaces and "quotes"' },
      });
      expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      // Errors carry it too.
      expect((await http(api, 'GET', '/latest/whoami')).headers.get('x-request-id')).toBeTruthy();
    });
  });

  describe('bad input', () => {
    const big = 'x'.repeat(70 * 1024);
    const cases: {
      name: string;
      method: string;
      path: string;
      auth?: 'user' | 'admin';
      json?: unknown;
      raw?: string;
      form?: Record<string, string>;
      headers?: Record<string, string>;
      status: number;
      detail: RegExp | string;
    }[] = [
      {
        name: 'malformed JSON',
        method: 'PATCH',
        path: '/latest/user/me',
        auth: 'user',
        raw: '{"email": ',
        headers: { 'content-type': 'application/json' },
        status: 400,
        detail: /^body: malformed JSON/,
      },
      {
        name: 'empty JSON body (no body, as FastAPI reads it)',
        method: 'POST',
        path: '/latest/user/accept-invite',
        raw: '',
        headers: { 'content-type': 'application/json' },
        status: 400,
        detail: /^body\.token: field required/,
      },
      {
        name: 'JSON array instead of object',
        method: 'PATCH',
        path: '/latest/user/me',
        auth: 'user',
        json: [1, 2],
        status: 400,
        detail: 'body: must be object',
      },
      {
        name: 'wrong type (number for string)',
        method: 'POST',
        path: '/latest/user-groups',
        auth: 'admin',
        json: { name: 5 },
        status: 400,
        detail: 'body.name: must be string',
      },
      {
        name: 'wrong type (string for boolean, no coercion)',
        method: 'PATCH',
        path: `/latest/user/000000000000000000000000`,
        auth: 'admin',
        json: { is_active: 'false' },
        status: 400,
        detail: 'body.is_active: must be boolean',
      },
      {
        name: 'wrong type (string for integer)',
        method: 'POST',
        path: '/latest/user/token',
        auth: 'user',
        json: { expires_in: '60' },
        status: 400,
        detail: 'body.expires_in: must be integer',
      },
      {
        name: 'unknown body field',
        method: 'POST',
        path: '/latest/user-groups',
        auth: 'admin',
        json: { name: 'ok', colour: 'red' },
        status: 400,
        detail: 'body.colour: unknown field',
      },
      {
        name: 'missing required field',
        method: 'POST',
        path: '/latest/user/accept-invite',
        json: { token: 't' },
        status: 400,
        detail: 'body.password: field required',
      },
      {
        name: 'enum violation',
        method: 'POST',
        path: '/latest/user/token',
        auth: 'user',
        json: { scope: 'root' },
        status: 400,
        detail: 'body.scope: must be one of , admin, user',
      },
      {
        name: 'bad e-mail',
        method: 'PATCH',
        path: '/latest/user/me',
        auth: 'user',
        json: { email: 'not-an-email' },
        status: 400,
        detail: 'body.email: must be a valid email',
      },
      {
        name: 'empty patch',
        method: 'PATCH',
        path: '/latest/user/me',
        auth: 'user',
        json: {},
        status: 400,
        detail: 'body: must have at least 1 field',
      },
      {
        name: 'bad id in path',
        method: 'GET',
        path: '/latest/user/12345',
        auth: 'user',
        status: 400,
        detail: /^params\.id: must match/,
      },
      {
        name: 'limit above the cap',
        method: 'GET',
        path: '/latest/users?limit=5000',
        auth: 'user',
        status: 400,
        detail: 'querystring.limit: must be <= 1000',
      },
      {
        name: 'limit not a number',
        method: 'GET',
        path: '/latest/users?limit=ten',
        auth: 'user',
        status: 400,
        detail: 'querystring.limit: must be integer',
      },
      {
        name: 'negative offset',
        method: 'GET',
        path: '/latest/users?offset=-1',
        auth: 'user',
        status: 400,
        detail: 'querystring.offset: must be >= 0',
      },
      {
        name: 'unknown query parameter',
        method: 'GET',
        path: '/latest/users?colour=red',
        auth: 'user',
        status: 400,
        detail: 'querystring.colour: unknown field',
      },
      {
        name: 'oversized JSON body',
        method: 'PATCH',
        path: '/latest/user/me',
        auth: 'user',
        raw: JSON.stringify({ email: big }),
        headers: { 'content-type': 'application/json' },
        status: 413,
        detail: 'body: request body is too large',
      },
      {
        name: 'oversized form body',
        method: 'POST',
        path: '/latest/user/login',
        form: { username: big, password: 'x' },
        status: 413,
        detail: 'body: request body is too large',
      },
      {
        name: 'unsupported content type',
        method: 'POST',
        path: '/latest/user-groups',
        auth: 'admin',
        raw: '<name>x</name>',
        headers: { 'content-type': 'application/xml' },
        status: 415,
        detail: /^body: unsupported content type "application\/xml"/,
      },
      {
        name: 'plain text where an object is expected',
        method: 'POST',
        path: '/latest/user-groups',
        auth: 'admin',
        raw: 'name=x',
        headers: { 'content-type': 'text/plain' },
        status: 400,
        detail: 'body: must be object',
      },
      {
        name: 'URL that does not decode',
        method: 'GET',
        path: '/latest/user/%ff%fe',
        auth: 'user',
        status: 400,
        detail: /^url: .* is not a valid url component/,
      },
      {
        name: 'invalid UTF-8 in a form',
        method: 'POST',
        path: '/latest/user/login',
        raw: Buffer.from([0x75, 0x3d, 0xff, 0x26, 0x70, 0x3d, 0xfe]) as unknown as string,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 400,
        detail: /^body\./,
      },
      {
        name: 'injection attempt in a field',
        method: 'POST',
        path: '/latest/user/login',
        json: { username: { $ne: null }, password: 'x' },
        status: 400,
        detail: 'body.username: must be string',
      },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.status}`, async () => {
        const token = c.auth === 'user' ? user.token : c.auth === 'admin' ? admin.token : undefined;
        const res = await http(api, c.method, c.path, {
          token,
          json: c.json,
          raw: c.raw,
          form: c.form,
          headers: c.headers,
        });
        expect(res.status).toBe(c.status);
        if (typeof c.detail === 'string') expect(res.body.detail).toBe(c.detail);
        else expect(res.body.detail).toMatch(c.detail);
      });
    }
  });
});
