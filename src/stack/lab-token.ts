// The embedded stack's lab user: `lab-<runtime>` in group `runtime:<runtime>:node-editor`, with a token
// minted for the lab worker it starts (the lab then writes over HTTP as that user).
import { connectDatabase } from '../db/client';
import { ensureServiceUser, mintToken } from '../users/bootstrap';

const TOKEN_LIFETIME_S = 30 * 24 * 3600; // a fresh one is minted at every start

export async function mintLabToken(mongodbUri: string, dbName: string, runtime: string): Promise<string> {
  const database = await connectDatabase(mongodbUri, dbName);
  try {
    const user = await ensureServiceUser(database.db, `lab-${runtime}`, [`runtime:${runtime}:node-editor`]);
    return (await mintToken(database.db, user.id, { expiresIn: TOKEN_LIFETIME_S })).access_token;
  } finally {
    await database.close();
  }
}
