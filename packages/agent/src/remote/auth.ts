/** Bearer-key check in constant time: both sides are hashed to equal length, every key is compared. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1].trim();
}

export function keyMatches(presented: string | undefined, keys: readonly string[]): boolean {
  const presentedDigest = digest(presented ?? '');
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(presentedDigest, digest(key)) || matched;
  return matched && presented !== undefined;
}
