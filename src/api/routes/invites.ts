// Invite routes (KernelCI-compatible): an admin invites a user, who accepts with a password. Upstream's
// options (`send_email`, `return_token`, `resend_if_exists`) and answer shape; the invite is mailed over
// SMTP when asked and a mail server is configured.
import type { FastifyRequest } from 'fastify';
import type { Invite } from '../../users/store';
import { toPublicUser, type UserDoc } from '../../users/types';
import { requireAdmin } from '../auth';
import type { ApiContext } from '../context';
import { conflict } from '../errors';
import { sendMail } from './mail';
import { EMAIL, GROUP_NAME, tokenWithPassword, USER, USERNAME } from '../schemas/users';
import type { RoutePlugin } from './plugin';

interface InviteBody {
  username: string;
  email: string;
  groups?: string[];
  is_superuser?: boolean;
  send_email: boolean;
  return_token: boolean;
  resend_if_exists: boolean;
}

export function publicBaseUrl(ctx: ApiContext, request: FastifyRequest): string {
  return (ctx.settings.publicApiUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

/** An existing user with this username or e-mail, when it may be invited again; else a 409. */
async function reinvitable(ctx: ApiContext, body: InviteBody): Promise<UserDoc | null> {
  const byName = await ctx.users.findByUsername(body.username);
  const byEmail = byName ?? (await ctx.users.list({ email: body.email }, 1, 0)).items[0] ?? null;
  if (!byEmail) return null;
  const field = byName ? 'username' : 'email';
  if (!body.resend_if_exists) throw conflict(`${field}: a user with this ${field} already exists`);
  if (byEmail.is_verified)
    throw conflict(`${field}: user ${byEmail.username} already accepted an invite (is verified)`);
  return byEmail;
}

function inviteText(user: UserDoc, inviteUrl: string, invite: Invite): string {
  return [
    `Hello ${user.username},`,
    '',
    'You have been invited to the KernelCI API. Set your password to accept the invite:',
    '',
    `  ${inviteUrl}`,
    '',
    `or run: kci user accept-invite --token ${invite.token}`,
    '',
    `The invite works once and expires at ${invite.expires_at.toISOString()}.`,
  ].join('\n');
}

export const inviteRoutes: RoutePlugin = async (app, { ctx }) => {
  app.post<{ Body: InviteBody }>(
    '/user/invite',
    {
      schema: {
        summary: 'Invite a user (admin): an unverified user and a single-use invite token, mailed on request',
        tags: ['users'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['username', 'email'],
          additionalProperties: false,
          properties: {
            username: USERNAME,
            email: EMAIL,
            groups: { type: 'array', items: GROUP_NAME },
            is_superuser: { type: 'boolean' },
            send_email: { type: 'boolean', default: true, description: 'mail the invite (needs SMTP)' },
            return_token: { type: 'boolean', default: false, description: 'answer the token and its URL' },
            resend_if_exists: {
              type: 'boolean',
              default: false,
              description: 'a user not yet verified gets a new invite instead of a 409',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              user: USER,
              email_sent: { type: 'boolean' },
              public_base_url: { type: 'string' },
              accept_invite_url: { type: 'string' },
              invite_url: { type: 'string' },
              token: { type: 'string' },
              expires_at: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      const body = request.body;
      const existing = await reinvitable(ctx, body);
      const invite = existing
        ? await ctx.users.issueInvite(existing, ctx.settings.inviteLifetime)
        : await ctx.users.invite(
            {
              username: body.username,
              email: body.email,
              groups: body.groups,
              is_superuser: body.is_superuser,
            },
            ctx.settings.inviteLifetime,
          );
      const base = publicBaseUrl(ctx, request);
      const acceptInviteUrl = `${base}/latest/user/accept-invite`;
      const inviteUrl = `${acceptInviteUrl}?token=${invite.token}`;
      const emailSent = body.send_email
        ? await sendMail(ctx, request, {
            to: invite.user.email,
            subject: 'KernelCI API invite',
            text: inviteText(invite.user, inviteUrl, invite),
          })
        : false;
      return {
        user: toPublicUser(invite.user),
        email_sent: emailSent,
        public_base_url: base,
        accept_invite_url: acceptInviteUrl,
        invite_url: body.return_token ? inviteUrl : undefined,
        token: body.return_token ? invite.token : undefined,
        expires_at: invite.expires_at.toISOString(),
      };
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
        body: tokenWithPassword(ctx.settings.passwordMinLength),
        response: { 200: USER },
      },
    },
    async (request) => toPublicUser(await ctx.users.acceptInvite(request.body.token, request.body.password)),
  );
};
