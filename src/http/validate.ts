import { z } from 'zod';
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

export const objectIdString = z.string().regex(/^[a-f0-9]{24}$/i, 'must be a 24-character hex id');
