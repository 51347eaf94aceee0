/**
 * `chainlm console` / `chainlm-console`: serve the web console on loopback until
 * SIGINT/SIGTERM. The URL it prints carries the session token.
 */
import { defineCommand, isLoopbackHostName, parseNameValue, UsageError } from './cli-helpers.js';
import { startConsole } from '../app/start-console.js';

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'the web console: datasets, training, evaluation, deployments, playground and lineage',
  description: 'Binds to 127.0.0.1 unless --host says otherwise. Every /api call needs the session token printed at start (open the printed URL). Jobs started from the console keep running when it stops; the next console finds them again.',
  options: {
    port: { type: 'number', description: 'port (0 = any free port)', default: 3000 },
    host: { type: 'string', description: 'address to bind', default: '127.0.0.1' },
    token: { type: 'string', description: 'session token (default: a random one)', valueName: 'TOKEN' },
    evalDataDir: { type: 'string', description: 'data folder for built-in eval datasets (sets CHAINLM_EVAL_DATA_DIR for eval jobs)', valueName: 'DIR' },
    attach: { type: 'list', description: 'show a server this console did not start as a deployment (chat, agent, metrics): NAME=URL (repeat, or comma-separate)', valueName: 'NAME=URL' },
  },
  examples: ['chainlm console', 'chainlm console --port 8080', 'CHAINLM_HOME=~/lm chainlm console --eval-data-dir ../shared/datasets', 'chainlm console --attach demo-chat=http://127.0.0.1:23333/v1'],
  async run({ options, events }) {
    if (!isLoopbackHostName(options.host)) {
      events.emit({ type: 'log', level: 'warn', message: `binding to ${options.host}: anyone who can reach it and has the token can start jobs on this machine` });
    }
    if (options.token !== undefined && options.token.length < 16) throw new UsageError('--token must have at least 16 characters');
    const jobEnv: Record<string, string> = options.evalDataDir ? { CHAINLM_EVAL_DATA_DIR: options.evalDataDir } : {};
    const attach = (options.attach ?? []).map((entry) => {
      const example = '--attach demo-chat=http://127.0.0.1:23333/v1';
      const { name, value: url } = parseNameValue('attach', entry, 'NAME=URL', example);
      if (!/^https?:\/\//.test(url)) throw new UsageError(`--attach: "${url}" is not an http(s) URL`, `e.g. ${example}`);
      return { name, url };
    });
    const started = await startConsole({ host: options.host, port: options.port, token: options.token, jobEnv, attach });
    process.stderr.write(`chainlm console at ${started.address}\nopen ${started.url}\n`);
    await new Promise<void>((resolveSignal) => {
      process.once('SIGINT', () => resolveSignal());
      process.once('SIGTERM', () => resolveSignal());
    });
    await started.close();
    return { address: started.address };
  },
});
