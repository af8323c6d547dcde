// The HS256 key that signs API tokens. MAESTRO_SECRET_KEY wins; otherwise one random key is generated
// on first use and kept in the database, so every API replica (and the CLI minting lab tokens) agrees.
import { randomBytes } from 'node:crypto';

export async function resolveSigningKey(
  storage: { signingSecret(create: () => string): Promise<string> },
  configured?: string,
): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const key = await storage.signingSecret(() => randomBytes(48).toString('base64url'));
  return new TextEncoder().encode(key);
}
