import { performance } from 'node:perf_hooks';
import { recordModerationDecision, recordModerationPhase } from '../../metrics/registry';
import { bannedWords } from './phases/bannedWords';
import { guest } from './phases/guest';
import { links } from './phases/links';
import { premoderation } from './phases/premoderation';
import { profanity } from './phases/profanity';
import { suspectWords } from './phases/suspectWords';
import type { ModerationContext, ModerationDecision, ModerationPhase, ModerationReason } from './types';

export { definePhase } from './types';
export type { ModerationContext, ModerationDecision, ModerationPhase, ModerationReason, TextRange } from './types';

/**
 * The phases, in order. Adding a rule is adding one file (a `definePhase` with its reason codes) and one
 * line here: the comment model's reason enum, the API document's `Reason` and the docs follow from this list.
 */
export const MODERATION_PHASES = [
  bannedWords,
  profanity,
  suspectWords,
  links,
  guest,
  premoderation,
] as const;

/** Reasons given outside the pipeline: readers' flags send a comment back to the queue. */
const OTHER_REASON_CODES = ['flagged'] as const;

export type ReasonCode = (typeof MODERATION_PHASES)[number]['codes'][number] | (typeof OTHER_REASON_CODES)[number];

/** Every reason code a comment may carry, phase by phase. */
export const REASON_CODES = [
  ...new Set<ReasonCode>([...MODERATION_PHASES.flatMap((phase) => phase.codes), ...OTHER_REASON_CODES]),
] as [ReasonCode, ...ReasonCode[]];

/**
 * Runs every phase over a new or edited comment. `rejected` ends the run at once; `pending` holds the
 * comment and lets later phases add their reasons; no opinion from any phase means `approved`.
 * Synchronous and free of I/O: word matchers are cached per site and word list version.
 */
export function moderateComment(context: ModerationContext, phases: readonly ModerationPhase[] = MODERATION_PHASES): ModerationDecision {
  const decision = runPhases(context, phases);
  recordModerationDecision(decision.status, decision.reasons.map((reason) => reason.code));
  return decision;
}

function runPhases(context: ModerationContext, phases: readonly ModerationPhase[]): ModerationDecision {
  const reasons: ModerationReason[] = [];
  let held = false;
  for (const phase of phases) {
    const started = performance.now();
    const result = phase(context);
    recordModerationPhase(phase.name || 'anonymous', (performance.now() - started) / 1000);
    if (!result) continue;
    if (result.status === 'rejected') return { status: 'rejected', reasons: result.reasons };
    reasons.push(...result.reasons);
    if (result.status === 'pending') held = true;
  }
  return { status: held ? 'pending' : 'approved', reasons };
}
