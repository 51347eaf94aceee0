import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChainlmError } from '@chainlm/core';

/**
 * Bearer API keys. Keys are compared as SHA-256 digests with timingSafeEqual, so the
 * comparison time depends neither on where a guess first differs nor on its length,
 * and every configured key is checked (no early exit that would reveal which matched).
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((key) => key.length > 0).map(digest);
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  /** The index of the matching key (for per-key rate limits), or -1. */
  match(authorization: string | undefined): number {
    const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1]?.trim();
    if (!token) return -1;
    const candidate = digest(token);
    let found = -1;
    this.digests.forEach((known, index) => {
      if (timingSafeEqual(known, candidate) && found === -1) found = index;
    });
    return found;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Reads an api-keys file: one key per line; blank lines and `#` comments ignored. */
export function readApiKeysFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ChainlmError('api-keys-file', `cannot read --api-keys file ${path}: ${(error as Error).message}`, { exitCode: 2 });
  }
  const keys = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0);
  if (keys.length === 0) throw new ChainlmError('api-keys-file', `--api-keys file ${path} holds no keys`, { hint: 'one key per line', exitCode: 2 });
  return keys;
}

/** Loopback hosts, where running without keys is allowed. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
