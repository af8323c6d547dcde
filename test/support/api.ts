// The real API server for black-box tests: listening on a free loopback port, over real HTTP, against
// the run's PostgreSQL (a database of the test file's own unless one is given).
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { createApiContext, type ApiContext } from '../../src/api/context';
import { buildApiServer } from '../../src/api/server';
import type { Storage } from '../../src/db/storage';
import { loadSettings, type Settings } from '../../src/settings';
import { openTestDatabase, uniqueSuffix } from './harness';

export interface TestApi {
  url: string;
  app: FastifyInstance;
  db: Storage;
  ctx: ApiContext;
  close(): Promise<void>;
}

export async function startTestApi(
  opts: { db?: Storage; settings?: Partial<Settings> } = {},
): Promise<TestApi> {
  const db = opts.db ?? (await openTestDatabase()).db;
  // No token cache by default: tests that change users behind the API's back see the change at once.
  const settings: Settings = {
    ...loadSettings({}),
    authCacheMs: 0,
    ...opts.settings,
  };
  const ctx = await createApiContext(db, settings);
  const logger = process.env.MAESTRO_TEST_API_LOG ? { level: process.env.MAESTRO_TEST_API_LOG } : false;
  const app = await buildApiServer({ ctx, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('API did not bind a TCP port');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  afterAll(close);
  return { url: `http://127.0.0.1:${address.port}`, app, db, ctx, close };
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
}

/**
 * A verified user created through the user store (its groups are created when missing), logged in over
 * HTTP with the form. `adminScope` (default: same as `superuser`) mints an admin-scope token, so a test's
 * "admin" can do admin work; pass `adminScope: false` for a superuser's everyday token.
 */
export async function createTestUser(
  api: Pick<TestApi, 'url' | 'ctx'>,
  opts: { username?: string; groups?: string[]; superuser?: boolean; adminScope?: boolean } = {},
): Promise<TestUser> {
  const username = opts.username ?? `user-${uniqueSuffix()}`;
  const email = `${username}@example.org`;
  const password = `pw-${uniqueSuffix()}-${uniqueSuffix()}`;
  await api.ctx.groups.ensure(opts.groups ?? []);
  const user = await api.ctx.users.create({
    username,
    email,
    password,
    groups: opts.groups ?? [],
    is_superuser: opts.superuser ?? false,
    is_verified: true,
  });
  const token = await login(api.url, username, password, {
    scope: (opts.adminScope ?? opts.superuser) ? 'admin' : undefined,
  });
  return { id: user._id.toHexString(), username, email, password, token };
}

/** POST /latest/user/login with a form; returns the access token (throws on any other answer). */
export async function login(
  url: string,
  username: string,
  password: string,
  extra: Record<string, string | undefined> = {},
): Promise<string> {
  const form = new URLSearchParams({ username, password });
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) form.set(k, v);
  const res = await fetch(`${url}/latest/user/login`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export function authHeader(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

// Tests read arbitrary JSON answers; `any` by default keeps assertions short (pass T for typed bodies).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * One HTTP request to the test API: `json` sends a JSON body, `form` a urlencoded form, `raw` a body as
 * is (with the given headers). The body is parsed as JSON when it is JSON, else returned as text.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function http<T = any>(
  api: Pick<TestApi, 'url'>,
  method: string,
  path: string,
  opts: {
    token?: string;
    json?: unknown;
    form?: Record<string, string>;
    raw?: string | Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(opts.token ? authHeader(opts.token) : {}) };
  let body: string | Buffer | URLSearchParams | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = new URLSearchParams(opts.form);
  } else if (opts.raw !== undefined) {
    body = opts.raw;
  }
  Object.assign(headers, opts.headers);
  const res = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json') && text !== '';
  return { status: res.status, body: (isJson ? JSON.parse(text) : text) as T, headers: res.headers };
}
