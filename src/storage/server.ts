// The built-in storage service: token-authenticated uploads (PUT), public read-only downloads (GET/HEAD).
import { createReadStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface StorageServerOptions {
  dir: string;
  token: string;
  host?: string;
  /** 0 = any free port. */
  port: number;
}

export interface RunningStorageServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ detail }));
}

/** Maps a URL path to a file under dir, or null when it would escape or is malformed. */
export function resolveStoragePath(dir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  const rel = decoded.replace(/^\/+/, '');
  const parts = rel.split('/');
  if (
    !rel ||
    rel.includes('\0') ||
    rel.includes('\\') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  )
    return null;
  const full = path.resolve(dir, rel);
  if (!full.startsWith(path.resolve(dir) + path.sep)) return null;
  return full;
}

function authorised(req: http.IncomingMessage, token: string): boolean {
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startStorageServer(opts: StorageServerOptions): Promise<RunningStorageServer> {
  await fsp.mkdir(opts.dir, { recursive: true });
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, (err as Error).message);
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const file = resolveStoragePath(opts.dir, req.url ?? '/');
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!file) return send(res, req.url === '/' ? 404 : 400, 'invalid path');
      const stat = await fsp.stat(file).catch(() => null);
      if (!stat?.isFile()) return send(res, 404, 'not found');
      res.writeHead(200, { 'content-length': stat.size, 'content-type': contentType(file) });
      if (req.method === 'HEAD') return void res.end();
      await pipeline(createReadStream(file), res);
      return;
    }
    if (req.method === 'PUT') {
      if (!authorised(req, opts.token)) return send(res, 401, 'missing or bad upload token');
      if (!file) return send(res, 400, 'invalid path: must be a relative path without "." or ".." segments');
      await fsp.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.upload-${randomBytes(6).toString('hex')}`;
      try {
        await pipeline(req, createWriteStream(tmp));
        await fsp.rename(tmp, file);
      } catch (err) {
        await fsp.rm(tmp, { force: true });
        throw err;
      }
      return send(res, 201, 'stored');
    }
    res.setHeader('allow', 'GET, HEAD, PUT');
    send(res, 405, `method ${req.method} not allowed`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/`,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function contentType(file: string): string {
  if (file.endsWith('.tar.gz') || file.endsWith('.gz')) return 'application/gzip';
  if (file.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}
