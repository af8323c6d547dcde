// Who is calling: set on every request by the auth hook (null = anonymous).
import type { Actor } from '../../db/nodes/types';
import { ADMIN_SCOPE } from '../../users/tokens';
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

export const hasAdminScope = (p: Principal) => p.isSuperuser && p.scopes.includes(ADMIN_SCOPE);

/** The caller, or 401 when anonymous. */
export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('not authenticated: send Authorization: Bearer <token>');
  return request.principal;
}

/** A superuser calling with an admin-scope token, else 403 (401 when anonymous). */
export function requireAdmin(request: FastifyRequest): Principal {
  const p = requireUser(request);
  if (!p.isSuperuser) throw forbidden('admin only');
  if (!p.scopes.includes(ADMIN_SCOPE)) {
    throw forbidden(
      'admin only: this token lacks the admin scope (log in with scope=admin or POST /user/token)',
    );
  }
  return p;
}

/**
 * The writer the node write path sees. A superuser's admin powers over other users' nodes apply only
 * with an admin-scope token, so an everyday token cannot edit someone else's node by accident.
 */
export function toActor(p: Principal): Actor {
  return { id: p.id, username: p.username, groups: p.groups, isSuperuser: hasAdminScope(p) };
}
