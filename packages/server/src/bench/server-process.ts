/**
 * A chainlm-serve child process for the load test: started with the memory probe
 * preloaded, waited on until /health answers, read for its RSS (raw, and after a
 * full GC) and stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface MemorySample {
  /** VmRSS as the OS sees it, before any GC (what a dashboard shows). */
  rssRaw: number;
  /** After a full GC in the server: RSS, live JS heap, external (wasm heap, buffers). */
  rss: number;
  heapUsed: number;
  /** V8 heap pages committed (live objects + free space in them). */
  heapTotal: number;
  external: number;
  /** The wasm backend's heap (0 on another backend). */
  wasmHeap: number;
}

export interface ServerProcess {
  url: string;
  memory(): Promise<MemorySample>;
  /** CPU seconds the server (all its threads) has used so far. */
  cpuSeconds(): number;
  stop(): void;
}

function vmRss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

export async function startServer(packageRoot: string, modelDir: string, flags: string[]): Promise<ServerProcess> {
  const port = 24000 + Math.floor(Math.random() * 1000);
  const probe = pathToFileURL(join(packageRoot, 'dist/bench/memory-probe.js')).href;
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', probe, join(packageRoot, 'dist/bin/chainlm-serve.js'), modelDir, '--port', String(port), '--model-name', 'tiny', '-q', ...flags], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.channel?.unref();
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (attempt > 600 || child.exitCode !== null) throw new Error(`server ${flags.join(' ')} did not start`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url,
    memory: () =>
      new Promise((resolve) => {
        child.channel?.ref();
        const rssRaw = vmRss(child.pid!);
        child.once('message', (message: { usage: NodeJS.MemoryUsage; wasmHeap: number }) => {
          child.channel?.unref();
          resolve({ rssRaw, rss: vmRss(child.pid!), heapUsed: message.usage.heapUsed, heapTotal: message.usage.heapTotal, external: message.usage.external, wasmHeap: message.wasmHeap });
        });
        child.send('memory');
      }),
    cpuSeconds: () => {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesized name): utime, stime in clock ticks (100 Hz).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: () => {
      child.kill('SIGTERM');
      child.disconnect();
    },
  };
}
