// Outgoing mail over SMTP (nodemailer): the one place that talks to a mail server. Callers build the
// message; this module only delivers it, and says plainly when no server is configured.
import nodemailer, { type Transporter } from 'nodemailer';
import { invalid } from '../errors';

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  /** Stable id (e.g. `<tree-report.NODEID@maestro>`), so a resent message is recognisable as the same. */
  messageId?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string; accepted: string[] }>;
  close(): void;
}

/** A mailer for `smtpUrl` (smtp:// or smtps://), sending as `from`. */
export function createMailer(smtpUrl: string | undefined, from: string): Mailer {
  if (!smtpUrl) throw invalid('MAESTRO_SMTP_URL: not set, so no mail can be sent');
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      return { messageId: info.messageId, accepted: (info.accepted ?? []).map(String) };
    },
    close: () => transport.close(),
  };
}
