import { Types } from 'mongoose';
import { badRequest } from './problem';

/** An opaque cursor holding the last ObjectId of a page, for lists paged on `_id` alone. */
export function encodeIdCursor(id: Types.ObjectId | string): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeIdCursor(value: string): Types.ObjectId {
  const text = Buffer.from(value, 'base64url').toString('utf8');
  if (!/^[a-f0-9]{24}$/.test(text)) throw badRequest('The cursor is not valid; start again without one.', [{ path: 'cursor', message: 'not a cursor' }]);
  return new Types.ObjectId(text);
}
