// Accounts the system creates itself: the first admin, service users for internal writers (pipeline,
// lab workers) and long-lived tokens for them.
import { ObjectId, type Db } from 'mongodb';
import type { Actor } from '../db/nodes/types';
import { isDomainError } from '../errors';
import { SETTINGS } from '../settings';
import { userCollections } from './collections';
import { isDuplicateKey } from './duplicate-key';
import { GroupStore } from './groups';
import { generatePassword } from './password';
import { UserStore } from './store';
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
export async function bootstrapAdmin(db: Db, spec: AdminSpec): Promise<{ user: UserDoc; created: boolean }> {
  const store = new UserStore(db, new TokenService(db));
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
  db: Db,
  opts: { username: string; password?: string; email: string },
  announce: (message: string) => void,
): Promise<UserDoc | null> {
  const { users } = userCollections(db);
  if (await users.findOne({ is_superuser: true }, { projection: { _id: 1 } })) return null;
  const password = opts.password ?? generatePassword();
  try {
    const { user, created } = await bootstrapAdmin(db, {
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
export async function ensureServiceUser(db: Db, username: string, groups: string[]): Promise<Actor> {
  const { users } = userCollections(db);
  await new GroupStore(db).ensure(groups);
  const now = new Date();
  await users
    .updateOne(
      { username },
      {
        $setOnInsert: {
          _id: new ObjectId(),
          email: `${username}@service.invalid`,
          hashed_password: null,
          is_active: true,
          is_superuser: false,
          is_verified: true,
          token_generation: 0,
          is_service: true,
          created: now,
          updated: now,
        },
        $addToSet: { groups: { $each: groups } },
      },
      { upsert: true },
    )
    .catch((err) => {
      if (!isDuplicateKey(err)) throw err; // created concurrently: fine
    });
  const user = await users.findOne({ username });
  if (!user) throw new Error(`service user ${username} could not be created`);
  if (groups.some((g) => !user.groups.includes(g))) {
    await users.updateOne({ _id: user._id }, { $addToSet: { groups: { $each: groups } } });
    user.groups = [...new Set([...user.groups, ...groups])];
  }
  return {
    id: user._id.toHexString(),
    username: user.username,
    groups: user.groups,
    isSuperuser: user.is_superuser,
  };
}

/**
 * A token for a user, outside the login flow (a lab worker's long-lived token). `expiresIn` in seconds.
 * The signing key is MAESTRO_SECRET_KEY (or `secretKey`) or the one kept in the database.
 */
export async function mintToken(
  db: Db,
  userId: string,
  opts: { scopes?: string[]; expiresIn: number; secretKey?: string },
): Promise<MintedToken> {
  const user = await userCollections(db).users.findOne({ _id: new ObjectId(userId) });
  if (!user) throw new Error(`user ${userId} not found`);
  const secret = opts.secretKey ?? (process.env[SETTINGS.secretKey.env] || undefined);
  return new TokenService(db, secret).mint(user, { scopes: opts.scopes, expiresIn: opts.expiresIn });
}
