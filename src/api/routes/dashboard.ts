// The results dashboard: the static files `npm run build` writes to dist/dashboard, served under
// /dashboard/ (same origin as the API, which the page reads), plus the few settings the page needs.
// Only files found in that folder at first request are served, so no request path reaches the disk.
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../errors';
import type { RoutePlugin } from './plugin';

/** dist/dashboard from both dist/api/routes (built) and src/api/routes (tests run from source). */
export const DASHBOARD_DIR = path.resolve(__dirname, '..', '..', '..', 'dist', 'dashboard');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// The page loads only its own scripts and styles and talks only to its own origin; links (logs,
// artifacts, the Temporal UI) may point anywhere.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
}

async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const walk = async (sub: string) => {
    for (const entry of await fs.readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) {
        const body = await fs.readFile(path.join(dir, rel));
        const type = CONTENT_TYPES[path.extname(rel)] ?? 'application/octet-stream';
        const compressible = /text|json|svg/.test(type) && body.length > 1024;
        const etag = `"${body.length.toString(16)}-${(await fs.stat(path.join(dir, rel))).mtimeMs.toString(16)}"`;
        assets.set(rel, { body, gzip: compressible ? gzipSync(body) : null, type, etag });
      }
    }
  };
  await walk('');
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, immutable: boolean) {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('x-content-type-options', 'nosniff')
    .header('vary', 'accept-encoding')
    // Hashed asset names never change content; index.html must be revalidated to pick up a new build.
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (asset.type.startsWith('text/html'))
    reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  if (asset.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')))
    return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

export const dashboardRoutes: RoutePlugin = async (app, { ctx }) => {
  let loading: Promise<Map<string, Asset>> | null = null;
  const assets = async () => {
    loading ??= loadAssets(DASHBOARD_DIR).catch((err: NodeJS.ErrnoException) => {
      loading = null; // a later build may still provide them
      if (err.code === 'ENOENT') throw new ApiError(503, 'dashboard: assets not built (run `npm run build`)');
      throw err;
    });
    return loading;
  };
  const hide = { hide: true };

  // A relative asset URL needs the trailing slash: /dashboard → /dashboard/ (keeping the prefix used).
  app.get('/dashboard', { schema: hide }, async (request, reply) => {
    const [pathname, query] = request.originalUrl.split('?', 2);
    return reply.redirect(`${pathname}/${query ? `?${query}` : ''}`, 301);
  });

  app.get('/dashboard/', { schema: hide }, async (request, reply) => {
    const index = (await assets()).get('index.html');
    if (!index) throw notFound('dashboard: index.html missing from the build');
    return send(request, reply, index, false);
  });

  app.get('/dashboard/config.json', { schema: hide }, async () => ({
    temporal_ui_url: ctx.settings.temporalUiUrl.replace(/\/+$/, ''),
    temporal_namespace: ctx.settings.temporalNamespace,
  }));

  app.get<{ Params: { file: string } }>(
    '/dashboard/assets/:file',
    {
      schema: {
        hide: true,
        params: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,200}$' } },
        },
      },
    },
    async (request, reply) => {
      const asset = (await assets()).get(`assets/${request.params.file}`);
      if (!asset) throw notFound(`dashboard: no asset ${request.params.file}`);
      return send(request, reply, asset, true);
    },
  );
};
