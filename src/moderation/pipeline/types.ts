import type { CommentStatus, ReasonCode } from '../../comments/comment.model';
import type { Role } from '../../accounts/user.model';
import type { SiteSettings } from '../../sites/site.model';

/** Everything a moderation phase may look at when a comment is created or edited. */
export interface ModerationContext {
  site: { id: string; settings: SiteSettings; wordListVersion: number };
  author: {
    /** null for guests. */
    id: string | null;
    role: Role | 'guest';
    /** Approved comments this author already has (for the first-comment rule). */
    approvedCommentCount: number;
    /** A guest's website: shown as a link, so it counts toward the link limit. */
    website?: string | null;
    /** The sites a moderator moderates: the staff exemption applies on these only. Absent: none. */
    moderatedSiteIds?: readonly string[];
  };
  body: string;
  isEdit: boolean;
}

/** Where a listed word was found: UTF-16 offsets into the comment body, end exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

export interface ModerationReason {
  code: ReasonCode;
  detail?: string;
  /** For word reasons (profanity, banned-word, suspect-word): every matched range, so a moderator sees exactly what matched. */
  matches?: TextRange[];
}

/** What the pipeline decided, with every reason that led there. */
export interface ModerationDecision {
  status: Extract<CommentStatus, 'approved' | 'pending' | 'rejected'>;
  reasons: ModerationReason[];
}

/**
 * One step of the pipeline. It returns nothing when it has no opinion, or reasons and, optionally,
 * a status; `rejected` ends the run at once, `pending` holds the comment but lets later phases add reasons.
 */
export type ModerationPhase = (
  context: ModerationContext,
) => { status?: 'pending' | 'rejected'; reasons: ModerationReason[] } | void;
