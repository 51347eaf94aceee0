/**
 * The console's error catalogue. Every error the API returns is
 * `{ error: { code, message, hint } }` with an HTTP status; errors thrown by the
 * packages (ChainlmError) keep their code and hint and get a status from it.
 */
import { ChainlmError } from '@chainlm/core';

export class ConsoleError extends ChainlmError {
  readonly status: number;

  constructor(code: string, status: number, message: string, hint?: string) {
    super(code, message, { hint, exitCode: status >= 500 ? 1 : 2 });
    this.name = 'ConsoleError';
    this.status = status;
  }
}

export const consoleErrors = {
  unauthorized: () =>
    new ConsoleError('console-unauthorized', 401, 'missing or wrong session token', 'open the URL `chainlm console` printed (it carries ?token=…), or send `Authorization: Bearer TOKEN`'),
  hostNotAllowed: (host: string) =>
    new ConsoleError('console-host-not-allowed', 403, `the console does not answer to the host name "${host.slice(0, 100)}"`, 'open it as localhost or by IP address, or start it with --allow-host NAME'),
  crossSite: (origin: string) =>
    new ConsoleError('console-cross-site', 403, `a request from another site (${origin.slice(0, 100)}) may not change anything here`, 'use the console page itself, or call the API without an Origin header (curl, scripts)'),
  notFound: (what: string, hint?: string) => new ConsoleError('console-not-found', 404, `${what} not found`, hint),
  badRequest: (field: string, message: string, hint?: string) => new ConsoleError('console-bad-request', 400, `${field}: ${message}`, hint),
  conflict: (message: string, hint?: string) => new ConsoleError('console-conflict', 409, message, hint),
  upstream: (url: string, message: string) =>
    new ConsoleError('console-upstream', 502, `the deployment at ${url} did not answer: ${message}`, 'check the deployment is running (Deployments page) and its log'),
  webNotBuilt: (folder: string) =>
    new ConsoleError('console-web-missing', 503, `the front end is not built (no ${folder}/index.html)`, 'run `npm run build -w apps/console`'),
};

/** HTTP status for any thrown value. */
export function statusOf(error: unknown): number {
  if (error instanceof ConsoleError) return error.status;
  if (error instanceof ChainlmError) {
    if (/not-found|missing|no-such|unknown-run/.test(error.code)) return 404;
    if (error.code === 'sql-access-denied' || error.code === 'path-outside-root') return 403;
    return error.exitCode === 2 ? 400 : 500;
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 ? status : 500;
}

export function errorBody(error: unknown): { error: { code: string; message: string; hint?: string } } {
  if (error instanceof ChainlmError) return { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
  const code = (error as { code?: unknown }).code;
  return { error: { code: typeof code === 'string' ? code : 'console-internal', message: error instanceof Error ? error.message : String(error) } };
}
