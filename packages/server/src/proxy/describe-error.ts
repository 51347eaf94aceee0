/** fetch's own message is "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a timeout…). */
export function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${(error as Error).message}: ${detail}` : (error as Error).message;
}
