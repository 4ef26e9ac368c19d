/**
 * Limits and vocabularies that both the server and the browser bundles (widget, console) read. Plain
 * constants with no imports, so that a bundle takes only what it uses.
 */

/** A database id: 24 hex characters. */
export const OBJECT_ID_PATTERN = /^[a-f0-9]{24}$/i;

/** A site's own key for an article page: a slug or URL-safe id. */
export const ARTICLE_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,200}$/;

/** The longest comment, counted after trimming. */
export const MAX_COMMENT_LENGTH = 5000;

/** A new site's edit window; each site's own comes with its thread pages (`editWindowSeconds`). */
export const DEFAULT_EDIT_WINDOW_SECONDS = 300;

/** Why a reader flags a comment, with the words readers and moderators see. */
export const FLAG_REASON_LABELS = {
  spam: 'Spam',
  abuse: 'Abusive or harassing',
  'off-topic': 'Off topic',
  other: 'Something else',
} as const;
export type FlagReason = keyof typeof FLAG_REASON_LABELS;
export const FLAG_REASONS = Object.keys(FLAG_REASON_LABELS) as [FlagReason, ...FlagReason[]];
