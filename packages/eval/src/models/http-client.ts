/**
 * JSON-over-HTTP with the manners a shared endpoint needs: at most
 * `concurrency` requests in flight, a token-bucket rate limit, a per-attempt
 * timeout, and retries with exponential backoff (full jitter in [½, 1] of the
 * step, `Retry-After` honoured) on 429, 5xx, timeouts and dropped connections.
 * Other 4xx answers are the caller's fault and fail at once.
 */
import { EvalError } from '../errors.js';
import { Semaphore } from '../util/pool.js';
import { TokenBucket } from '../util/token-bucket.js';

export interface HttpClientOptions {
  baseUrl: string;
  apiKey?: string;
  concurrency: number;
  maxRetries: number;
  /** First backoff step (ms); step n waits retryBaseMs · 2^n, capped at retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  rateLimit?: { requestsPerSecond: number; burst: number };
}

export interface HttpStats {
  requests: number;
  retries: number;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, retries: 0 };
  private readonly semaphore: Semaphore;
  private readonly bucket?: TokenBucket;

  constructor(private readonly options: HttpClientOptions) {
    this.semaphore = new Semaphore(options.concurrency);
    if (options.rateLimit) this.bucket = new TokenBucket({ ratePerSecond: options.rateLimit.requestsPerSecond, burst: options.rateLimit.burst });
  }

  async postJson(path: string, body: unknown): Promise<unknown> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}${path}`;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.semaphore.run(async () => {
          await this.bucket?.acquire();
          return this.attempt(url, body);
        });
      } catch (error) {
        if (!(error instanceof RetryableError)) throw error;
        if (attempt >= this.options.maxRetries) {
          throw new EvalError(
            'eval-model-request',
            `POST ${url} failed after ${attempt + 1} attempts: ${error.message}`,
            'check that the endpoint is up; raise maxRetries or lower concurrency/rateLimit if it is overloaded',
            1,
            error,
          );
        }
        this.stats.retries++;
        const step = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** attempt);
        const wait = Math.max(step * (0.5 + Math.random() / 2), error.retryAfterMs ?? 0);
        await new Promise((resolveWait) => setTimeout(resolveWait, wait));
      }
    }
  }

  private async attempt(url: string, body: unknown): Promise<unknown> {
    this.stats.requests++;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new RetryableError(`${(error as Error).name === 'TimeoutError' ? 'timed out' : 'network error'}${cause ? ` (${cause})` : ''}: ${(error as Error).message}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new RetryableError(`connection dropped while reading the response: ${(error as Error).message}`);
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new RetryableError(`HTTP ${response.status}: ${text.slice(0, 200)}`, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : undefined);
    }
    if (!response.ok) {
      throw new EvalError('eval-model-request', `POST ${url}: HTTP ${response.status}: ${text.slice(0, 300)}`, 'check the model name, API key and request options in the model config', 1);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new EvalError('eval-model-response', `POST ${url}: the response is not JSON: ${text.slice(0, 200)}`, 'baseUrl must be an OpenAI-compatible API root, e.g. http://host:8000/v1', 1);
    }
  }
}
