import { z } from 'zod';
import { OBJECT_ID_PATTERN } from '../shared/limits';
import { badRequest, type FieldError } from './problem';

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** Parses one part of a request against its schema; a mismatch is a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw badRequest(`The request ${part} is invalid.`, fieldErrors(result.error));
  return result.data;
}

export const objectIdString = z
  .string()
  .regex(OBJECT_ID_PATTERN, 'must be a 24-character hex id')
  .meta({ description: 'A 24-character hex id.' });

/** True for a well-formed database id. */
export function isObjectIdString(value: string): boolean {
  return OBJECT_ID_PATTERN.test(value);
}

/** A moment as answers carry it: ISO 8601 in UTC (`Date.toISOString()`). */
export const isoDateTime = z.iso.datetime();

/** `?limit=` as a whole number from 1 to `max`, `fallback` when absent. */
export function limitQuery(max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);
}
