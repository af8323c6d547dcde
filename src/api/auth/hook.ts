// The onRequest hook resolving `Authorization: Bearer <JWT>` into request.principal. No header:
// anonymous. A header that does not check out (malformed, forged, expired, revoked, inactive user): 401,
// on every route, so a client never silently continues as anonymous with a dead token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TokenError, type TokenService } from '../../users/tokens';
import { unauthorized } from '../errors';
import type { Principal } from './principal';

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Authorization: expected "Bearer <token>"');
  return m[1];
}

export function installAuthHook(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const token = bearerToken(request);
    if (token === null) return;
    try {
      const { user, scopes, tokenId } = await tokens.verify(token);
      const principal: Principal = {
        id: user._id.toHexString(),
        username: user.username,
        email: user.email,
        groups: user.groups,
        isSuperuser: user.is_superuser,
        scopes,
        tokenId,
      };
      request.principal = principal;
      // Every later log line of this request names who made it.
      request.log = request.log.child({ user: principal.username });
      reply.log = request.log;
    } catch (err) {
      if (err instanceof TokenError) throw unauthorized(err.message);
      throw err;
    }
  });
}
