// Decoding (not verifying) a JWT for `kci user token-info`: only the server can verify its signature.
import { CliError } from './errors';

export interface TokenInfo {
  claims: Record<string, unknown>;
  /** ISO time of `exp`, or null when the token has none. */
  expires: string | null;
  expired: boolean;
  /** Human remaining lifetime, e.g. "29d 23h". */
  remaining: string | null;
}

export function decodeTokenClaims(token: string, now = Date.now()): TokenInfo {
  const parts = token.split('.');
  if (parts.length !== 3) throw new CliError('not a JWT: expected three dot-separated parts');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CliError('not a JWT: the claims are not base64url JSON');
  }
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  return {
    claims,
    expires: exp === null ? null : new Date(exp).toISOString(),
    expired: exp !== null && exp <= now,
    remaining: exp === null ? null : formatDuration(Math.max(0, exp - now)),
  };
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || (name === 's' && parts.length === 0)) parts.push(`${n}${name}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
