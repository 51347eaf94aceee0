/**
 * `chainlm console` / `chainlm-console`: serve the web console on loopback until
 * SIGINT/SIGTERM. The URL it prints carries the session token. The umbrella CLI
 * imports this module (`@chainlm/console/command`) for its flags and help, so the
 * server itself is loaded only when the command runs.
 */
import { readFileSync } from 'node:fs';
import { defineCommand, isLoopbackAddress, parseNameValue, UsageError } from './cli-helpers.js';

export const consoleCommand = defineCommand({
  name: 'console',
  summary: 'the web console: datasets, training, evaluation, deployments, playground and lineage',
  description: 'Binds to 127.0.0.1 unless --host says otherwise; any other address needs a chosen token (--token-file). Every /api call needs the session token printed at start (open the printed URL). Jobs read files only inside CHAINLM_HOME and the --allow-dir folders. Jobs started from the console keep running when it stops; the next console finds them again.',
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
  async run({ options, events }) {
    const token = chosenToken(options.token, options.tokenFile);
    if (token !== undefined && token.length < 16) throw new UsageError(`${options.tokenFile ? `--token-file ${options.tokenFile}` : '--token'}: the token must have at least 16 characters`);
    const jobEnv: Record<string, string> = options.evalDataDir ? { CHAINLM_EVAL_DATA_DIR: options.evalDataDir } : {};
    const attach = (options.attach ?? []).map((entry) => {
      const example = '--attach demo-chat=http://127.0.0.1:23333/v1';
      const { name, value: url } = parseNameValue('attach', entry, 'NAME=URL', example);
      if (!/^https?:\/\//.test(url)) throw new UsageError(`--attach: "${url}" is not an http(s) URL`, `e.g. ${example}`);
      return { name, url };
    });
    const { startConsole } = await import('../app/start-console.js');
    const started = await startConsole({ host: options.host, port: options.port, token, jobEnv, attach, allowedDirs: options.allowDir ?? [], allowedHosts: options.allowHost ?? [], ...(options.redis ? { redisUrl: options.redis } : {}) });
    if (!isLoopbackAddress(new URL(started.address).hostname)) {
      events.emit({ type: 'log', level: 'warn', message: `listening on ${started.address}: anyone who can reach it and has the token can start jobs on this machine` });
    }
    process.stderr.write(`chainlm console at ${started.address}\nopen ${started.url}\n`);
    await new Promise<void>((resolveSignal) => {
      process.once('SIGINT', () => resolveSignal());
      process.once('SIGTERM', () => resolveSignal());
    });
    await started.close();
    return { address: started.address };
  },
});

/** --token or the first line of --token-file (not both). */
function chosenToken(token: string | undefined, tokenFile: string | undefined): string | undefined {
  if (token !== undefined && tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
  if (tokenFile === undefined) return token;
  let text: string;
  try {
    text = readFileSync(tokenFile, 'utf8');
  } catch (error) {
    throw new UsageError(`--token-file ${tokenFile}: ${(error as Error).message}`, 'write the token (16+ characters) on the first line of a file only you can read');
  }
  return text.split(/\r?\n/, 1)[0]!.trim();
}
