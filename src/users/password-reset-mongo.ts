// Password reset tokens on MongoDB: one document per token hash. A token is consumed by deleting it,
// which exactly one caller can win on any backend (no conditional update needed).
import type { Collection, Db } from 'mongodb';
import type { ResetTokenStore } from './password-reset';

export const PASSWORD_RESET_TOKENS = 'password_reset_tokens';

interface ResetTokenDoc {
  /** sha256 of the token. */
  _id: string;
  user_id: string;
  expires_at: Date;
}

export class MongoResetTokenStore implements ResetTokenStore {
  private readonly tokens: Collection<ResetTokenDoc>;

  constructor(db: Db) {
    this.tokens = db.collection<ResetTokenDoc>(PASSWORD_RESET_TOKENS);
  }

  async put(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.tokens.deleteMany({ user_id: userId });
    await this.tokens.insertOne({ _id: tokenHash, user_id: userId, expires_at: expiresAt });
  }

  async take(tokenHash: string, now: Date): Promise<string | null> {
    const doc = await this.tokens.findOne({ _id: tokenHash });
    if (!doc) return null;
    const res = await this.tokens.deleteOne({ _id: tokenHash });
    return res.deletedCount === 1 && doc.expires_at > now ? doc.user_id : null;
  }
}
