/**
 * Normalised text key for exact dedup: NFKC, lowercase, whitespace runs collapsed to
 * one space, trimmed; hashed to 20 bytes (sha1, base64) so the seen-set stays small.
 */
import { createHash } from 'node:crypto';

export function normalizeForDedup(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function exactKey(text: string): string {
  return createHash('sha1').update(normalizeForDedup(text)).digest('base64');
}
