import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

export const PREMODERATION_MODES = ['none', 'first-comment', 'all'] as const;
export type PremoderationMode = (typeof PREMODERATION_MODES)[number];

export const DEFAULT_SITE_SETTINGS = {
  premoderation: 'none' as PremoderationMode,
  bannedWords: [] as string[],
  suspectWords: [] as string[],
  allowedPhrases: [] as string[],
  maxLinks: 2,
  editWindowSeconds: 300,
  maxDepth: 8,
  flagThreshold: 3,
  allowGuests: false,
  /** Posting needs a confirmed email address (guests, having none, cannot post). */
  requireVerifiedEmail: false,
};

const settingsSchema = new Schema(
  {
    premoderation: { type: String, enum: PREMODERATION_MODES, default: DEFAULT_SITE_SETTINGS.premoderation },
    bannedWords: { type: [String], default: [] },
    suspectWords: { type: [String], default: [] },
    allowedPhrases: { type: [String], default: [] },
    maxLinks: { type: Number, default: DEFAULT_SITE_SETTINGS.maxLinks },
    editWindowSeconds: { type: Number, default: DEFAULT_SITE_SETTINGS.editWindowSeconds },
    maxDepth: { type: Number, default: DEFAULT_SITE_SETTINGS.maxDepth },
    flagThreshold: { type: Number, default: DEFAULT_SITE_SETTINGS.flagThreshold },
    allowGuests: { type: Boolean, default: DEFAULT_SITE_SETTINGS.allowGuests },
    requireVerifiedEmail: { type: Boolean, default: DEFAULT_SITE_SETTINGS.requireVerifiedEmail },
  },
  { _id: false },
);

/** A tenant: one news site or blog, its allowed browser origins and its moderation settings. */
const siteSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    origins: { type: [String], default: [] },
    settings: { type: settingsSchema, default: () => ({}) },
    /** Bumped whenever a word list changes, so cached matchers know to rebuild. */
    wordListVersion: { type: Number, default: 0 },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
siteSchema.index({ origins: 1 });

export type Site = InferSchemaType<typeof siteSchema>;
export type SiteDocument = HydratedDocument<Site>;
export type SiteSettings = typeof DEFAULT_SITE_SETTINGS;
export const SiteModel = model('Site', siteSchema);
