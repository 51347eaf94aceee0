/**
 * `chainlm console`: the web console (apps/console). The console is an app, built
 * after the packages (its front end needs Vite), so it is loaded on demand: the
 * umbrella CLI builds and starts without it, and says how to build it when absent.
 * The flags mirror apps/console's own `console` command, which does the work
 * (apps/console/server/cli/console-command.test.ts checks they stay the same).
 */
import { ChainlmError, defineCommand, type Command } from '@chainlm/core';

/** A variable, not a literal: this package does not depend on the app at build time. */
const consoleModule = '@chainlm/console';

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'the web console: datasets, training, evaluation, deployments, playground and lineage',
  description:
    'Binds to 127.0.0.1 unless --host says otherwise; any other address needs a chosen token (--token-file). Every /api call needs the session token printed at start (open the printed URL). Jobs read files only inside CHAINLM_HOME and the --allow-dir folders. Jobs started from the console keep running when it stops; the next console finds them again.',
  options: {
    port: { type: 'number', description: 'port (0 = any free port)', default: 3000 },
    host: { type: 'string', description: 'address to bind', default: '127.0.0.1' },
    token: { type: 'string', description: 'session token (default: a random one; visible in `ps`, prefer --token-file)', valueName: 'TOKEN' },
    tokenFile: { type: 'string', description: 'read the session token from the first line of FILE (required, with --token, to bind anything but loopback)', valueName: 'FILE' },
    allowDir: { type: 'list', description: 'a folder besides CHAINLM_HOME that jobs may read input from (repeat, or comma-separate)', valueName: 'DIR' },
    redis: { type: 'string', description: 'Redis of a BullMQ deployment (chainlm-eval run --runner queue): show its queues, tasks and workers on the Evaluation page', valueName: 'URL' },
    allowHost: { type: 'list', description: 'a host name besides localhost and IP addresses that the console answers to (repeat, or comma-separate)', valueName: 'NAME' },
    evalDataDir: { type: 'string', description: 'data folder for built-in eval datasets (sets CHAINLM_EVAL_DATA_DIR for eval jobs)', valueName: 'DIR' },
    attach: { type: 'list', description: 'show a server this console did not start as a deployment (chat, agent, metrics): NAME=URL (repeat, or comma-separate)', valueName: 'NAME=URL' },
  },
  examples: ['chainlm console', 'chainlm console --port 8080', 'CHAINLM_HOME=~/lm chainlm console --eval-data-dir ../shared/datasets', 'chainlm console --attach demo-chat=http://127.0.0.1:23333/v1', 'chainlm console --host 0.0.0.0 --token-file ~/.chainlm-console-token --allow-host lm.example.org'],
  async run(context) {
    let loaded: { consoleCommand: Command<any> };
    try {
      loaded = (await import(consoleModule)) as { consoleCommand: Command<any> };
    } catch (error) {
      throw new ChainlmError('console-not-built', `the web console is not built (${(error as Error).message.split('\n')[0]})`, {
        hint: 'run `npm run build -w apps/console` (it builds the console server and its front end)',
      });
    }
    return loaded.consoleCommand.run(context);
  },
});
