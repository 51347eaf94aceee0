/**
 * Connections to Redis with bounded patience. ioredis retries forever by
 * default, so a wrong URL would hang a coordinator or a worker silently; here
 * the first connection must answer PING within `timeoutMs` (default 5 s) or the
 * caller gets a QueueError naming the URL. After that, a connection that drops
 * retries for up to `reconnectForMs` (default 60 s) and then ends, and users of
 * `openRedis` learn of it through `onLost`.
 */
import { Redis } from 'ioredis';
import { QueueError } from './errors.js';

export interface RedisOptions {
  /** Time to the first PONG. */
  timeoutMs?: number;
  /** How long a dropped connection keeps retrying before it gives up. */
  reconnectForMs?: number;
  /** BullMQ's blocking connections need `null` (retry each command until reconnected). */
  maxRetriesPerRequest?: number | null;
  onLost?: (error: QueueError) => void;
}

export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueError('queue-redis-url', `"${url}" is not a Redis URL`, 'write it as redis://HOST:PORT (rediss:// for TLS)', 2);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueError('queue-redis-url', `"${url}" is not a Redis URL (protocol ${parsed.protocol})`, 'write it as redis://HOST:PORT (rediss:// for TLS)', 2);
  }
  return parsed;
}

/** The URL without a password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export async function openRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  parseRedisUrl(url);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const reconnectForMs = options.reconnectForMs ?? 60_000;
  let connected = false;
  let gaveUp = false;
  let downSince = 0;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: Math.min(timeoutMs, 10_000),
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 1 : options.maxRetriesPerRequest,
    enableOfflineQueue: true,
    retryStrategy: () => {
      if (!connected) return null;
      downSince ||= Date.now();
      gaveUp = Date.now() - downSince > reconnectForMs;
      return gaveUp ? null : 250;
    },
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError = error));
  redis.on('ready', () => (downSince = 0));
  const unreachable = (why: string) =>
    new QueueError('queue-redis-unreachable', `cannot reach Redis at ${redactUrl(url)}: ${why}`, 'start it (redis-server --port 6379 --bind 127.0.0.1) or pass the right --redis redis://HOST:PORT', 1, lastError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => (timer = setTimeout(() => reject(unreachable(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } catch (error) {
    redis.disconnect();
    throw error instanceof QueueError ? error : unreachable((error as Error).message || (lastError?.message ?? 'connection refused'));
  } finally {
    clearTimeout(timer);
  }
  connected = true;
  // 'end' also follows our own disconnect(); only a connection that gave up retrying is lost.
  redis.on('end', () => gaveUp && options.onLost?.(new QueueError('queue-redis-lost', `lost Redis at ${redactUrl(url)} for more than ${reconnectForMs / 1000} s`, 'restart Redis, then run the same command again: the run resumes', 1, lastError)));
  return redis;
}

/** Fails fast (with the URL in the message) when Redis does not answer. */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const redis = await openRedis(url, { timeoutMs });
  await redis.quit();
}
