/**
 * The start-up guard every chainlm port shares: a server bound anywhere but loopback
 * must have API keys, unless the operator passed `--insecure-no-auth`, which is then
 * printed loudly on every start. The decision is made twice: on the host's resolved
 * addresses before binding (so a refused port is never opened), and on the addresses
 * the socket really bound after listen (the authority; the listener is closed again
 * if it fails).
 */
import { ChainlmError } from '../errors.js';
import { isLoopbackAddress, resolveBindAddresses } from './loopback.js';

export interface ExposureCheck {
  /** An IP the socket is (or would be) bound to, as `server.address().address` gives it. */
  boundAddress: string;
  hasKeys: boolean;
  insecureNoAuth?: boolean;
  /** Who is starting, for the message: `chainlm-serve`, `chainlm-serve proxy`, `tool server`, `console`. */
  component: string;
}

/** Throws `auth-exposed` when a non-loopback bind has no keys and no explicit --insecure-no-auth. */
export function assertExposureAllowed(check: ExposureCheck): void {
  if (check.hasKeys || check.insecureNoAuth || isLoopbackAddress(check.boundAddress)) return;
  throw new ChainlmError('auth-exposed', `${check.component}: refusing to serve on ${check.boundAddress}, which is not a loopback address, without API keys`, {
    hint: 'give an API key (--api-key KEY or --api-keys FILE), or bind to 127.0.0.1; --insecure-no-auth serves anyone who can reach the port',
    exitCode: 2,
  });
}

/** The warning printed on every start with --insecure-no-auth and no keys. */
export function insecureNoAuthWarning(component: string, address: string): string {
  const bar = '!'.repeat(78);
  return `${bar}\n!! WARNING: ${component} runs with --insecure-no-auth on ${address}: NO API KEY is checked and\n!! the Host header is not checked; anyone who can reach this port can use it.\n${bar}\n`;
}

/** What listenGuarded needs of a server (fastify's instance has it). */
export interface GuardedListener {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<unknown>;
  /** Bound addresses; a string is a Unix socket or pipe path (local by construction). */
  addresses(): Array<{ address: string; port?: number } | string>;
}

export interface ListenGuardOptions {
  host: string;
  port: number;
  hasKeys: boolean;
  insecureNoAuth?: boolean;
  component: string;
  /** Where the --insecure-no-auth warning goes (default stderr). */
  warn?: (text: string) => void;
}

/** The check before binding: every address `host` resolves to must pass (use it to refuse before slow start-up work). */
export async function assertBindAllowed(options: { host: string; hasKeys: boolean; insecureNoAuth?: boolean; component: string }): Promise<void> {
  if (options.hasKeys || options.insecureNoAuth) return;
  for (const address of await resolveBindAddresses(options.host)) assertExposureAllowed({ ...options, boundAddress: address });
}

/** Listens only where the exposure rule allows; returns the listen URL. */
export async function listenGuarded(server: GuardedListener, options: ListenGuardOptions): Promise<string> {
  const check = { hasKeys: options.hasKeys, insecureNoAuth: options.insecureNoAuth, component: options.component };
  await assertBindAllowed({ ...check, host: options.host });
  const url = await server.listen({ host: options.host, port: options.port });
  try {
    for (const bound of server.addresses()) if (typeof bound !== 'string') assertExposureAllowed({ ...check, boundAddress: bound.address });
  } catch (error) {
    await server.close();
    throw error;
  }
  if (options.insecureNoAuth && !options.hasKeys) {
    // The bound addresses, not the URL: fastify names 0.0.0.0 as http://127.0.0.1:PORT.
    const bound = server.addresses().map((entry) => (typeof entry === 'string' ? entry : `${entry.address.includes(':') ? `[${entry.address}]` : entry.address}:${entry.port ?? ''}`));
    (options.warn ?? ((text) => process.stderr.write(text)))(insecureNoAuthWarning(options.component, bound.join(', ') || url));
  }
  return url;
}
