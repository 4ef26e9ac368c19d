import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { createTestUser, type TestUser } from '../support/fixtures';
import type { WidgetStack } from './browserStack';
import { apiPost, apiVote, type CreatedComment } from './widgetHelpers';

/** An article with everything the widget draws: staff, the reader's own and held comments, long and deep threads. */
export interface RichThread {
  article: string;
  reader: TestUser;
  moderator: TestUser;
  neighbour: TestUser;
  staffComment: CreatedComment;
  neighbourComment: CreatedComment;
  busyComment: CreatedComment;
  chain: CreatedComment[];
}

export const HELD_WORD = 'sandbar';

export async function createRichThread(stack: WidgetStack, article: string): Promise<RichThread> {
  const reader = await createTestUser({ displayName: 'Rowan Reader' });
  const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [stack.siteId], displayName: 'Harbour Desk' });
  const neighbour = await createTestUser({ displayName: 'Quinn Neighbour' });
  const staffComment = await apiPost(stack, moderator, article, 'Welcome all. Please keep it kind; the ferry crew read these too.');
  const neighbourComment = await apiPost(
    stack,
    neighbour,
    article,
    '> eight crossings a day\n\nThat is more than last year. The timetable says `08:15` for the first one.',
  );
  await apiVote(stack, reader, neighbourComment.id, 1);
  const busyComment = await apiPost(stack, neighbour, article, 'Who else queued for the first crossing?');
  for (const [n, author] of [moderator, reader, moderator, neighbour, moderator].entries()) {
    await apiPost(stack, author, article, `Queue answer ${n + 1}: I was there before seven.`, busyComment.id);
  }
  const chain: CreatedComment[] = [];
  let parent = await apiPost(stack, reader, article, 'Start of a long back-and-forth about bicycles on board.');
  chain.push(parent);
  for (let depth = 1; depth <= 6; depth += 1) {
    parent = await apiPost(stack, depth % 2 ? neighbour : reader, article, `Bicycles, turn ${depth}.`, parent.id);
    chain.push(parent);
  }
  await apiPost(stack, reader, article, `Is the ${HELD_WORD} passable at low tide?`);
  return { article, reader, moderator, neighbour, staffComment, neighbourComment, busyComment, chain };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations inside the widget (its shadow root included), or inside `include`; WCAG 2 A and AA rules. */
export async function axeViolations(page: Page, include = '#comments'): Promise<{ id: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(
      { include: [[selector]] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] },
    );
    return result.violations.map((violation) => ({
      id: violation.id,
      nodes: violation.nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`),
    }));
  }, include);
}
