// Bad input of every kind against the real API over HTTP (and the storage service): each answered with a
// 4xx, the server still answering afterwards, and not one document or file written.
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Storage } from '../../src/db/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageServer, type RunningStorageServer } from '../../src/storage/server';
import { testEnv, uniqueSuffix } from '../support/harness';
import { createTestUser, login, startTestApi, type TestApi, type TestUser } from '../support/api';
import { deeplyNested, MALFORMED_JSON, randomMalformedJson, randomWrongShapes } from './fuzz';

const SECRET = 'bad-input-suite-secret-0123456789abcdef';
const BODY_LIMIT = 1_000_000;
const tried: Record<string, number> = {};

let api: TestApi;
let user: TestUser;
let admin: TestUser;
let nodeId: string;

interface Attempt {
  method: string;
  path: string;
  body?: string | Buffer;
  token?: string | null;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Sends one bad request; returns the status (a dropped connection counts as 0). */
async function send(a: Attempt): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  const token = a.token === undefined ? user.token : a.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (a.body !== undefined) headers['content-type'] = a.contentType ?? 'application/json';
  Object.assign(headers, a.headers);
  try {
    const res = await fetch(`${api.url}${a.path}`, { method: a.method, headers, body: a.body });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { status: 0, text: String(err) };
  }
}

function counts(db: Storage): Promise<Record<string, number>> {
  return db.counts();
}

async function expectAlive(): Promise<void> {
  const res = await fetch(`${api.url}/latest/`);
  expect(res.status, 'API still answers').toBe(200);
}

/** Runs a category: every attempt must be a 4xx with a JSON detail; the server stays up; nothing is written. */
async function category(name: string, attempts: Attempt[]): Promise<void> {
  const before = await counts(api.db);
  const failures: string[] = [];
  for (const a of attempts) {
    const { status, text } = await send(a);
    if (status < 400 || status > 499) {
      failures.push(
        `${a.method} ${a.path.slice(0, 120)} body=${JSON.stringify(String(a.body ?? '').slice(0, 80))} → ${status} ${text.slice(0, 160)}`,
      );
    }
  }
  tried[name] = (tried[name] ?? 0) + attempts.length;
  expect(failures, `${name}: answers outside 4xx`).toEqual([]);
  await expectAlive();
  expect(await counts(api.db), `${name}: nothing written`).toEqual(before);
}

/** Every body-taking write route, for one body. */
function atWriteRoutes(body: string | Buffer, contentType?: string): Attempt[] {
  return [
    { method: 'POST', path: '/latest/node', body, contentType },
    { method: 'PUT', path: `/latest/node/${nodeId}`, body, contentType },
    { method: 'PATCH', path: `/latest/node/${nodeId}`, body, contentType },
    { method: 'PUT', path: `/latest/nodes/${nodeId}`, body, contentType },
    { method: 'PUT', path: '/latest/batch/nodeset', body, contentType },
  ];
}

beforeAll(async () => {
  api = await startTestApi({ settings: { secretKey: SECRET, bodyLimit: BODY_LIMIT } });
  user = await createTestUser(api);
  admin = await createTestUser(api, { superuser: true });
  const res = await fetch(`${api.url}/latest/node`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'checkout', name: 'checkout', data: {} }),
  });
  expect([200, 201]).toContain(res.status);
  nodeId = ((await res.json()) as { id: string }).id;
});

