import { performance } from 'node:perf_hooks';
import { recordModerationDecision, recordModerationPhase } from '../../metrics/registry';
import { bannedWords } from './phases/bannedWords';
import { guest } from './phases/guest';
import { links } from './phases/links';
import { premoderation } from './phases/premoderation';
import { profanity } from './phases/profanity';
import { suspectWords } from './phases/suspectWords';
import type { ModerationContext, ModerationDecision, ModerationPhase, ModerationReason } from './types';

export type { ModerationContext, ModerationDecision, ModerationPhase, ModerationReason, TextRange } from './types';

/** The phases, in order. Adding a rule is adding one file and one line here. */
export const MODERATION_PHASES: readonly ModerationPhase[] = [
  bannedWords,
  profanity,
  suspectWords,
  links,
  guest,
  premoderation,
];

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
