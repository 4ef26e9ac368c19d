import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logging/logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface Mailer {
  /** True when a message was handed to the SMTP server; false when mail is disabled or the server refused it. */
  send(message: MailMessage): Promise<boolean>;
}

/**
 * Sends over SMTP_URL. Without SMTP_URL mail is dropped with a log line that names neither the
 * recipient's link nor the body, because those carry sign-in secrets.
 */
export function createMailer(options: { smtpUrl?: string; from: string; production: boolean }, logger: Logger): Mailer {
  let transport: Transporter | null = null;
  return {
    async send(message) {
      if (!options.smtpUrl) {
        const level = options.production ? 'error' : 'warn';
        logger[level]({ subject: message.subject }, 'mail is disabled (SMTP_URL is not set); message dropped');
        return false;
      }
      transport ??= nodemailer.createTransport(options.smtpUrl);
      try {
        await transport.sendMail({ from: options.from, ...message });
        return true;
      } catch (err) {
        // The error text from nodemailer may echo the envelope, never the body; keep only its code.
        const code = err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'unknown';
        logger.error({ code, subject: message.subject }, 'mail could not be sent');
        return false;
      }
    },
  };
}
