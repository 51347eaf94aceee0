/**
 * Bearer API keys, shared by every chainlm port (server, proxy, tool server, console).
 * Keys are compared as SHA-256 digests with timingSafeEqual, so the comparison time
 * depends neither on where a guess first differs nor on its length, and every
 * configured key is checked (no early exit that would reveal which one matched).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChainlmError } from '../errors.js';

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** The token of an `Authorization: Bearer TOKEN` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const token = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '')?.[1]?.trim();
  return token ? token : undefined;
}

export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((key) => key.length > 0).map(digest);
  }

  /** Whether any key is configured (requests must then carry one). */
  get required(): boolean {
    return this.digests.length > 0;
  }

  /** The index of the key an Authorization header carries (for per-key rate limits), or -1. */
  match(authorization: string | undefined): number {
    const token = bearerToken(authorization);
    if (token === undefined) return -1;
    const candidate = digest(token);
    let found = -1;
    this.digests.forEach((known, index) => {
      if (timingSafeEqual(known, candidate) && found === -1) found = index;
    });
    return found;
  }

  /** Whether the header carries one of the keys. */
  accepts(authorization: string | undefined): boolean {
    return this.match(authorization) >= 0;
  }
}

/** Reads a keys file: one key per line; blank lines and `#` comments ignored. */
export function readApiKeysFile(path: string, flag = '--api-keys'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ChainlmError('api-keys-file', `cannot read ${flag} file ${path}: ${(error as Error).message}`, { hint: 'give a file with one API key per line', exitCode: 2 });
  }
  const keys = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0);
  if (keys.length === 0) throw new ChainlmError('api-keys-file', `${flag} file ${path} holds no keys`, { hint: 'one key per line', exitCode: 2 });
  return keys;
}

export interface ApiKeySources {
  /** Keys given on the command line (`--api-key`, repeatable where the CLI allows). */
  keys?: readonly string[];
  /** A keys file (`--api-keys FILE`). */
  file?: string;
  /** An environment variable read only when no flag gave a key, e.g. CHAINLM_AGENT_API_KEY. */
  envName?: string;
  env?: NodeJS.ProcessEnv;
}

/** The keys a component accepts: flag keys plus the file's; the environment variable when neither was given. */
export function loadApiKeys(sources: ApiKeySources): string[] {
  const keys = [...(sources.keys ?? []).filter((key) => key.length > 0), ...(sources.file ? readApiKeysFile(sources.file) : [])];
  if (keys.length > 0 || !sources.envName) return keys;
  const fromEnv = (sources.env ?? process.env)[sources.envName];
  return fromEnv ? [fromEnv] : [];
}
