import type { Config } from '../config/config';
import { badRequest } from '../http/problem';
import type { Logger } from '../logging/logger';
import { createMailer, type Mailer, type MailMessage } from '../mail/mailer';
import { canonicalMailbox } from './mailbox';
import { checkReturnTo } from './returnTo';
import { countThrottleEvent, type ThrottleRule } from './throttle';

/** Account mail (links to sign in, verify, reset, change address), under one per-inbox cap. */
export interface AccountMail {
  /**
   * Sends unless the inbox already had EMAIL_LINK_MAX_PER_ADDRESS account mails in the window (so no one
   * can mail-bomb it), counted on the canonical mailbox so that `+tag` and dotted variants share one count.
   * Returns false when the cap held the mail back.
   */
  sendCapped(message: MailMessage): Promise<boolean>;
  mailer: Mailer;
}

export function createAccountMail(config: Config, logger: Logger): AccountMail {
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, production: config.NODE_ENV === 'production' }, logger);
  const rule: ThrottleRule = { bucket: 'mail-address', max: config.EMAIL_LINK_MAX_PER_ADDRESS, windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS };
  return {
    mailer,
    async sendCapped(message) {
      if ((await countThrottleEvent(canonicalMailbox(message.to), rule)) > rule.max) return false;
      await mailer.send(message);
      return true;
    },
  };
}

/** Where emailed links point: the article page that asked (checked against the site), else the service. */
export async function linkBase(publicUrl: string, target: { siteId?: string; returnTo?: string }): Promise<string> {
  if (!target.returnTo && !target.siteId) return `${publicUrl}/`;
  // The moderator console, on this service's own origin.
  if (!target.siteId && target.returnTo === `${publicUrl}/moderate`) return target.returnTo;
  if (!target.returnTo || !target.siteId) throw badRequest('siteId and returnTo go together.');
  return (await checkReturnTo(target.siteId, target.returnTo)).url;
}
