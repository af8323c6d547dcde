// API tokens: HS256 JWTs with `sub` (user id), `aud`, `exp`, `iat`, `jti`, `scope` (space separated) and
// `gen` (the user's token generation). A token is valid while its signature and expiry check out, its
// jti is not revoked (logout) and its `gen` equals the user's `token_generation` (bumped by an admin
// revoke or a password change). All of it lives in the database, so every API replica agrees.
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { resolveSigningKey } from './secret';
import type { UserDoc } from './types';

/** What token checks read and write, on any storage backend. */
export interface TokenStorage {
  findUser(id: ObjectId): Promise<UserDoc | null>;
  isRevoked(tokenId: string): Promise<boolean>;
  /** Records a revoked token and purges entries whose token expired anyway. */
  revoke(tokenId: string, userId: string, expiresAt: Date): Promise<void>;
  /** Cuts off every token of the user issued so far. */
  bumpTokenGeneration(userId: ObjectId): Promise<void>;
  /** The stored signing key, created once (first writer wins between replicas). */
  signingSecret(create: () => string): Promise<string>;
}

export const TOKEN_AUDIENCE = 'maestro:auth';
export const ADMIN_SCOPE = 'admin';

export interface MintOptions {
  scopes?: string[];
  /** Lifetime in seconds. */
  expiresIn: number;
}

export interface MintedToken {
  access_token: string;
  token_type: 'bearer';
  expires_at: string;
  scope: string;
}

export interface VerifiedToken {
  user: UserDoc;
  scopes: string[];
  tokenId: string;
}

export class TokenError extends Error {}

// jose is ESM-only: load it lazily through a dynamic import, which works from CommonJS output.
const loadJose = () => import('jose');

/** Most verified tokens a replica remembers (oldest forgotten first). */
const CACHE_LIMIT = 10_000;

export class TokenService {
  private keyPromise?: Promise<Uint8Array>;
  /**
   * Verified tokens reused for `cacheMs` (two database lookups per request are most of an authenticated
   * request's cost on FerretDB). Revocations and account changes made through this process evict at once;
   * another replica sees them within `cacheMs`.
   */
  private readonly cache = new Map<string, { verified: VerifiedToken; until: number }>();

  constructor(
    private readonly storage: TokenStorage,
    private readonly configuredSecret?: string,
    private readonly cacheMs = 0,
  ) {}

  private key(): Promise<Uint8Array> {
    this.keyPromise ??= resolveSigningKey(this.storage, this.configuredSecret).catch((err) => {
      this.keyPromise = undefined;
      throw err;
    });
    return this.keyPromise;
  }

  async mint(user: Pick<UserDoc, '_id' | 'token_generation'>, opts: MintOptions): Promise<MintedToken> {
    const { SignJWT } = await loadJose();
    const scope = (opts.scopes ?? []).join(' ');
    const expiresAt = Math.floor(Date.now() / 1000) + opts.expiresIn;
    const token = await new SignJWT({ scope, gen: user.token_generation })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user._id.toHexString())
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(await this.key());
    return {
      access_token: token,
      token_type: 'bearer',
      expires_at: new Date(expiresAt * 1000).toISOString(),
      scope,
    };
  }

  /** Throws TokenError with a client-safe reason when the token must not be accepted. */
  async verify(token: string): Promise<VerifiedToken> {
    const cached = this.cache.get(token);
    if (cached && cached.until > Date.now()) return cached.verified;
    if (cached) this.cache.delete(token);
    const { verified, expiresAt } = await this.verifyUncached(token);
    if (this.cacheMs > 0) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(token, { verified, until: Math.min(Date.now() + this.cacheMs, expiresAt) });
    }
    return verified;
  }

  /** Drops cached verifications of one user's tokens (account changed or tokens revoked here). */
  forgetUser(userId: string): void {
    for (const [token, entry] of this.cache)
      if (entry.verified.user._id.toHexString() === userId) this.cache.delete(token);
  }

  private async verifyUncached(token: string): Promise<{ verified: VerifiedToken; expiresAt: number }> {
    const { jwtVerify, errors } = await loadJose();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, await this.key(), {
        audience: TOKEN_AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub', 'jti'],
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new TokenError('token expired');
      throw new TokenError('invalid token');
    }
    const { sub, jti } = payload;
    if (!sub || !ObjectId.isValid(sub) || !jti) throw new TokenError('invalid token');
    const [user, revokedEntry] = await Promise.all([
      this.storage.findUser(new ObjectId(sub)),
      this.storage.isRevoked(jti),
    ]);
    if (!user || !user.is_active) throw new TokenError('invalid token: unknown or inactive user');
    if (revokedEntry || (payload.gen ?? 0) !== user.token_generation) throw new TokenError('token revoked');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { verified: { user, scopes, tokenId: jti }, expiresAt: (payload.exp ?? 0) * 1000 };
  }

  /** Logout: this one token stops working everywhere. */
  async revoke(tokenId: string, userId: string, expiresAt: Date): Promise<void> {
    await this.storage.revoke(tokenId, userId, expiresAt);
    for (const [token, entry] of this.cache) if (entry.verified.tokenId === tokenId) this.cache.delete(token);
  }

  /** Every token the user holds stops working (admin revoke, password change). */
  async revokeAll(userId: ObjectId): Promise<void> {
    await this.storage.bumpTokenGeneration(userId);
    this.forgetUser(userId.toHexString());
  }
}

/** The `exp` of a token already verified (no signature check here). */
export function tokenExpiry(token: string): Date {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    exp?: number;
  };
  return new Date((payload.exp ?? 0) * 1000);
}
