import { z } from 'zod';

/**
 * Control characters (NUL among them) and the bidirectional marks, embeddings, overrides and isolates
 * (U+061C, U+200E-F, U+202A-E, U+2066-9): a name carrying them can hide or reverse text beside it
 * ("gnp.\u202Eexe" reads as "exe.png") or break what stores and logs it.
 */
const FORBIDDEN_IN_NAMES = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export function hasForbiddenNameCharacters(value: string): boolean {
  return FORBIDDEN_IN_NAMES.test(value);
}

/** A person's name as shown beside comments: display names and guest names alike. */
export function personName(maxLength: number): z.ZodType<string, string> {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(maxLength, `must be at most ${maxLength} characters`)
    .refine((v) => !hasForbiddenNameCharacters(v), 'must not contain control or bidirectional-override characters');
}

/** For names that come from elsewhere (Facebook profiles): the same characters, removed rather than refused. */
export function cleanExternalName(value: string, fallback = 'Reader'): string {
  const cleaned = value.replace(new RegExp(FORBIDDEN_IN_NAMES.source, 'gu'), '').trim();
  return (cleaned || fallback).slice(0, 50);
}
