// Mail sent by routes (invites, password resets): delivered through the one SMTP transport. A route's
// answer never depends on the mail server: a failure is logged and reported as "not sent".
import type { FastifyRequest } from 'fastify';
import { createMailer, type MailMessage } from '../../mail/transport';
import type { ApiContext } from '../context';

/** Sends `message`; true when the server accepted it, false when no server is set or it failed. */
export async function sendMail(
  ctx: ApiContext,
  request: FastifyRequest,
  message: MailMessage,
): Promise<boolean> {
  if (!ctx.settings.smtpUrl) {
    request.log.warn({ subject: message.subject }, 'mail not sent: MAESTRO_SMTP_URL is not set');
    return false;
  }
  const mailer = createMailer(ctx.settings.smtpUrl, ctx.settings.mailFrom);
  try {
    const { accepted } = await mailer.send(message);
    return accepted.length > 0;
  } catch (err) {
    request.log.warn({ err, subject: message.subject }, 'mail not sent');
    return false;
  } finally {
    mailer.close();
  }
}
