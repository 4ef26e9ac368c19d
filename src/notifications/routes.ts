import express, { type Request, type Response, type Router } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { UserModel } from '../accounts/user.model';
import { setOnCommentsOfAuthor } from '../comments/store';
import type { AppContext } from '../context';
import { objectIdString } from '../http/validate';
import { documentedRouter, type OperationSpec } from '../openapi/declare';
import { UNSUBSCRIBE_SCOPES, verifyUnsubscribe, type UnsubscribeScope } from './unsubscribe';

const linkQuery = z.object({
  u: objectIdString,
  s: z.enum(UNSUBSCRIBE_SCOPES),
  sig: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/),
});

/** What a mail client posts (RFC 8058), or the page's button. */
const unsubscribeForm = z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() });

const WHAT: Record<UnsubscribeScope, string> = {
  replies: 'mails about replies to your comments',
  queue: 'mails about new items in your moderation queue',
};

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/embed/page.css"></head><body><main><h1>${title}</h1>${body}</main></body></html>`);
}

async function unsubscribe(userId: string, scope: UnsubscribeScope): Promise<void> {
  if (scope === 'replies') {
    await UserModel.updateOne({ _id: userId }, { $set: { notifyReplies: false } });
    await setOnCommentsOfAuthor(new Types.ObjectId(userId), { notifyReplies: false }, { notifyReplies: true });
  } else {
    await UserModel.updateOne({ _id: userId }, { $set: { notifyQueue: false } });
  }
}

/**
 * One-click unsubscribe without signing in (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` to
 * the List-Unsubscribe URL; a person opening the link gets a page with one button that does the same
 * POST (a GET changes nothing, so link scanners cannot unsubscribe anyone). The link is signed per user
 * and kind of mail.
 */
export function notificationRoutes({ config }: AppContext): Router {
  const api = documentedRouter('');
  const html = (description: string) => ({ description, contentType: 'text/html', schema: z.string() });
  const spec = (operationId: string, summary: string): OperationSpec => ({
    operationId,
    summary,
    tags: ['accounts'],
    query: linkQuery,
    responses: { 200: html('A page that says what happened.'), 403: html('The link is incomplete or was changed.') },
  });
  const checked = (req: Request, res: Response): { u: string; s: UnsubscribeScope } | null => {
    const query = linkQuery.safeParse(req.query);
    if (!query.success || !verifyUnsubscribe(config.JWT_SECRET, query.data.u, query.data.s, query.data.sig)) {
      page(res, 403, 'This link is not valid', '<p>The unsubscribe link is incomplete or was changed. Use the link from the latest mail.</p>');
      return null;
    }
    return query.data;
  };

  api.get(
    '/notifications/unsubscribe',
    spec('unsubscribePage', 'The page of an emailed unsubscribe link: one button that unsubscribes (a GET changes nothing).'),
    (req, res) => {
    const link = checked(req, res);
    if (!link) return;
    const action = `/notifications/unsubscribe?${new URLSearchParams({ u: link.u, s: link.s, sig: String(req.query.sig) }).toString()}`;
    page(
      res,
      200,
      'Unsubscribe',
      `<p>Stop ${WHAT[link.s]}?</p><form method="post" action="${action.replace(/&/g, '&amp;')}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  });

  api.post(
    '/notifications/unsubscribe',
    { ...spec('unsubscribe', 'One-click unsubscribe (RFC 8058) from one kind of mail, without signing in; the link is signed per user and kind.'), rawBody: { contentTypes: ['application/x-www-form-urlencoded'], schema: unsubscribeForm }, problems: [400, 413] },
    express.urlencoded({ extended: false, limit: '1kb' }), async (req, res) => {
    const link = checked(req, res);
    if (!link) return;
    await unsubscribe(link.u, link.s);
    req.log.info({ userId: link.u, scope: link.s }, 'unsubscribed from notification mails');
    page(res, 200, 'Unsubscribed', `<p>You will get no more ${WHAT[link.s]}. You can turn them on again in the comments.</p>`);
  });

  return api.router;
}
