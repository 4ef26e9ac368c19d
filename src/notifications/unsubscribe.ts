import { createHmac } from 'node:crypto';
import { sameSecret } from '../accounts/secretTokens';

export const UNSUBSCRIBE_SCOPES = ['replies', 'queue'] as const;
export type UnsubscribeScope = (typeof UNSUBSCRIBE_SCOPES)[number];

/** The link's signature: only the service can make one, and it names one user and one kind of mail. */
export function unsubscribeSignature(secret: string, userId: string, scope: UnsubscribeScope): string {
  return createHmac('sha256', `unsubscribe:${secret}`).update(`${userId}:${scope}`).digest('base64url');
}

export function verifyUnsubscribe(secret: string, userId: string, scope: UnsubscribeScope, signature: string): boolean {
  return sameSecret(unsubscribeSignature(secret, userId, scope), signature);
}

/** A link that works without signing in (List-Unsubscribe, RFC 8058 one-click). */
export function unsubscribeUrl(publicUrl: string, secret: string, userId: string, scope: UnsubscribeScope): string {
  const url = new URL(`${publicUrl}/notifications/unsubscribe`);
  url.searchParams.set('u', userId);
  url.searchParams.set('s', scope);
  url.searchParams.set('sig', unsubscribeSignature(secret, userId, scope));
  return url.toString();
}
