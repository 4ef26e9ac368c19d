import type { Reason, ReasonCode } from './api';

export interface Range {
  start: number;
  end: number;
}

/** Word reasons name their words in `detail` ("a, b"), until the filter gives exact offsets. */
const WORD_CODES = new Set<ReasonCode>(['profanity', 'banned-word', 'suspect-word']);

/**
 * The ranges of the body to mark: the filter's `matches` offsets when a reason has them, otherwise
 * every case-insensitive occurrence of the reason's detail words. Sorted and without overlaps.
 */
export function markRanges(body: string, reasons: Reason[]): Range[] {
  const ranges: Range[] = [];
  const lower = body.toLowerCase();
  for (const reason of reasons) {
    if (reason.matches?.length) {
      for (const m of reason.matches) if (m.start >= 0 && m.end <= body.length && m.start < m.end) ranges.push(m);
      continue;
    }
    if (!WORD_CODES.has(reason.code) || !reason.detail) continue;
    for (const word of reason.detail.split(/,\s*/)) {
      const needle = word.trim().toLowerCase();
      if (!needle) continue;
      for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
        ranges.push({ start: at, end: at + needle.length });
      }
    }
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Range[] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start < last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** The body as text nodes with <mark> around the ranges; never parses the text as HTML. */
export function markedBody(body: string, reasons: Reason[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const range of markRanges(body, reasons)) {
    if (range.start > at) fragment.append(body.slice(at, range.start));
    const mark = document.createElement('mark');
    mark.textContent = body.slice(range.start, range.end);
    fragment.append(mark);
    at = range.end;
  }
  if (at < body.length) fragment.append(body.slice(at));
  return fragment;
}
