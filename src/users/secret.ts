// The HS256 key that signs API tokens. MAESTRO_SECRET_KEY wins; otherwise one random key is generated
// on first use and kept in the database, so every API replica (and the CLI minting lab tokens) agrees.
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { userCollections } from './collections';
import { isDuplicateKey } from './duplicate-key';

const JWT_SECRET_ID = 'jwt';

export async function resolveSigningKey(db: Db, configured?: string): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const { secrets } = userCollections(db);
  const existing = await secrets.findOne({ _id: JWT_SECRET_ID });
  if (existing) return new TextEncoder().encode(existing.key);
  try {
    await secrets.insertOne({
      _id: JWT_SECRET_ID,
      key: randomBytes(48).toString('base64url'),
      created: new Date(),
    });
  } catch (err) {
    // Another replica created it first (duplicate key): use theirs.
    if (!isDuplicateKey(err)) throw err;
  }
  const stored = await secrets.findOne({ _id: JWT_SECRET_ID });
  if (!stored) throw new Error('could not store the token signing key');
  return new TextEncoder().encode(stored.key);
}
