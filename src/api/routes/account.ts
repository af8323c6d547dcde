// Account routes upstream clients call besides login: `/user/register` (disabled, as upstream: users are
// invited) and the password reset by e-mail (`/user/forgot-password`, `/user/reset-password`).
import { PasswordResets } from '../../users/password-reset';
import { requireUser } from '../auth';
import { ApiError, forbidden } from '../errors';
import { publicBaseUrl } from './invites';
import { sendMail } from './mail';
import { DETAIL } from '../schemas/common';
import { EMAIL, tokenWithPassword } from '../schemas/users';
import type { RoutePlugin } from './plugin';

/** Upstream's answer to a registration (status and words), after its superuser check. */
export const REGISTRATION_DISABLED = 'User registration is disabled; use /user/invite instead.';

export const accountRoutes: RoutePlugin = async (app, { ctx }) => {
  const resets = new PasswordResets(ctx.storage.resetTokens, ctx.users, ctx.settings.passwordResetLifetime);

  app.post(
    '/user/register',
    {
      schema: {
        summary: 'Disabled, as upstream: 401 anonymous, 403 non-admin, else 404 (use POST /user/invite)',
        tags: ['users'],
        security: [{ bearer: [] }],
        response: { 404: DETAIL, 403: DETAIL, 401: DETAIL },
      },
    },
    async (request) => {
      const user = requireUser(request);
      // Upstream's superuser dependency answers exactly this body.
      if (!user.isSuperuser) throw forbidden('Forbidden');
      throw new ApiError(404, REGISTRATION_DISABLED);
    },
  );

  app.post<{ Body: { email: string } }>(
    '/user/forgot-password',
    {
      schema: {
        summary: 'Mail a password reset token to the active user with this e-mail (202 in every case)',
        tags: ['users'],
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: { email: EMAIL },
        },
        response: { 202: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const issued = await resets.issue(request.body.email.toLowerCase());
      if (issued) {
        const url = `${publicBaseUrl(ctx, request)}/latest/user/reset-password`;
        await sendMail(ctx, request, {
          to: issued.user.email,
          subject: 'KernelCI API password reset',
          text: [
            `Hello ${issued.user.username},`,
            '',
            'A password reset was asked for your KernelCI API account. Your reset token:',
            '',
            `  ${issued.token}`,
            '',
            `Send it with your new password: POST ${url} {"token": "...", "password": "..."}`,
            `It works once and expires at ${issued.expiresAt.toISOString()}.`,
            'If you did not ask for this, ignore this message.',
          ].join('\n'),
        });
      }
      // Same answer whether or not the address is known, so it tells nobody who has an account.
      return reply.code(202).send(null);
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/user/reset-password',
    {
      schema: {
        summary:
          'Set a new password with a reset token from the e-mail (works once); older tokens stop working',
        tags: ['users'],
        body: tokenWithPassword(ctx.settings.passwordMinLength),
        response: { 200: { type: 'null' }, 400: DETAIL },
      },
    },
    async (request) => {
      await resets.reset(request.body.token, request.body.password);
      return null;
    },
  );
};
