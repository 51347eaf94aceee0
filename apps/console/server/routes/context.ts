import type { ChainlmHome, Registry } from '@chainlm/core';
import type { JobSupervisor } from '../jobs/supervisor.js';
import type { ConsoleOptions } from '../app/options.js';

/** What every route plugin gets: the home, the registry, the job supervisor, the options. */
export interface RouteContext {
  home: ChainlmHome;
  registry: Registry;
  supervisor: JobSupervisor;
  options: Readonly<ConsoleOptions>;
}
