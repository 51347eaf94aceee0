/**
 * HTTP GET limited to an allow-list of hosts. It is off unless a host list is given
 * (the builtin factory leaves it out otherwise). Redirects are followed by hand so a
 * redirect to a host outside the list is refused too; bodies are cut at `maxBytes`.
 */
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';

export interface HttpFetchOptions {
  /** Hostnames (optionally host:port) that may be fetched; `*.example.com` allows subdomains. */
  allowHosts: string[];
  maxBytes?: number;
  maxRedirects?: number;
}

const inputSchema = z.strictObject({ url: z.string().describe('http(s) URL to GET') });

export function hostAllowed(url: URL, allowHosts: string[]): boolean {
  return allowHosts.some((pattern) => {
    const target = pattern.includes(':') ? url.host : url.hostname;
    if (pattern.startsWith('*.')) return target.endsWith(pattern.slice(1));
    return target === pattern.toLowerCase();
  });
}

export function createHttpFetchTool(options: HttpFetchOptions) {
  if (options.allowHosts.length === 0) {
    throw new ToolError('host-not-allowed', 'http_fetch needs at least one allowed host', 'pass --allow-hosts example.com (fetching is off by default)');
  }
  const maxBytes = options.maxBytes ?? 200_000;
  return defineTool({
    name: 'http_fetch',
    description: `Fetches a web page or API by GET from these hosts only: ${options.allowHosts.join(', ')}.`,
    inputSchema,
    async call({ url }, context) {
      let target = parseUrl(url);
      for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop += 1) {
        if (!hostAllowed(target, options.allowHosts)) {
          throw new ToolError('host-not-allowed', `host "${target.host}" is not in the allow-list (${options.allowHosts.join(', ')})`, 'fetch only from the allowed hosts');
        }
        const response = await fetch(target, { redirect: 'manual', signal: context.signal }).catch((error: Error) => {
          throw new ToolError('http-error', `GET ${target.href} failed: ${error.message}`, 'check the URL; the host may be down');
        });
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          target = new URL(location, target);
          continue;
        }
        const text = await readLimited(response, maxBytes);
        if (!response.ok) throw new ToolError('http-error', `GET ${target.href} returned HTTP ${response.status}: ${text.slice(0, 200)}`);
        return { url: target.href, status: response.status, contentType: response.headers.get('content-type') ?? '', text, truncated: text.length >= maxBytes };
      }
      throw new ToolError('http-error', `GET ${url}: too many redirects`);
    },
  });
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolError('invalid-input', `url: "${text}" is not a URL`, 'write a full URL such as https://example.com/page');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ToolError('invalid-input', `url: only http and https are allowed, got ${url.protocol}`);
  return url;
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
