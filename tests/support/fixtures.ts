import { randomUUID } from 'node:crypto';
import { signSessionToken } from '../../src/accounts/tokens';
import { UserModel, type Role } from '../../src/accounts/user.model';
import { SiteModel } from '../../src/sites/site.model';
import { testConfig } from './app';

export interface TestUser {
  id: string;
  token: string;
  email: string;
  displayName: string;
}

/** A user written straight to the database, with a valid session token. For tests of other features. */
export async function createTestUser(
  options: {
    role?: Role;
    displayName?: string;
    moderatedSiteIds?: string[];
    emailVerified?: boolean;
    /** How long ago the account was made; 30 days (established) unless a test wants a new account. */
    accountAgeDays?: number;
  } = {},
): Promise<TestUser> {
  const suffix = randomUUID().slice(0, 8);
  const email = `reader-${suffix}@example.test`;
  const displayName = options.displayName ?? `Reader ${suffix}`;
  const user = await UserModel.create({
    displayName,
    email,
    emailVerified: options.emailVerified ?? true,
    role: options.role ?? 'commenter',
    moderatedSiteIds: options.moderatedSiteIds ?? [],
  });
  // createdAt is immutable through the model, so the age is set on the collection directly.
  const createdAt = new Date(Date.now() - (options.accountAgeDays ?? 30) * 86_400_000);
  await UserModel.collection.updateOne({ _id: user._id }, { $set: { createdAt } });
  const config = testConfig();
  const token = signSessionToken(
    { sub: String(user._id), role: user.role, ver: user.tokenVersion },
    config.JWT_SECRET,
    config.JWT_TTL_SECONDS,
  );
  return { id: String(user._id), token, email, displayName };
}

/** A site written straight to the database. */
export async function createTestSite(
  settings: Record<string, unknown> = {},
  origins: string[] = ['https://news.example'],
): Promise<{ id: string }> {
  const site = await SiteModel.create({ name: `Site ${randomUUID().slice(0, 8)}`, origins, settings });
  return { id: String(site._id) };
}
