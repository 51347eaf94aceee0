/**
 * `chainlm start` as a user runs it (npm start = build + this): a process that runs a
 * pipeline, serves the model, starts the console beside it, prints both URLs, and
 * stops cleanly on Ctrl-C; the second start finds every stage done and skips it.
 * A small pipeline stands in for pipelines/demo.yaml (same stage kinds, seconds not
 * minutes); the demo itself runs in CI's pipeline smoke.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const repoRoot = resolve(packageRoot, '../..');
const bin = join(packageRoot, 'dist/bin/chainlm.js');
const consoleIndex = join(repoRoot, 'apps/console/dist-web/index.html');

const pipeline = `
name: start-test
stages:
  - name: data
    uses: demo-data
    with: { stories: 300, arithmetic: 40, toolUse: 10, storyQa: 10, seed: 2, maxOperand: 9 }
  - name: ingest
    uses: ingest
    with: { dataset: start-stories, files: ["\${stages.data.stories}"] }
  - name: tokenizer
    uses: tokenizer
    with: { name: start-bpe, datasets: ["\${stages.ingest.dataset}"], vocabSize: 300, splitDigits: true }
  - name: tokenize
    uses: tokenize
    with: { input: "\${stages.ingest.dataset}", output: start-tok, tokenizer: "\${stages.tokenizer.path}", seqLen: 64 }
  - name: pretrain
    uses: pretrain
    with:
      config:
        model: { size: tiny, shape: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1 }, maxSeqLen: 128 }
        data: { shards: "\${stages.tokenize.path}" }
        batchSize: 4
        maxSteps: 3
        evalInterval: 3
        checkpointInterval: 3
        seed: 1
  - name: serve
    uses: serve
    with: { model: "\${stages.pretrain.model}", name: start-model, port: 0 }
`;

interface Started {
  child: ChildProcess;
  output: () => string;
  consoleUrl: string;
  /** The OpenAI base URL (…/v1). */
  serveUrl: string;
}

/** Spawns `chainlm start` and resolves once it has printed the console's URL. */
function start(home: string, file: string): Promise<Started> {
  const child = spawn(process.execPath, [bin, 'start', '--pipeline', file], { env: { ...process.env, CHAINLM_HOME: home, CHAINLM_CONSOLE_PORT: '0' } });
  let text = '';
  return new Promise((resolveStarted, reject) => {
    const read = (chunk: Buffer) => {
      text += chunk.toString();
      const consoleUrl = /console at (http:\/\/\S+)/.exec(text)?.[1];
      const serveUrl = /serving "start-model" at (http:\/\/\S+)/.exec(text)?.[1];
      if (consoleUrl && serveUrl) resolveStarted({ child, output: () => text, consoleUrl, serveUrl });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`chainlm start exited with ${code} before serving:\n${text}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    child.kill('SIGINT');
  });
}

describe.skipIf(skipUnlessPresent(consoleIndex, 'chainlm start runs the built console: npm run build (npm test builds it first)'))('chainlm start', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-start-'));
  const file = join(root, 'pipeline.yaml');
  const home = join(root, 'home');

  beforeAll(() => {
    writeFileSync(file, pipeline);
    execFileSync(process.execPath, [resolve(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', packageRoot]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs the pipeline, serves the model and the console, stops on Ctrl-C, and a second start skips every stage', async () => {
    const first = await start(home, file);
    const response = await fetch(`${first.serveUrl}/models`);
    const models = (await response.json()) as { data: { id: string }[] };
    expect(response.status, JSON.stringify(models)).toBe(200);
    expect(models.data.map((model) => model.id)).toContain('start-model');
    const page = await fetch(first.consoleUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="root"');
    const token = new URL(first.consoleUrl).searchParams.get('token')!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // The console shows the pipeline's server as a deployment it did not start, and chats through it.
    const deployments = await fetch(new URL('/api/deployments', first.consoleUrl), { headers });
    expect(deployments.status).toBe(200);
    const listed = ((await deployments.json()) as { deployments: { id: string; name: string; url: string; status: string; ready: boolean; attached: boolean }[] }).deployments;
    expect(listed).toEqual([expect.objectContaining({ id: 'attached:start-model', name: 'start-model', url: first.serveUrl.replace(/\/v1$/, ''), status: 'running', ready: true, attached: true })]);
    const chat = await fetch(new URL('/api/deployments/attached:start-model/chat', first.consoleUrl), { method: 'POST', headers, body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }) });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBeGreaterThan(0);
    expect(await stop(first.child)).toBe(0);

    const second = await start(home, file);
    expect(await stop(second.child)).toBe(0);
    // The progress lines: "⏭ data (demo-data) unchanged, skipped", "✔ serve (serve)".
    const stages = [...second.output().matchAll(/^(⏭|✔|✖) (\S+) \(/gmu)];
    const statuses = Object.fromEntries(stages.map(([, mark, name]) => [name, mark === '⏭' ? 'skipped' : mark === '✔' ? 'ok' : 'failed']));
    // serve always runs (a server is a process, not an artifact); the rest was done.
    expect(statuses).toEqual({ data: 'skipped', ingest: 'skipped', tokenizer: 'skipped', tokenize: 'skipped', pretrain: 'skipped', serve: 'ok' });
  }, 600_000);
});
