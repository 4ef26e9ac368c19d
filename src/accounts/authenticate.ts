import type { Request, RequestHandler } from 'express';
import { isValidObjectId } from 'mongoose';
import { forbidden, unauthorized } from '../http/problem';
import { InvalidTokenError, verifySessionToken } from './tokens';
import { sessionUser } from './sessionUsers';
import type { Role } from './user.model';

/** The signed-in user as every route sees it. */
export interface AuthUser {
  id: string;
  role: Role;
  displayName: string;
  email: string | null;
  emailVerified: boolean;
  /** When the account was made: flags from new accounts weigh less. */
  createdAt: Date;
  banned: boolean;
  moderatedSiteIds: string[];
  tokenVersion: number;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends AuthUser {}
  }
}

/** A timed ban that has run out no longer counts. */
export function isBanActive(user: { banned?: boolean | null; bannedUntil?: Date | null }, now = new Date()): boolean {
  if (!user.banned) return false;
  return !user.bannedUntil || user.bannedUntil.getTime() > now.getTime();
}

/** The session view of a stored user. */
export function toAuthUser(user: {
  _id: unknown;
  role: Role;
  displayName: string;
  email?: string | null;
  emailVerified?: boolean | null;
  createdAt?: Date | null;
  banned?: boolean | null;
  bannedUntil?: Date | null;
  moderatedSiteIds?: unknown[] | null;
  tokenVersion: number;
}): AuthUser {
  return {
    id: String(user._id),
    role: user.role,
    displayName: user.displayName,
    email: user.email ?? null,
    emailVerified: Boolean(user.emailVerified),
    createdAt: user.createdAt ?? new Date(0),
    banned: isBanActive(user),
    moderatedSiteIds: (user.moderatedSiteIds ?? []).map(String),
    tokenVersion: user.tokenVersion,
  };
}

function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
  return match[1];
}

/**
 * Reads the bearer token, if any, and loads its user: remembered in process until a change to the user
 * is heard, so that logout and bans (which bump tokenVersion) end existing sessions at once here and
 * within a second on other instances (see sessionUsers.ts).
 */
export function authenticate(secret: string): RequestHandler {
  const signIn: RequestHandler = async (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) {
      next();
      return;
    }
    let claims;
    try {
      claims = verifySessionToken(token, secret);
    } catch (err) {
      throw unauthorized(err instanceof InvalidTokenError ? err.message : 'The session token is not valid.');
    }
    if (!isValidObjectId(claims.sub)) throw unauthorized('The session token is not valid.');
    const user = await sessionUser(claims.sub);
    if (!user || user.tokenVersion !== claims.ver) throw unauthorized('This session has ended; sign in again.');
    req.user = toAuthUser(user);
    next();
  };
  // Anonymous readers (most requests) pass without a promise.
  return (req, res, next) => {
    if (!req.headers.authorization) {
      next();
      return;
    }
    return signIn(req, res, next);
  };
}

export const requireUser: RequestHandler = (req, _res, next) => {
  if (!req.user) throw unauthorized();
  next();
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) throw unauthorized();
    if (!roles.includes(req.user.role)) throw forbidden(`This needs the ${roles.join(' or ')} role.`);
    next();
  };
}

/** The signed-in user, for handlers placed behind requireUser. */
export function currentUser(req: Request): AuthUser {
  if (!req.user) throw unauthorized();
  return req.user;
}

/** Admins moderate every site; moderators only those assigned to them. */
export function canModerateSite(user: AuthUser, siteId: string): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'moderator' && user.moderatedSiteIds.includes(siteId);
}
