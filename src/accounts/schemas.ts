import { z } from 'zod';
import { objectIdString } from '../http/validate';
import { personName } from './names';
import { PASSWORD_MAX_LENGTH } from './passwords';
import { ROLES } from './user.model';

/* Requests. */

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));
const linkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be a link token');
const password = z.string().max(PASSWORD_MAX_LENGTH);
const currentPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH).optional();
const returnTarget = {
  siteId: objectIdString.optional().meta({ description: 'With returnTo: the site whose page emailed links lead back to.' }),
  returnTo: z.string().max(2000).optional().meta({ description: "An URL on one of the site's origins." }),
};

export const registerBody = z.strictObject({ email, password, displayName: personName(50), ...returnTarget });
export const loginBody = z.strictObject({ email, password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });
export const emailLinkBody = z.strictObject({ email, ...returnTarget });
export const tokenBody = z.strictObject({ token: linkToken });
export const facebookStartQuery = z.strictObject({ siteId: objectIdString, returnTo: z.string().min(1).max(2000) });
export const facebookCallbackQuery = z.looseObject({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});
export const resetRequestBody = z.strictObject({ email });
export const resetConfirmBody = z.strictObject({ token: linkToken, password });
export const profilePatch = z
  .strictObject({
    displayName: personName(50),
    notifyReplies: z.boolean().meta({ description: 'Mail me replies to all my comments.' }),
    notifyQueue: z.boolean().meta({ description: 'Moderators: mail me new items in my queues.' }),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field');
export const emailChangeBody = z.strictObject({ email, currentPassword });
export const passwordBody = z.strictObject({ password, currentPassword });
export const deleteBody = z.strictObject({ password: currentPassword }).optional();

/* Answers. */

export const userJsonSchema = z
  .object({
    id: objectIdString,
    displayName: z.string(),
    email: z.string().optional().meta({ description: 'Only to the user themself and to admins.' }),
    role: z.enum(ROLES),
    emailVerified: z.boolean(),
    banned: z.boolean(),
  })
  .meta({ id: 'User' });
export type UserJson = z.output<typeof userJsonSchema>;

export const sessionJsonSchema = z.object({ token: z.string(), user: userJsonSchema }).meta({ id: 'Session' });
export type SessionJson = z.output<typeof sessionJsonSchema>;

/** The signed-in user as `PATCH /me` answers: with the mail preferences. */
export const profileJsonSchema = userJsonSchema.extend({ notifyReplies: z.boolean(), notifyQueue: z.boolean() });

export const userEnvelopeSchema = z.object({ user: userJsonSchema });

/** `GET /me/export`: everything held about the caller, a download whose fields follow the stored data. */
export const accountExportSchema = z.looseObject({ exportedAt: z.string() });
