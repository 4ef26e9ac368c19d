import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from './user.model';

/** The only algorithm accepted; tokens signed otherwise (or `none`) are refused. */
export const JWT_ALGORITHM = 'HS256';
const ISSUER = 'threadline';

export interface SessionClaims {
  sub: string;
  role: Role;
  /** The user's tokenVersion when the token was issued. */
  ver: number;
}

export function signSessionToken(claims: SessionClaims, secret: string, ttlSeconds: number): string {
  return jwt.sign({ role: claims.role, ver: claims.ver }, secret, {
    algorithm: JWT_ALGORITHM,
    subject: claims.sub,
    issuer: ISSUER,
    expiresIn: ttlSeconds,
    // Unique per token, so a session refreshed within the same second still gets a new token.
    jwtid: randomUUID(),
  });
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'The session has expired; sign in again.' : 'The session token is not valid.');
  }
}

/**
 * The secret as a key object, made once: handed a string, jsonwebtoken first tries to read it as a
 * public key and fails (about a millisecond of CPU, thrown and caught) on every verification.
 */
let secretKey: { secret: string; key: KeyObject } | null = null;
function keyOf(secret: string): KeyObject {
  if (secretKey?.secret !== secret) secretKey = { secret, key: createSecretKey(Buffer.from(secret)) };
  return secretKey.key;
}

export function verifySessionToken(token: string, secret: string): SessionClaims {
  try {
    const payload = jwt.verify(token, keyOf(secret), { algorithms: [JWT_ALGORITHM], issuer: ISSUER });
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.ver !== 'number') {
      throw new InvalidTokenError('invalid');
    }
    return { sub: payload.sub, role: payload.role as Role, ver: payload.ver };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof jwt.TokenExpiredError) throw new InvalidTokenError('expired');
    throw new InvalidTokenError('invalid');
  }
}
