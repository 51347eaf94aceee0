/**
 * `chainlm console`: the web console's own command (apps/console), imported by name.
 * Its module holds only the flags and the help; the console server loads when the
 * command runs. When the front end is not built, the console serves a page saying
 * how to build it.
 */
export { consoleCommand } from '@chainlm/console/command';
