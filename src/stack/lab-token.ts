// The embedded stack's lab user: `lab-<runtime>` in group `runtime:<runtime>:node-editor`, with a token
// minted for the lab worker it starts (the lab then writes over HTTP as that user).
import { openStorage, type StorageSettings } from '../db/open';
import { ensureServiceUser, mintToken } from '../users/bootstrap';

const TOKEN_LIFETIME_S = 30 * 24 * 3600; // a fresh one is minted at every start

export async function mintLabToken(settings: StorageSettings, runtime: string): Promise<string> {
  const storage = await openStorage(settings);
  try {
    const user = await ensureServiceUser(storage, `lab-${runtime}`, [`runtime:${runtime}:node-editor`]);
    return (await mintToken(storage, user.id, { expiresIn: TOKEN_LIFETIME_S })).access_token;
  } finally {
    await storage.close();
  }
}
