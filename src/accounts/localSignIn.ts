import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { emailIdentity } from './accountService';
import { verifyAgainstDummy, verifyPassword } from './passwords';
import { IdentityModel, UserModel } from './user.model';

/** Checks an email and password; unknown addresses cost the same argon2 work as wrong passwords. */
async function checkCredentials(email: string, password: string): Promise<string | null> {
  const identity = await IdentityModel.findById(emailIdentity(email)).lean();
  // An unknown address still makes the user lookup (of an id that cannot exist) so both paths take the same round trips.
  const user = await UserModel.findById(identity?.userId ?? new Types.ObjectId()).select('+passwordHash').lean();
  if (!user?.passwordHash) return verifyAgainstDummy(password).then(() => null);
  return (await verifyPassword(user.passwordHash, password)) ? String(user._id) : null;
}

export function createLocalPassport(): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false }, (email, password, done) => {
      checkCredentials(email, password).then(
        (userId) => done(null, userId ? ({ id: userId } as Express.User) : false),
        (err: unknown) => done(err),
      );
    }),
  );
  return passport;
}

/** The id of the user whose credentials are in the (already validated) body, or null. */
export function authenticateLocal(passport: InstanceType<typeof Passport>, req: Request, res: Response): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const handler = passport.authenticate('local', { session: false }, (err: unknown, user: Express.User | false | null) => {
      if (err) reject(err instanceof Error ? err : new Error('sign-in failed'));
      else resolve(user ? user.id : null);
    }) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
    handler(req, res, (err) => reject(err instanceof Error ? err : new Error('sign-in failed')));
  });
}
