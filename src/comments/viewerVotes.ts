import { readVotesOf } from './store';

/** A comment of a page as JSON, with the viewer's own vote merged in. */
interface PageComment {
  id: string;
  viewerVote?: -1 | 1;
  replies?: PageComment[];
}

function collectIds(comments: PageComment[], into: string[]): string[] {
  for (const comment of comments) {
    into.push(comment.id);
    if (comment.replies) collectIds(comment.replies, into);
  }
  return into;
}

function applyVotes(comments: PageComment[], votes: Map<string, -1 | 1>): void {
  for (const comment of comments) {
    const vote = votes.get(comment.id);
    if (vote) comment.viewerVote = vote;
    if (comment.replies) applyVotes(comment.replies, votes);
  }
}

/**
 * Votes are per viewer, so they are never part of the cached public page: this merges one viewer's
 * votes into a page's JSON text after the cache, with one read of the vote documents by their keys.
 * A comment the viewer voted on gets `viewerVote` (1 or -1); the others stay as in the public page.
 * Returns the text and a short fingerprint of the votes, for the page's validator.
 */
export async function mergeViewerVotes(pageJson: string, viewerId: string): Promise<{ json: string; fingerprint: string }> {
  const page = JSON.parse(pageJson) as { comments: PageComment[] };
  const ids = collectIds(page.comments, []);
  const found = ids.length > 0 ? await readVotesOf(viewerId, ids) : [];
  const votes = new Map<string, -1 | 1>();
  for (const vote of found) if (vote.value === 1 || vote.value === -1) votes.set(String(vote.commentId), vote.value);
  applyVotes(page.comments, votes);
  const fingerprint = [...votes].map(([id, value]) => `${id.slice(-6)}${value > 0 ? '+' : '-'}`).sort().join('');
  return { json: JSON.stringify(page), fingerprint };
}
