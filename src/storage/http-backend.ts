// Client of the built-in HTTP storage service: `PUT <upload base>/<key>` with a bearer token.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { checkKey, joinUrl, type StorageBackend } from './backend';

export interface HttpStorageOptions {
  /** Public read-only base, recorded in node artifacts. */
  baseUrl: string;
  /** Upload base when it differs (e.g. behind a proxy); default baseUrl. */
  uploadUrl?: string;
  token: string;
}

export class HttpStorageBackend implements StorageBackend {
  constructor(private readonly opts: HttpStorageOptions) {}

  publicUrl(key: string): string {
    return joinUrl(this.opts.baseUrl, checkKey(key));
  }

  async upload(key: string, filePath: string): Promise<string> {
    const url = joinUrl(this.opts.uploadUrl ?? this.opts.baseUrl, checkKey(key));
    const size = (await fs.promises.stat(filePath)).size;
    const res = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.opts.token}`, 'content-length': String(size) },
      body: Readable.toWeb(fs.createReadStream(filePath)) as ReadableStream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    if (!res.ok)
      throw new Error(`storage upload of ${key} failed: ${res.status} ${await res.text().catch(() => '')}`);
    return this.publicUrl(key);
  }
}

/** Downloads a URL to a local file (streams; never buffers the whole body). */
export async function downloadTo(url: string, filePath: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`download of ${url} failed: ${res.status}`);
  const { pipeline } = await import('node:stream/promises');
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    fs.createWriteStream(filePath),
  );
}
