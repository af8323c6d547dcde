// The dashboard's static files as the API serves them (built by `npm run build`, which `npm test` runs first).
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api';

describe('dashboard assets served by the API', () => {
  let api: TestApi;
  let script: string;

  beforeAll(async () => {
    api = await startTestApi({
      settings: { temporalUiUrl: 'http://temporal.example:8080/', temporalNamespace: 'kernelci' },
    });
  });

  it('/dashboard redirects to /dashboard/, keeping the prefix and query', async () => {
    for (const [from, to] of [
      ['/dashboard', '/dashboard/'],
      ['/latest/dashboard', '/latest/dashboard/'],
      ['/v0/dashboard?x=1', '/v0/dashboard/?x=1'],
    ]) {
      const res = await fetch(`${api.url}${from}`, { redirect: 'manual' });
      expect(res.status, from).toBe(301);
      expect(res.headers.get('location'), from).toBe(to);
    }
  });

  it('the page is HTML with a content security policy, revalidated on every visit', async () => {
    for (const prefix of ['', '/latest', '/v0']) {
      const res = await fetch(`${api.url}${prefix}/dashboard/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await res.text();
      expect(html).toContain('<title>Maestro results</title>');
      script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    }
    const etag = (await fetch(`${api.url}/dashboard/`)).headers.get('etag')!;
    const again = await fetch(`${api.url}/dashboard/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('hashed assets are immutable and sent gzipped to clients that accept it', async () => {
    const plain = await fetch(`${api.url}/dashboard/${script}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = Buffer.from(await plain.arrayBuffer());
    // Node's fetch decodes gzip itself: ask with a raw request to see the encoded bytes.
    const { request } = await import('node:http');
    const gz = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      const req = request(
        `${api.url}/dashboard/${script}`,
        { headers: { 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(gz.encoding).toBe('gzip');
    expect(gz.bytes.length).toBeLessThan(body.length / 2);
    expect(gunzipSync(gz.bytes).equals(body)).toBe(true);
  });

  it('unknown and malformed asset names are 4xx JSON naming the problem, and never reach the disk', async () => {
    const missing = await fetch(`${api.url}/dashboard/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'dashboard: no asset nope.js' });
    for (const bad of ['..%2F..%2Fpackage.json', 'a%20b.js', 'a%00b.js', 'x%5C..%5Cy']) {
      const res = await fetch(`${api.url}/dashboard/assets/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { detail: string }).detail, bad).toMatch(/^params\.file: /);
    }
    const traversal = await fetch(`${api.url}/dashboard/../package.json`);
    expect(traversal.status).toBe(404);
  });

  it('config.json gives the Temporal UI link base and namespace from the settings', async () => {
    const res = await fetch(`${api.url}/dashboard/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      temporal_ui_url: 'http://temporal.example:8080',
      temporal_namespace: 'kernelci',
    });
  });

  it('the dashboard routes stay out of the API docs', async () => {
    const doc = (await (await fetch(`${api.url}/latest/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths).filter((p) => p.includes('dashboard'))).toEqual([]);
  });
});
