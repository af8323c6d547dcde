// Where artifacts go. The API only records public URLs; backends turn a key into one.
// Layout (SPEC §7): tarballs at the root, job artifacts under `<job>-<node id>/`.

export interface StorageBackend {
  /** Uploads a local file under `key` (a relative path) and returns its public URL. */
  upload(key: string, filePath: string): Promise<string>;
  /** Public URL a key would have (no I/O). */
  publicUrl(key: string): string;
}

/** Rejects keys that could escape the storage root or name directories. */
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (
    !key ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new Error(`invalid storage key "${key}"`);
  }
  return key;
}

export function joinUrl(base: string, key: string): string {
  return `${base.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
