// User routes (KernelCI-compatible): login, whoami, invites, password changes, profiles, admin user
// management, token minting, logout and revocation.
import type { FastifyRequest } from 'fastify';
import { ADMIN_SCOPE, tokenExpiry, type MintedToken } from '../../users/tokens';
import { toPublicUser, type UserDoc } from '../../users/types';
import { parseObjectId, type UserUpdate } from '../../users/store';
import { bearerToken, requireAdmin, requireUser } from '../auth';
import type { ApiContext } from '../context';
import { badRequest, forbidden } from '../errors';
import { BEARER, DETAIL, ID_PARAMS, PAGE_QUERY_PROPS, page, type PageQuery } from '../schemas/common';
import { EMAIL, GROUP_NAME, NEW_PASSWORD, SCOPE, TOKEN, USER, USERNAME } from '../schemas/users';
import type { RoutePlugin } from './plugin';

/** Longest lifetime of a token an admin mints for another user (a lab's worker token): one year. */
const ADMIN_MINTED_MAX_LIFETIME = 366 * 86400;

const EXPIRES_IN_FORM = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,9}$',
  description: 'lifetime in seconds',
} as const;

/** Mints a token within the configured lifetimes; admin scope only for superusers and short-lived. */
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
    scopes: admin ? [ADMIN_SCOPE] : [],
    expiresIn: Math.min(expiresIn ?? max, max),
  });
}

async function currentUser(ctx: ApiContext, request: FastifyRequest): Promise<UserDoc> {
  const principal = requireUser(request);
  return ctx.users.getOr404(principal.id);
}

function publicBaseUrl(ctx: ApiContext, request: FastifyRequest): string {
  return (ctx.settings.publicApiUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

export const userRoutes: RoutePlugin = async (app, { ctx }) => {
  app.post<{
    Body: { username: string; password: string; scope?: string; expires_in?: string };
  }>(
    '/user/login',
    {
      schema: {
        summary: 'Log in with a form (username or e-mail, password); scope=admin mints an admin-scope token',
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
      return issueToken(ctx, user, scope, expires_in ? Number(expires_in) : undefined);
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
      return issueToken(ctx, user, request.body?.scope, request.body?.expires_in);
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

  app.post<{ Body: { username: string; email: string; groups?: string[]; is_superuser?: boolean } }>(
    '/user/invite',
    {
      schema: {
        summary: 'Invite a user (admin): creates an unverified user and a single-use invite token',
        tags: ['users'],
        security: BEARER,
        body: {
          type: 'object',
          required: ['username', 'email'],
          additionalProperties: false,
          properties: {
            username: USERNAME,
            email: EMAIL,
            groups: { type: 'array', items: GROUP_NAME },
            is_superuser: { type: 'boolean' },
            send_email: { type: 'boolean', description: 'accepted for compatibility; no e-mail is sent' },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              user: USER,
              token: { type: 'string' },
              invite_url: { type: 'string' },
              expires_at: { type: 'string' },
              email_sent: { type: 'boolean' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { username, email, groups, is_superuser } = request.body;
      const invite = await ctx.users.invite(
        { username, email, groups, is_superuser },
        ctx.settings.inviteLifetime,
      );
      const invite_url = `${publicBaseUrl(ctx, request)}/latest/user/accept-invite?token=${invite.token}`;
      return reply.code(201).send({
        user: toPublicUser(invite.user),
        token: invite.token,
        invite_url,
        expires_at: invite.expires_at.toISOString(),
        email_sent: false,
      });
    },
  );

  app.get<{ Querystring: { token: string } }>(
    '/user/accept-invite',
    {
      schema: {
        summary: 'Who an invite is for (the invite URL); accepting it is a POST to the same path',
        tags: ['users'],
        querystring: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              username: { type: 'string' },
              email: { type: 'string' },
              expires_at: { type: 'string' },
              detail: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => {
      const { user, expires_at } = await ctx.users.peekInvite(request.query.token);
      return {
        username: user.username,
        email: user.email,
        expires_at: expires_at.toISOString(),
        detail:
          'to accept, POST {"token": "...", "password": "..."} as JSON to this path (or run kci user accept-invite)',
      };
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/user/accept-invite',
    {
      schema: {
        summary: 'Accept an invite: set the password; the user becomes verified (the token works once)',
        tags: ['users'],
        body: {
          type: 'object',
          required: ['token', 'password'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1 }, password: NEW_PASSWORD },
        },
        response: { 200: USER },
      },
    },
    async (request) => toPublicUser(await ctx.users.acceptInvite(request.body.token, request.body.password)),
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
            new_password: NEW_PASSWORD,
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
          properties: { username: USERNAME, email: EMAIL, password: NEW_PASSWORD },
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
            password: NEW_PASSWORD,
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
