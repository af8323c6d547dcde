// Who is calling: set on every request by the auth hook (null = anonymous).
import type { Actor } from '../../db/nodes/types';
import { forbidden, unauthorized } from '../errors';
import type { FastifyRequest } from 'fastify';

export interface Principal {
  id: string;
  username: string;
  email: string;
  groups: string[];
  isSuperuser: boolean;
  scopes: string[];
  tokenId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * Scope of a narrowed token (opt-in, `scope=user` on login or POST /user/token): a superuser's token that
 * may do only what an ordinary user may. Without it an admin's token does admin work, as upstream's do.
 */
export const USER_ONLY_SCOPE = 'user';

export const hasAdminScope = (p: Principal) => p.isSuperuser && !p.scopes.includes(USER_ONLY_SCOPE);

/** The caller, or 401 when anonymous. */
export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('not authenticated: send Authorization: Bearer <token>');
  return request.principal;
}

/** A superuser calling with a token not narrowed to `scope=user`, else 403 (401 when anonymous). */
export function requireAdmin(request: FastifyRequest): Principal {
  const p = requireUser(request);
  if (!p.isSuperuser) throw forbidden('admin only');
  if (!hasAdminScope(p)) {
    throw forbidden(`admin only: this token was narrowed with scope=${USER_ONLY_SCOPE}`);
  }
  return p;
}

/**
 * The writer the node write path sees. A superuser's admin powers over other users' nodes apply unless
 * the token was narrowed with `scope=user`.
 */
export function toActor(p: Principal): Actor {
  return { id: p.id, username: p.username, groups: p.groups, isSuperuser: hasAdminScope(p) };
}
