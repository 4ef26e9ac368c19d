import type { CommentStatus } from '../../comments/comment.model';
import type { ReasonCode } from './index';
import type { Role } from '../../accounts/user.model';
import type { SiteSettings } from '../../sites/site.model';

/** Everything a moderation phase may look at when a comment is created or edited. */
export interface ModerationContext {
  site: { id: string; settings: SiteSettings; wordListVersion: number };
  author: {
    /** null for guests. */
    id: string | null;
    role: Role | 'guest';
    /** Whether this author already has an approved comment (the first-comment rule). */
    hasApprovedComment: boolean;
    /** The sites a moderator moderates: the staff exemption applies on these only. Absent: none. */
    moderatedSiteIds?: readonly string[];
    /** A guest's website: shown as a link, so it counts toward the link limit. */
    website?: string | null;
  };
  body: string;
  isEdit: boolean;
}

/** Where a listed word was found: UTF-16 offsets into the comment body, end exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

export interface ModerationReason<Code extends string = ReasonCode> {
  code: Code;
  detail?: string;
  /** For word reasons (profanity, banned-word, suspect-word): every matched range, so a moderator sees exactly what matched. */
  matches?: TextRange[];
}

/** What the pipeline decided, with every reason that led there. */
export interface ModerationDecision {
  status: Extract<CommentStatus, 'approved' | 'pending' | 'rejected'>;
  reasons: ModerationReason[];
}

/** A phase's opinion: nothing, or reasons and, optionally, a status. */
export type PhaseResult<Code extends string> = { status?: 'pending' | 'rejected'; reasons: ModerationReason<Code>[] } | void;

/**
 * One step of the pipeline. It returns nothing when it has no opinion, or reasons and, optionally,
 * a status; `rejected` ends the run at once, `pending` holds the comment but lets later phases add reasons.
 * It names the reason codes it may give: the comment model, the API document and the docs take the
 * list of codes from the phases (src/moderation/pipeline/index.ts).
 */
export interface ModerationPhase<Code extends string = ReasonCode> {
  (context: ModerationContext): PhaseResult<Code>;
  readonly codes: readonly Code[];
}

/** A phase: its name (for metrics), the reason codes it gives, and what it does. */
export function definePhase<const Code extends string>(spec: {
  name: string;
  codes: readonly Code[];
  run: (context: ModerationContext) => PhaseResult<Code>;
}): ModerationPhase<Code> {
  const phase = (context: ModerationContext): PhaseResult<Code> => spec.run(context);
  Object.defineProperty(phase, 'name', { value: spec.name });
  return Object.assign(phase, { codes: spec.codes });
}
