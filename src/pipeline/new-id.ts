import { randomBytes } from 'node:crypto';

/** Sortable, unique ids: prefix, time (base 36, fixed width), random. */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}-${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}
