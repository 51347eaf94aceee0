/**
 * The server's error catalogue, in OpenAI's wire shape:
 *   { "error": { "message", "type", "param", "code" } }
 * Every error the server sends goes through `apiError`, so status, type and code
 * always agree.
 */
export const errorCatalogue = {
  invalidRequest: { status: 400, type: 'invalid_request_error', code: 'invalid_request' },
  contextLengthExceeded: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  unauthorized: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  forbidden: { status: 403, type: 'permission_error', code: 'forbidden' },
  modelNotFound: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  notFound: { status: 404, type: 'invalid_request_error', code: 'not_found' },
  rateLimited: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  queueFull: { status: 429, type: 'rate_limit_error', code: 'queue_full' },
  timeout: { status: 408, type: 'timeout_error', code: 'request_timeout' },
  shuttingDown: { status: 503, type: 'server_error', code: 'shutting_down' },
  upstreamUnavailable: { status: 502, type: 'server_error', code: 'upstream_unavailable' },
  /** The replica running the request stopped; the others still serve, so a retry can succeed. */
  replicaLost: { status: 503, type: 'server_error', code: 'replica_lost' },
  internal: { status: 500, type: 'server_error', code: 'internal_error' },
} as const;

export type ErrorKind = keyof typeof errorCatalogue;

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, message: string, options: { param?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return errorCatalogue[this.kind].status;
  }

  toBody(): OpenAIErrorBody {
    const entry = errorCatalogue[this.kind];
    return { error: { message: this.message, type: entry.type, param: this.param, code: entry.code } };
  }
}

export function apiError(kind: ErrorKind, message: string, param: string | null = null): ApiError {
  return new ApiError(kind, message, { param });
}
