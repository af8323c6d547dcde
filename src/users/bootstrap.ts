// Accounts the system creates itself: the first admin, service users for internal writers (pipeline,
// lab workers) and long-lived tokens for them.
import { ObjectId } from 'mongodb';
import type { Actor } from '../db/nodes/types';
import type { Storage } from '../db/storage';
import { isDomainError } from '../errors';
import { SETTINGS } from '../settings';
import { generatePassword } from './password';
import { TokenService, type MintedToken } from './tokens';
import type { UserDoc } from './types';

export interface AdminSpec {
  username: string;
  password: string;
  email: string;
}

/**
 * Creates a verified superuser (`kci user create --admin`). An existing user of that name is left
 * unchanged and reported with `created: false`.
 */
export async function bootstrapAdmin(
  storage: Storage,
  spec: AdminSpec,
): Promise<{ user: UserDoc; created: boolean }> {
  const store = storage.createUserStore(new TokenService(storage.tokenStorage));
  const existing = await store.findByUsername(spec.username);
  if (existing) return { user: existing, created: false };
  const user = await store.create({ ...spec, is_superuser: true, is_verified: true });
  return { user, created: true };
}

/**
 * On API start: when no superuser exists, create the first admin. Without a configured password one is
 * generated and handed to `announce` (printed once in the log); it is never stored in clear.
 */
export async function ensureFirstAdmin(
  storage: Storage,
  opts: { username: string; password?: string; email: string },
  announce: (message: string) => void,
): Promise<UserDoc | null> {
  if (await storage.hasActiveSuperuser()) return null;
  const password = opts.password ?? generatePassword();
  try {
    const { user, created } = await bootstrapAdmin(storage, {
      username: opts.username,
      password,
      email: opts.email,
    });
    if (!created) {
      announce(
        `no superuser exists and user "${opts.username}" exists already: promote it with kci or PATCH /user/{id}`,
      );
      return null;
    }
    announce(
      opts.password
        ? `created the first admin "${opts.username}" with the password from MAESTRO_ADMIN_PASSWORD`
        : `created the first admin "${opts.username}" with generated password: ${password}  (shown once; change it with POST /user/update-password)`,
    );
    return user;
  } catch (err) {
    // Another API replica won the race.
    if (isDomainError(err, 'conflict')) return null;
    throw err;
  }
}

/**
 * A service user (no password: it cannot log in) in the given groups, created when missing; its groups
 * are added (never removed). Returns the Actor internal writers pass to the node write path.
 */
export function ensureServiceUser(storage: Storage, username: string, groups: string[]): Promise<Actor> {
  return storage.ensureServiceUser(username, groups);
}

/**
 * A token for a user, outside the login flow (a lab worker's long-lived token). `expiresIn` in seconds.
 * The signing key is MAESTRO_SECRET_KEY (or `secretKey`) or the one kept in the database.
 */
export async function mintToken(
  storage: Storage,
  userId: string,
  opts: { scopes?: string[]; expiresIn: number; secretKey?: string },
): Promise<MintedToken> {
  const user = await storage.tokenStorage.findUser(new ObjectId(userId));
  if (!user) throw new Error(`user ${userId} not found`);
  const secret = opts.secretKey ?? (process.env[SETTINGS.secretKey.env] || undefined);
  return new TokenService(storage.tokenStorage, secret).mint(user, {
    scopes: opts.scopes,
    expiresIn: opts.expiresIn,
  });
}
