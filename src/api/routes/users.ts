// User routes (KernelCI-compatible): login, whoami, password changes, profiles, admin user management,
// token minting, logout and revocation. Invites: ./invites.ts; registration and password reset: ./account.ts.
import type { FastifyRequest } from 'fastify';
import { ADMIN_SCOPE, tokenExpiry, type MintedToken } from '../../users/tokens';
import { toPublicUser, type UserDoc } from '../../users/types';
import { parseObjectId, type UserUpdate } from '../../users/store';
import { bearerToken, requireAdmin, requireUser, USER_ONLY_SCOPE } from '../auth';
import type { ApiContext } from '../context';
import { badRequest, forbidden } from '../errors';
import { BEARER, DETAIL, ID_PARAMS, PAGE_QUERY_PROPS, page, type PageQuery } from '../schemas/common';
import { EMAIL, GROUP_NAME, newPassword, SCOPE, TOKEN, USER, USERNAME } from '../schemas/users';
import type { RoutePlugin } from './plugin';

/** Longest lifetime of a token an admin mints for another user (a lab's worker token): one year. */
const ADMIN_MINTED_MAX_LIFETIME = 366 * 86400;

const EXPIRES_IN_FORM = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,9}$',
  description: 'lifetime in seconds',
} as const;

/**
 * Mints a token within the configured lifetimes. No scope: the user's full powers (an admin's token does
 * admin work, as upstream's). `admin`: a short-lived token, only for superusers. `user`: narrowed to an
 * ordinary user's powers (opt-in).
 */
async function issueToken(
  ctx: ApiContext,
  user: UserDoc,
  scope: string | undefined,
  expiresIn?: number,
): Promise<MintedToken> {
  const admin = scope === ADMIN_SCOPE;
  if (admin && !user.is_superuser) throw forbidden('scope: the admin scope is only for superusers');
  const max = admin ? ctx.settings.adminTokenLifetime : ctx.settings.tokenLifetime;
  return ctx.tokens.mint(user, {
    scopes: admin ? [ADMIN_SCOPE] : scope === USER_ONLY_SCOPE ? [USER_ONLY_SCOPE] : [],
    expiresIn: Math.min(expiresIn ?? max, max),
  });
}

async function currentUser(ctx: ApiContext, request: FastifyRequest): Promise<UserDoc> {
  const principal = requireUser(request);
  return ctx.users.getOr404(principal.id);
}

