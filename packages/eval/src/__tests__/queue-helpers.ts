/**
 * What the queue runner's tests need from the real parts: the built CLI (dist/)
 * and a Redis (REDIS_URL), checked with core's skipUnlessPresent (a printed
 * reason and a skip outside CI, a failure in CI). Workers are real
 * `chainlm-eval worker` child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const cli = join(packageRoot, 'dist', 'bin', 'chainlm-eval.js');
export const redisUrl = process.env.REDIS_URL;

export const needsBuild = 'the queue runner tests spawn the built chainlm-eval: npm run build';
export const needsRedis = 'the queue runner tests need a Redis in REDIS_URL (redis-server --port 6390 --save "" --daemonize yes; export REDIS_URL=redis://127.0.0.1:6390)';

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output matches (rejects after timeoutMs or on exit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolveMatch, rejectMatch) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            done();
            resolveMatch(match);
          }
        };
        const timer = setTimeout(() => {
          done();
          rejectMatch(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${text}`));
        }, timeoutMs);
        const onExit = () => {
          check();
          if (listeners.has(check)) {
            done();
            rejectMatch(new Error(`exited before ${pattern}:\n${text}`));
          }
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function startWorker(env: NodeJS.ProcessEnv, extra: string[] = []): Spawned {
  return spawnCli(['worker', '--redis', redisUrl!, ...extra], env);
}