afterAll(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(
    `bad inputs tried: ${total} (${Object.entries(tried)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
});

describe('bad input', () => {
  const validNode = JSON.stringify({
    kind: 'test',
    name: 'fuzz',
    parent: '0123456789abcdef01234567',
    data: { platform: 'qemu-x86' },
  });

  it('malformed JSON bodies', async () => {
    const bodies = [...MALFORMED_JSON, ...randomMalformedJson(7, 120, validNode)];
    await category(
      'malformed JSON',
      bodies.flatMap((b) => atWriteRoutes(b)),
    );
    await category('malformed JSON (other routes)', [
      ...bodies.slice(0, 40).map((b): Attempt => ({ method: 'POST', path: '/latest/publish/fuzz', body: b })),
      ...bodies
        .slice(0, 20)
        .map((b): Attempt => ({ method: 'POST', path: '/latest/user/invite', body: b, token: admin.token })),
      ...bodies.slice(0, 20).map((b): Attempt => ({ method: 'PATCH', path: '/latest/user/me', body: b })),
    ]);
  });

  it('valid JSON of the wrong shape or types', async () => {
    const shapes = randomWrongShapes(11, 150).map((v) => JSON.stringify(v));
    await category(
      'wrong shapes',
      shapes.flatMap((b) => [
        { method: 'POST', path: '/latest/node', body: b },
        { method: 'PUT', path: `/latest/node/${nodeId}`, body: b },
      ]),
    );
    await category('wrong content type', [
      ...atWriteRoutes(validNode, 'text/plain'),
      ...atWriteRoutes(validNode, 'application/xml'),
      ...atWriteRoutes(validNode, 'multipart/form-data; boundary=x'),
    ]);
  });

  it('huge payloads and huge URLs', async () => {
    const huge = JSON.stringify({ kind: 'test', name: 'huge', data: { blob: 'x'.repeat(BODY_LIMIT * 2) } });
    const manyKeys = JSON.stringify({
      kind: 'test',
      name: 'huge',
      data: Object.fromEntries(Array.from({ length: 120_000 }, (_, i) => [`k${i}`, i])),
    });
    await category('huge payloads', [
      ...atWriteRoutes(huge),
      ...atWriteRoutes(manyKeys),
      { method: 'POST', path: '/latest/publish/fuzz', body: huge },
      { method: 'GET', path: `/latest/nodes?name=${'n'.repeat(40_000)}` },
      { method: 'GET', path: `/latest/nodes?${Array.from({ length: 3000 }, (_, i) => `f${i}=1`).join('&')}` },
    ]);
  });

  it('deep nesting', async () => {
    const attempts: Attempt[] = [];
    for (const depth of [40, 200, 1000, 10_000, 100_000]) {
      for (const arrays of [false, true]) {
        const nested = deeplyNested(depth, arrays);
        attempts.push(
          ...atWriteRoutes(`{"kind":"test","name":"deep","parent":"${nodeId}","data":{"x":${nested}}}`),
        );
        attempts.push({ method: 'PATCH', path: `/latest/node/${nodeId}`, body: `{"data":{"x":${nested}}}` });
      }
    }
    attempts.push(
      ...atWriteRoutes(`{"kind":"test","name":"deep","parent":"${nodeId}","artifacts":{"a":[[["x"]]]}}`),
    );
    await category('deep nesting', attempts);
  });

  it('invalid UTF-8', async () => {
    const bad = [
      Buffer.from([0xff, 0xfe, 0xfd]),
      Buffer.concat([
        Buffer.from('{"kind":"test","name":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`","parent":"${nodeId}"}`),
      ]),
      Buffer.concat([
        Buffer.from('{"kind":"test","name":"'),
        Buffer.from([0xe2, 0x82]),
        Buffer.from(`","parent":"${nodeId}"}`),
      ]),
      Buffer.concat([
        Buffer.from('{"kind":"test","name":"'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from(`","parent":"${nodeId}"}`),
      ]),
      Buffer.concat([
        Buffer.from('{"kind":"test","name":"'),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from(`","parent":"${nodeId}"}`),
      ]),
      Buffer.concat([
        Buffer.from('{"kind":"test","name":"x","parent":"' + nodeId + '","data":{"'),
        Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
        Buffer.from('":1}}'),
      ]),
      Buffer.concat([Buffer.from(`{"data":{"note":"`), Buffer.from([0x80]), Buffer.from('"}}')]),
    ];
    await category(
      'invalid UTF-8',
      bad.flatMap((b) => atWriteRoutes(b)),
    );
    await category('invalid UTF-8 in forms and URLs', [
      {
        method: 'POST',
        path: '/latest/user/login',
        body: Buffer.from([
          0x75, 0x73, 0x65, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0x26, 0x70, 0x61, 0x73, 0x73, 0x77,
          0x6f, 0x72, 0x64, 0x3d, 0xfe,
        ]),
        contentType: 'application/x-www-form-urlencoded',
        token: null,
      },
      { method: 'GET', path: '/latest/node/%ff%fe' },
      {
        method: 'POST',
        path: '/latest/user/login',
        body: Buffer.from([0x75, 0x73, 0x65, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x3d, 0x25, 0x66, 0x66]),
        contentType: 'application/x-www-form-urlencoded',
        token: null,
      },
    ]);
  });

  it('query-operator injection in filters and bodies', async () => {
    const queries = [
      '$where=1',
      '$where=sleep(1000)',
      'kind[$ne]=test',
      'kind%5B%24ne%5D=test',
      '$or=[{}]',
      'data.$where=1',
      'data.kernel_revision.$gt=',
      'name__where=1',
      'name__$gt=a',
      'name__regex=.*',
      'name__exists=true',
      'name__elemMatch=x',
      'name__gt__lt=1',
      '__gt=1',
      'name__=x',
      'created__gt=not-a-date',
      'created__gt={"$gt":1}',
      'parent=not-an-id',
      'parent__in=zz,yy',
      'limit=-1',
      'limit=100000',
      'offset=-5',
      'limit=abc',
      'sort=$natural',
      'sort=-$where',
      'name__re=(',
      'name__re=[',
      '_id=1',
      '_pending.at__gt=0',
    ];
    const attempts: Attempt[] = [];
    for (const q of queries) {
      for (const route of ['/latest/nodes', '/latest/nodes/fast', '/latest/count'])
        attempts.push({ method: 'GET', path: `${route}?${q}` });
      attempts.push({ method: 'GET', path: `/latest/events?${q}` });
    }
    const bodies: unknown[] = [
      { kind: 'test', name: { $gt: '' }, parent: nodeId },
      { kind: { $ne: null }, name: 'x', parent: nodeId },
      { kind: 'test', name: 'x', parent: { $ne: null } },
      { kind: 'test', name: 'x', parent: nodeId, data: { $where: 'sleep(100)' } },
      { kind: 'test', name: 'x', parent: nodeId, data: { a: { $set: { owner: 'me' } } } },
      { kind: 'test', name: 'x', parent: nodeId, data: { 'a.b': 1 } },
      { kind: 'test', name: 'x', parent: nodeId, artifacts: { 'build.log': 'http://x/y' } },
      { kind: 'test', name: 'x', parent: nodeId, owner: 'someone-else' },
      { kind: 'test', name: 'x', parent: nodeId, id: '0123456789abcdef01234567' },
      { kind: 'test', name: 'x', parent: nodeId, _id: '0123456789abcdef01234567' },
      {
        kind: 'test',
        name: 'x',
        parent: nodeId,
        __proto__: { admin: true },
        constructor: { prototype: { x: 1 } },
      },
      { $set: { owner: 'me' } },
      { kind: 'test', name: 'x', parent: nodeId, _pending: { rev: 1 } },
    ];
    for (const b of bodies) {
      const text = JSON.stringify(b);
      attempts.push({ method: 'POST', path: '/latest/node', body: text });
      attempts.push({ method: 'PATCH', path: `/latest/node/${nodeId}`, body: text });
    }
    attempts.push(
      {
        method: 'PUT',
        path: '/latest/batch/nodeset',
        body: JSON.stringify({ nodes: [{ $gt: '' }], field: 'processed_by_kcidb_bridge', value: true }),
      },
      {
        method: 'PUT',
        path: '/latest/batch/nodeset',
        body: JSON.stringify({ nodes: [nodeId], field: '$where', value: true }),
      },
      {
        method: 'PUT',
        path: '/latest/batch/nodeset',
        body: JSON.stringify({ nodes: [nodeId], field: 'owner', value: 'me' }),
      },
      { method: 'PATCH', path: `/latest/node/${nodeId}`, body: JSON.stringify({ data: { $inc: 1 } }) },
      { method: 'PATCH', path: `/latest/node/${nodeId}`, body: JSON.stringify({ owner: 'me' }) },
      { method: 'GET', path: '/latest/node/%7B%22%24gt%22%3A%22%22%7D' },
    );
    await category('query-operator injection', attempts);
  });

  it('expired, forged and revoked tokens', async () => {
    const { SignJWT } = await import('jose');
    const key = new TextEncoder().encode(SECRET);
    const claims = (overrides: Record<string, unknown>) => ({
      sub: user.id,
      aud: 'maestro:auth',
      jti: uniqueSuffix(),
      gen: 0,
      scope: '',
      ...overrides,
    });
    const sign = (
      payload: Record<string, unknown>,
      secret = key,
      exp = Math.floor(Date.now() / 1000) + 3600,
    ) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(secret);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const [, payloadPart, sigPart] = user.token.split('.');
    const decoded = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<string, unknown>;

    const revoked = await login(api.url, user.username, user.password);
    const out = await fetch(`${api.url}/latest/user/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revoked}` },
    });
    expect(out.status).toBeLessThan(300);

    const tokens: (string | null)[] = [
      null,
      '',
      'garbage',
      'a.b.c',
      revoked,
      await sign(claims({}), key, Math.floor(Date.now() / 1000) - 60), // expired
      await sign(claims({}), new TextEncoder().encode('some-other-secret-0123456789abcdef')), // forged key
      await sign(claims({ aud: 'someone-else' })), // wrong audience
      await sign(claims({ sub: '0123456789abcdef01234567' })), // unknown user
      await sign(claims({ sub: 'not-an-object-id' })),
      await sign(claims({ jti: undefined })),
      await sign(claims({ gen: 99 })), // stale generation
      `${b64({ alg: 'none', typ: 'JWT' })}.${payloadPart}.`, // alg none
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...decoded, scope: 'admin' })}.`,
      `${user.token.split('.')[0]}.${b64({ ...decoded, sub: admin.id, scope: 'admin' })}.${sigPart}`, // tampered payload
      `${b64({ alg: 'HS512', typ: 'JWT' })}.${payloadPart}.${sigPart}`,
      user.token.slice(0, -2) + (user.token.endsWith('AA') ? 'BB' : 'AA'),
    ];
    const attempts: Attempt[] = [];
    const body = JSON.stringify({ kind: 'test', name: 'by-a-bad-token', parent: nodeId });
    for (const token of tokens) {
      attempts.push(
        { method: 'POST', path: '/latest/node', body, token },
        {
          method: 'PATCH',
          path: `/latest/node/${nodeId}`,
          body: JSON.stringify({ state: 'done', result: 'pass' }),
          token,
        },
        { method: 'POST', path: '/latest/publish/fuzz', body: JSON.stringify({ data: { x: 1 } }), token },
        { method: 'POST', path: '/latest/subscribe/node', token },
        { method: 'GET', path: '/latest/whoami', token },
        {
          method: 'POST',
          path: '/latest/user/invite',
          body: JSON.stringify({ username: `u${uniqueSuffix()}`, email: 'a@b.c' }),
          token,
        },
      );
    }
    await category('bad tokens', attempts);
    // Malformed Authorization headers.
    await category(
      'bad authorization headers',
      [
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwdw==',
        `Token ${user.token}`,
        `Bearer ${user.token} extra`,
        `bearer${user.token}`,
      ].map((authorization): Attempt => ({
        method: 'POST',
        path: '/latest/node',
        body,
        token: null,
        headers: { authorization },
      })),
    );
  });
});

describe('storage uploads', () => {
  let storage: RunningStorageServer;
  let root: string;
  let dir: string;
  const token = 'storage-token-for-bad-input';

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(testEnv().tmpDir, 'storage-bad-input-'));
    dir = path.join(root, 'files');
    storage = await startStorageServer({ dir, token, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => storage?.close());

  /** A raw PUT (fetch would normalise "..", which is exactly what must be tested). */
  function rawPut(rawPath: string, auth: string | null = token): Promise<number> {
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: storage.port,
          method: 'PUT',
          path: rawPath,
          headers: auth ? { authorization: `Bearer ${auth}` } : {},
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', () => resolve(0));
      req.end('evil');
    });
  }

  async function listTree(p: string): Promise<string[]> {
    const entries = await fs.readdir(p, { recursive: true }).catch(() => [] as string[]);
    return entries.map(String).sort();
  }

  it('rejects path traversal and unauthenticated uploads, writing no file', async () => {
    const before = await listTree(root);
    const paths = [
      '/../escaped',
      '/../../escaped',
      '/a/../../escaped',
      '/%2e%2e/escaped',
      '/%2e%2e%2fescaped',
      '/..%2fescaped',
      '/..%5cescaped',
      '/a/%2e%2e/%2e%2e/escaped',
      '/..\\escaped',
      '/./escaped',
      '//escaped/../../x',
      '/escaped%00.txt',
      '/a/./b',
      '/%',
      '/%zz',
      '/',
      '/' + '../'.repeat(20) + 'etc/passwd',
      `/${encodeURIComponent('/../escaped')}`,
      `/${encodeURIComponent('a/../../escaped')}`,
      '/a//b',
    ];
    const failures: string[] = [];
    for (const p of paths) {
      const status = await rawPut(p);
      if (status < 400 || status > 499) failures.push(`${p} → ${status}`);
    }
    for (const auth of [null, 'wrong', `${token}x`, token.slice(0, -1)]) {
      const status = await rawPut('/fine.txt', auth);
      if (status !== 401 && status !== 403) failures.push(`token ${auth} → ${status}`);
    }
    tried['storage uploads'] = paths.length + 4;
    expect(failures).toEqual([]);
    expect(await listTree(root)).toEqual(before);
    // still serving
    expect(await rawPut('/ok/file.txt')).toBeLessThan(300);
  });
});
