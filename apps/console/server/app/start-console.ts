/** Starts the console on host:port and returns the URL to open (with the session token). */
import { createConsoleApp, type ConsoleApp } from './create-app.js';
import type { ConsoleOptionsInput } from './options.js';

export interface StartedConsole extends ConsoleApp {
  /** http://host:port/?token=… */
  url: string;
  address: string;
}

export async function startConsole(input: ConsoleOptionsInput = {}): Promise<StartedConsole> {
  const started = await createConsoleApp(input);
  const address = await started.app.listen({ host: started.options.host, port: started.options.port });
  return { ...started, address, url: `${address}/?token=${encodeURIComponent(started.options.token)}` };
}
