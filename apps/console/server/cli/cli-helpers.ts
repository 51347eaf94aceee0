export { defineCommand, parseNameValue, UsageError } from '@chainlm/core';

export function isLoopbackHostName(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
