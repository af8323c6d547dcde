import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HttpStorageBackend } from '../../src/storage/http-backend';
import { startStorageServer, type RunningStorageServer } from '../../src/storage/server';
import { testEnv, uniqueSuffix } from '../support/harness';

/** A raw request, so paths like /../x reach the server un-normalised (fetch would resolve them). */
function raw(
  url: string,
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: rawPath, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP storage service', () => {
  let server: RunningStorageServer;
  let dir: string;
  const token = `tok-${uniqueSuffix()}`;

  beforeAll(async () => {
    dir = path.join(testEnv().tmpDir, `storage-${uniqueSuffix()}`);
    server = await startStorageServer({ dir, token, port: 0 });
    return () => server.close();
  });

  it('uploads with the token through the backend, and the recorded URL downloads publicly', async () => {
    const file = path.join(testEnv().tmpDir, `artifact-${uniqueSuffix()}`);
    await fs.writeFile(file, 'kernel image bytes');
    const backend = new HttpStorageBackend({ baseUrl: server.url, token });
    const url = await backend.upload('kbuild-x86-0123456789abcdef01234567/bzImage', file);
    expect(url).toBe(`${server.url}kbuild-x86-0123456789abcdef01234567/bzImage`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('kernel image bytes');
  });

  it('refuses uploads without the right token and anything but GET/HEAD/PUT', async () => {
    expect((await raw(server.url, 'PUT', '/x.txt', {}, 'data')).status).toBe(401);
    expect((await raw(server.url, 'PUT', '/x.txt', { authorization: 'Bearer wrong' }, 'data')).status).toBe(
      401,
    );
    expect((await raw(server.url, 'DELETE', '/x.txt', { authorization: `Bearer ${token}` })).status).toBe(
      405,
    );
    expect((await raw(server.url, 'GET', '/nothing-here')).status).toBe(404);
  });

  it('rejects path traversal on upload and download', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const p of [
      '/../escape.txt',
      '/a/../../escape.txt',
      '/%2e%2e/escape.txt',
      '/a/%2E%2E/%2e%2e/escape.txt',
      '/a//b',
      '/a/./b',
    ]) {
      const put = await raw(server.url, 'PUT', p, auth, 'x');
      expect(put.status, `PUT ${p}`).toBe(400);
      expect(JSON.parse(put.body).detail).toMatch(/invalid path/);
      expect((await raw(server.url, 'GET', p)).status, `GET ${p}`).toBe(400);
    }
    await expect(fs.stat(path.join(path.dirname(dir), 'escape.txt'))).rejects.toThrow();
    const backend = new HttpStorageBackend({ baseUrl: server.url, token });
    await expect(backend.upload('../escape.txt', __filename)).rejects.toThrow(/invalid storage key/);
  });
});
