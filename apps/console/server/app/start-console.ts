/**
 * Starts the console on host:port and returns the URL to open (with the session
 * token). On loopback a random token printed in that URL is enough. Anywhere else
 * the operator must choose the token (--token-file or --token): the guard shared by
 * every chainlm port (core's listenGuarded) judges the address the socket really
 * bound, and a refused console leaves no port open.
 */
import { ChainlmError, listenGuarded } from '@chainlm/core';
import { createConsoleApp, type ConsoleApp } from './create-app.js';
import type { ConsoleOptionsInput } from './options.js';

export interface StartedConsole extends ConsoleApp {
  /** http://host:port/?token=… */
  url: string;
  address: string;
}

export async function startConsole(input: ConsoleOptionsInput = {}): Promise<StartedConsole> {
  const started = await createConsoleApp(input);
  const { app, options } = started;
  let address: string;
  try {
    address = await listenGuarded(
      { listen: (where) => app.listen(where), close: () => app.close(), addresses: () => app.addresses().map((entry) => (typeof entry === 'string' ? { address: entry } : entry)) },
      { host: options.host, port: options.port, hasKeys: input.token !== undefined, component: 'chainlm console' },
    );
  } catch (error) {
    await app.close().catch(() => undefined);
    if (error instanceof ChainlmError && error.code === 'auth-exposed') {
      throw new ChainlmError('console-exposed', `chainlm console: refusing to listen on ${options.host}, which is not loopback, with a random token`, {
        hint: 'choose the token: --token-file FILE (one line, 16+ characters) or --token TOKEN, and share it only with who may start jobs on this machine; or bind 127.0.0.1',
        exitCode: 2,
        cause: error,
      });
    }
    throw error;
  }
  return { ...started, address, url: `${address}/?token=${encodeURIComponent(options.token)}` };
}
