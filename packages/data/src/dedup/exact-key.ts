/**
 * Normalised text key for exact dedup: NFKC, lowercase, whitespace runs collapsed to
 * one space, trimmed; hashed to 20 bytes (sha1, base64) so the seen-set stays small.
 */
import { hash } from 'node:crypto';
import { nfkc } from '../records/nfkc.js';

/**
 * Whitespace runs that are not already one plain space: a space followed by more
 * whitespace, or any other whitespace character with what follows it. Replacing only
 * these with ' ' equals `replace(/\s+/g, ' ')` but leaves the common single spaces
 * alone (that regex made one match per word: 5× slower on prose).
 */
const looseWhitespace = / \s+|[^\S ]\s*/g;

export function normalizeForDedup(text: string): string {
  return nfkc(text).toLowerCase().replace(looseWhitespace, ' ').trim();
}

export function exactKey(text: string): string {
  return hash('sha1', normalizeForDedup(text), 'base64');
}
