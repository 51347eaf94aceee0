/**
 * `chainlm-serve MODEL --proxy-url …` as users run it: the flags' guards in process
 * (they trip before any model loads), and the built CLI in a child process joining an
 * in-process proxy, then leaving it on SIGTERM. The child needs `dist/` (npm test builds first).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgram, skipUnlessPresent } from '@chainlm/core';
import { startProxy } from '../proxy/proxy.js';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';
import { program } from './program.js';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bin/chainlm-serve.js');

describe('chainlm-serve worker flags', () => {
  it.each([
    [['./nowhere', '--proxy-key', 'proxy-key-12345'], /--proxy-key: only used with --proxy-url/],
    [['./nowhere', '--advertise-url', 'http://10.0.0.7:23333'], /--advertise-url: only used with --proxy-url/],
    [['./nowhere', '--proxy-url', 'ftp://proxy:21'], /--proxy-url ftp:\/\/proxy:21 is not an http\(s\) URL/],
    [['./nowhere', '--proxy-url', 'http://127.0.0.1:1', '--advertise-url', 'http://user:pass@10.0.0.7:1'], /--advertise-url .* without credentials/],
    [['./nowhere', '--proxy-url', 'http://127.0.0.1:1', '--heartbeat-interval-ms', '0'], /--heartbeat-interval-ms must be at least 10/],
    [['./nowhere', '--proxy-url', 'http://127.0.0.1:1', '--proxy-key', 'a-key-12345', '--proxy-key-file', 'keys'], /not both/],
    [['./nowhere', '--proxy-url', 'http://127.0.0.1:1', '--host', '0.0.0.0', '--api-key', 'server-key-12345'], /give --advertise-url/],
    [['proxy', '--worker-timeout-ms', '0'], /--worker-timeout-ms must be at least 10/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk) => (text += chunk));
    expect(await runProgram(program, args, { stdout: new PassThrough(), stderr })).toBe(2);
    expect(text).toMatch(message);
  });

  it.skipIf(skipUnlessPresent(bin, 'the --proxy-url CLI case runs the built chainlm-serve: npm run build (npm test builds first)'))(
    'registers with the proxy, and deregisters on SIGTERM before it exits 0',
    async () => {
      const modelDir = await makeTinyChatModel(undefined, { steps: 5 });
      const proxy = await startProxy({ upstreams: [], host: '127.0.0.1', port: 0, apiKeys: ['proxy-key-12345'], workerTimeoutMs: 60_000 });
      const child = spawn(process.execPath, [bin, modelDir, '--port', '0', '--model-name', 'tiny', '--proxy-url', proxy.url, '--heartbeat-interval-ms', '200'], {
        env: { ...process.env, CHAINLM_PROXY_KEY: 'proxy-key-12345' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      try {
        const deadline = Date.now() + 60_000;
        while (proxy.workers.size === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((done) => setTimeout(done, 50));
        const [worker] = proxy.workers.all();
        expect(worker, output).toBeDefined();
        expect(worker.models.map((card) => card.id)).toEqual(['tiny']);
        expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const answer = await fetch(`${proxy.url}/v1/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer proxy-key-12345' },
          body: JSON.stringify({ model: 'tiny', prompt: 'Say hello.', max_tokens: 2 }),
        });
        expect(answer.status).toBe(200);
        child.kill('SIGTERM');
        expect(await exited, output).toBe(0);
        // Gone at once, not after the (minute-long) timeout.
        expect(proxy.workers.size).toBe(0);
        expect(output).toMatch(/left the proxy/);
      } finally {
        child.kill('SIGKILL');
        await proxy.app.close();
      }
    },
    120_000,
  );
});
