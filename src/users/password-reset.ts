// Password reset by e-mail (upstream's `/user/forgot-password` and `/user/reset-password`): a random
// single-use token with a short lifetime, stored only as its hash. Consuming it sets the password, which
// also cuts off every token issued before.
import { createHash, randomBytes } from 'node:crypto';
import { invalid } from '../errors';
import { parseObjectId, type UserStore } from './store';
import type { UserDoc } from './types';

/**
 * Where reset tokens live. Tiny on purpose, so each storage backend provides one (`password-reset-mongo.ts`
 * for MongoDB). Tokens arrive hashed; a store never sees a usable token.
 */
export interface ResetTokenStore {
  /** Records a token for a user until `expiresAt`; the user's earlier tokens stop working. */
  put(tokenHash: string, userId: string, expiresAt: Date): Promise<void>;
  /** Consumes a token: the user id it was issued for, or null when unknown, used or expired. Works once. */
  take(tokenHash: string, now: Date): Promise<string | null>;
}

/** fastapi-users' error detail for a token that does not check out (upstream clients match on it). */
export const RESET_PASSWORD_BAD_TOKEN = 'RESET_PASSWORD_BAD_TOKEN';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedReset {
  user: UserDoc;
  token: string;
  expiresAt: Date;
}

export class PasswordResets {
  constructor(
    private readonly tokens: ResetTokenStore,
    private readonly users: UserStore,
    private readonly lifetimeSeconds: number,
  ) {}

  /** A reset token for the active user with this e-mail, or null when there is none (told nobody). */
  async issue(email: string): Promise<IssuedReset | null> {
    const user = (await this.users.list({ email }, 1, 0)).items[0];
    if (!user || !user.is_active) return null;
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.lifetimeSeconds * 1000);
    await this.tokens.put(hashToken(token), user._id.toHexString(), expiresAt);
    return { user, token, expiresAt };
  }

  /** Sets the password of the token's user; a bad, used or expired token is a 400. */
  async reset(token: string, password: string): Promise<UserDoc> {
    const userId = await this.tokens.take(hashToken(token), new Date());
    if (!userId) throw invalid(RESET_PASSWORD_BAD_TOKEN);
    const user = await this.users.get(parseObjectId(userId));
    if (!user || !user.is_active) throw invalid(RESET_PASSWORD_BAD_TOKEN);
    return this.users.setPassword(user._id, password);
  }
}
