/**
 * Normalised text key for exact dedup: NFKC, lowercase, whitespace runs collapsed to
 * one space, trimmed; hashed to 20 bytes (sha1, base64) so the seen-set stays small.
 */
import { createHash } from 'node:crypto';
import { nfkc } from '../records/nfkc.js';

export function normalizeForDedup(text: string): string {
  return nfkc(text).toLowerCase().replace(/\s+/g, ' ').trim();
}

export function exactKey(text: string): string {
  return createHash('sha1').update(normalizeForDedup(text)).digest('base64');
}