export const userRoutes: RoutePlugin = async (app, { ctx }) => {
  app.post<{
    Body: { username: string; password: string; scope?: string; expires_in?: string };
  }>(
    '/user/login',
    {
      schema: {
        summary:
          'Log in with a form (username or e-mail, password) → {access_token, token_type}; scope=admin|user or expires_in also answer expires_at and scope',
        tags: ['users'],
        consumes: ['application/x-www-form-urlencoded'],
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1 },
            password: { type: 'string', minLength: 1 },
            scope: SCOPE,
            expires_in: EXPIRES_IN_FORM,
            // OAuth2 password-grant fields some clients always send.
            grant_type: { type: 'string' },
            client_id: { type: 'string' },
            client_secret: { type: 'string' },
          },
        },
        response: { 200: TOKEN },
      },
    },
    async (request) => {
      const { username, password, scope, expires_in } = request.body;
      const user = await ctx.users.authenticate(username, password);
      if (!user) throw badRequest('LOGIN_BAD_CREDENTIALS');
      const token = await issueToken(ctx, user, scope, expires_in ? Number(expires_in) : undefined);
      // Upstream answers exactly these two keys; expiry and scope only to a client that asked for them.
      if (scope === undefined && expires_in === undefined)
        return { access_token: token.access_token, token_type: token.token_type };
      return token;
    },
  );

  app.post<{ Body: { scope?: string; expires_in?: number } }>(
    '/user/token',
    {
      schema: {
        summary: 'Mint another token for the caller (shorter lifetime, or admin scope for a superuser)',
        tags: ['users'],
        security: BEARER,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { scope: SCOPE, expires_in: { type: 'integer', minimum: 1 } },
        },
        response: { 200: TOKEN },
      },
    },
    async (request) => {
      const user = await currentUser(ctx, request);
      // A narrowed token only mints narrowed tokens: narrowing must not be undone by the token itself.
      const narrowed = requireUser(request).scopes.includes(USER_ONLY_SCOPE);
      if (narrowed && request.body?.scope === ADMIN_SCOPE)
        throw forbidden(`scope: a token narrowed with scope=${USER_ONLY_SCOPE} cannot mint an admin token`);
      const scope = narrowed ? USER_ONLY_SCOPE : request.body?.scope;
      return issueToken(ctx, user, scope, request.body?.expires_in);
    },
  );

  app.post(
    '/user/logout',
    { schema: { summary: 'Revoke the token of this request', tags: ['users'], security: BEARER } },
    async (request, reply) => {
      const principal = requireUser(request);
      await ctx.tokens.revoke(principal.tokenId, principal.id, tokenExpiry(bearerToken(request)!));
      return reply.code(204).send();
    },
  );

  app.get(
    '/whoami',
    { schema: { summary: 'The calling user', tags: ['users'], security: BEARER, response: { 200: USER } } },
    async (request) => toPublicUser(await currentUser(ctx, request)),
  );

  app.post<{ Body: { username: string; password: string; new_password: string } }>(
    '/user/update-password',
    {
      schema: {
        summary: 'Change a password with the current credentials (form); every older token is revoked',
        tags: ['users'],
        consumes: ['application/x-www-form-urlencoded'],
        body: {
          type: 'object',
          required: ['username', 'password', 'new_password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1 },
            password: { type: 'string' },
            new_password: newPassword(ctx.settings.passwordMinLength),
          },
        },
        response: { 200: USER },
      },
    },
    async (request) => {
      const { username, password, new_password } = request.body;
      const user = await ctx.users.authenticate(username, password);
      if (!user) throw badRequest('LOGIN_BAD_CREDENTIALS');
      return toPublicUser(await ctx.users.setPassword(user._id, new_password));
    },
  );

  app.get(
    '/user/me',
    {
      schema: {
        summary: 'The calling user (same as /whoami)',
        tags: ['users'],
        security: BEARER,
        response: { 200: USER },
      },
    },
    async (request) => toPublicUser(await currentUser(ctx, request)),
  );

  app.patch<{ Body: { username?: string; email?: string; password?: string } }>(
    '/user/me',
    {
      schema: {
        summary: "Edit the caller's profile (username, email, password); groups and flags are admin-only",
        tags: ['users'],
        security: BEARER,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            username: USERNAME,
            email: EMAIL,
            password: newPassword(ctx.settings.passwordMinLength),
          },
        },
        response: { 200: USER },
      },
    },
    async (request) => {
      const user = await currentUser(ctx, request);
      return toPublicUser(await ctx.users.update(user._id, request.body));
    },
  );

  app.get<{ Querystring: PageQuery & { username?: string; email?: string; group?: string } }>(
    '/users',
    {
      schema: {
        summary: 'List users (filters: username, email, group)',
        tags: ['users'],
        security: BEARER,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...PAGE_QUERY_PROPS,
            username: { type: 'string' },
            email: { type: 'string' },
            group: { type: 'string' },
          },
        },
        response: { 200: page(USER) },
      },
    },
    async (request) => {
      requireUser(request);
      const { limit, offset, ...filter } = request.query;
      const { items, total } = await ctx.users.list(filter, limit, offset);
      return { items: items.map(toPublicUser), total, limit, offset };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/user/:id',
    {
      schema: {
        summary: 'One user',
        tags: ['users'],
        security: BEARER,
        params: ID_PARAMS,
        response: { 200: USER },
      },
    },
    async (request) => {
      requireUser(request);
      return toPublicUser(await ctx.users.getOr404(request.params.id));
    },
  );

  app.patch<{ Params: { id: string }; Body: UserUpdate }>(
    '/user/:id',
    {
      schema: {
        summary: 'Edit a user (admin): profile, groups (replaces the list), flags',
        tags: ['users'],
        security: BEARER,
        params: ID_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            username: USERNAME,
            email: EMAIL,
            password: newPassword(ctx.settings.passwordMinLength),
            groups: { type: 'array', items: GROUP_NAME },
            is_active: { type: 'boolean' },
            is_superuser: { type: 'boolean' },
            is_verified: { type: 'boolean' },
          },
        },
        response: { 200: USER },
      },
    },
    async (request) => {
      requireAdmin(request);
      const user = await ctx.users.getOr404(request.params.id);
      return toPublicUser(await ctx.users.update(user._id, request.body));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/user/:id',
    { schema: { summary: 'Delete a user (admin)', tags: ['users'], security: BEARER, params: ID_PARAMS } },
    async (request, reply) => {
      requireAdmin(request);
      await ctx.users.delete(parseObjectId(request.params.id));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: { expires_in?: number } }>(
    '/user/:id/token',
    {
      schema: {
        summary: 'Mint an everyday token for a user (admin): a lab or service user without a password',
        tags: ['users'],
        security: BEARER,
        params: ID_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { expires_in: { type: 'integer', minimum: 1, maximum: ADMIN_MINTED_MAX_LIFETIME } },
        },
        response: { 200: TOKEN },
      },
    },
    async (request) => {
      const admin = requireAdmin(request);
      const user = await ctx.users.getOr404(request.params.id);
      if (!user.is_active) throw badRequest(`id: user ${user.username} is not active`);
      const token = await ctx.tokens.mint(user, {
        expiresIn: request.body.expires_in ?? ctx.settings.tokenLifetime,
      });
      request.log.info(
        { for_user: user.username, by: admin.username, expires_at: token.expires_at },
        'token minted by an admin',
      );
      return token;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/user/:id/revoke-tokens',
    {
      schema: {
        summary: 'Revoke every token of a user (admin); the user can log in again',
        tags: ['users'],
        security: BEARER,
        params: ID_PARAMS,
        response: { 200: DETAIL },
      },
    },
    async (request) => {
      requireAdmin(request);
      const user = await ctx.users.getOr404(request.params.id);
      await ctx.users.revokeAllTokens(user._id);
      return { detail: `revoked every token of user ${user.username}` };
    },
  );
};
