// The storage upload token: from MAESTRO_STORAGE_TOKEN, or generated once and kept under the data dir,
// so the storage service, pipeline worker and embedded lab worker agree without configuration.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function storageToken(dataDir: string, fromEnv?: string): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'storage-token');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const token = randomBytes(24).toString('hex');
    try {
      fs.writeFileSync(file, token, { mode: 0o600, flag: 'wx' });
      return token;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process won the race
    }
  }
}
