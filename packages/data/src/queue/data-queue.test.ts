/**
 * Record-wise stages on queue workers against a real Redis (REDIS_URL) with
 * real `chainlm-data worker` processes (dist/): a cleaning recipe whose dedup
 * spans input parts, and tokenize+pack, each give the local run's output —
 * the same records, report counts and shard bytes. Without Redis or dist:
 * skipped with the reason outside CI, failing in CI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHome, skipUnlessPresent } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanDataset } from '../clean/clean-dataset.js';
import { parseRecipe } from '../clean/recipe.js';
import { ingest } from '../ingest/ingest.js';
import { readDataset } from '../store/dataset-store.js';
import { readRecords } from '../store/read-records.js';
import { tokenizeDataset } from '../tokenize/tokenize-dataset.js';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const cli = join(packageRoot, 'dist', 'bin', 'chainlm-data.js');
const gpt2 = resolve(packageRoot, '../../../shared/models/gpt2-tokenizer');
const redisUrl = process.env.REDIS_URL;
const skipped =
  skipUnlessPresent([cli, gpt2], 'the data queue tests spawn the built chainlm-data (npm run build) and tokenize with ../shared/models/gpt2-tokenizer') ||
  skipUnlessPresent(Boolean(redisUrl), 'the data queue tests need a Redis in REDIS_URL (redis-server --port 6390 --save "" --daemonize yes; export REDIS_URL=redis://127.0.0.1:6390)');

const root = mkdtempSync(join(tmpdir(), 'chainlm-data-queue-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });

async function records(name: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readRecords(home, name)) out.push(...batch);
  return out;
}

describe.skipIf(skipped)('data stages on queue workers', () => {
  const workers: { child: ChildProcess; log: () => string }[] = [];
  // worker processes start (and load a tokenizer) alongside the rest of the suite on 2 cores
  beforeAll(async () => {
    // three sources → three parts; duplicates within and across them
    const sentence = (seed: number) => Array.from({ length: 30 }, (_, index) => `w${(seed * 31 + index) % 97}`).join(' ');
    for (let file = 0; file < 3; file++) {
      const texts = Array.from({ length: 250 }, (_, index) => {
        const seed = file * 250 + index;
        if (seed % 11 === 0) return sentence(seed % 50).toUpperCase(); // exact duplicate (after lowercasing) of another part's record
        if (seed % 13 === 0) return 'short';
        if (seed % 17 === 0) return `${sentence(seed)} mail me at x${seed}@example.com`;
        return `${sentence(seed)}\u00a0ｆｕｌｌ ${seed}`;
      });
      writeFileSync(join(root, `corpus-${file}.jsonl`), texts.map((text) => JSON.stringify({ text })).join('\n'));
    }
    await ingest({ home, dataset: 'raw', paths: [0, 1, 2].map((file) => join(root, `corpus-${file}.jsonl`)) });
    expect((await readDataset(home, 'raw')).parts.length).toBe(3);
    for (let index = 0; index < 2; index++) {
      const child = spawn(process.execPath, [cli, 'worker', '--redis', redisUrl!], { env: { ...process.env, CHAINLM_HOME: join(root, 'worker-home') }, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr!.on('data', (chunk) => (text += chunk));
      workers.push({ child, log: () => text });
    }
    await new Promise<void>((resolveReady, rejectReady) => {
      const timer = setInterval(() => {
        if (workers.every((worker) => /ready/.test(worker.log()))) (clearInterval(timer), resolveReady());
        if (workers.some((worker) => worker.child.exitCode !== null)) (clearInterval(timer), rejectReady(new Error(workers.map((worker) => worker.log()).join('\n'))));
      }, 50);
    });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => (worker.child.kill('SIGTERM'), new Promise((resolveExit) => worker.child.on('exit', resolveExit)))));
    rmSync(root, { recursive: true, force: true });
  });

  it('clean: the same records and report as the local run, dedup decided across parts on the coordinator', async () => {
    const recipe = parseRecipe({ name: 'q', operators: [{ op: 'nfkc' }, { op: 'length', minChars: 20 }, { op: 'pii' }, { op: 'exact-dedup' }, { op: 'near-dedup', threshold: 0.8 }] });
    const local = await cleanDataset({ home, input: 'raw', output: 'clean-local', recipe, workers: 0 });
    const queued = await cleanDataset({ home, input: 'raw', output: 'clean-queued', recipe, queue: { redisUrl: redisUrl! } });
    const counts = (report: typeof local) => report.operators.map((step) => [step.op, step.in, step.out, step.dropped, step.modified, step.examples]);
    expect(counts(queued)).toEqual(counts(local));
    expect(local.operators.find((step) => step.op === 'exact-dedup')!.dropped).toBeGreaterThan(0);
    expect(await records('clean-queued')).toEqual(await records('clean-local'));
    const took = workers.map((worker) => (worker.log().match(/took part-/g) ?? []).length);
    expect(took[0] + took[1]).toBe(3);

    // the same through the CLI; a runner it does not know is bad usage
    const recipeFile = join(root, 'recipe.yaml');
    writeFileSync(recipeFile, JSON.stringify(recipe));
    const cliEnv = { ...process.env, CHAINLM_HOME: join(root, 'home') };
    const viaCli = spawnSync(process.execPath, [cli, 'clean', 'raw', '--recipe', recipeFile, '--out', 'clean-cli', '--runner', 'queue', '--redis', redisUrl!, '--json'], { env: cliEnv, encoding: 'utf8' });
    expect(viaCli.status, viaCli.stderr).toBe(0);
    expect(JSON.parse(viaCli.stdout).kept).toBe(local.kept);
    expect(await records('clean-cli')).toEqual(await records('clean-local'));
    const bogus = spawnSync(process.execPath, [cli, 'clean', 'raw', '--recipe', recipeFile, '--out', 'clean-x', '--runner', 'ray'], { env: cliEnv, encoding: 'utf8' });
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toMatch(/--runner must be local or queue, got "ray"/);
  }, 180_000);

  it('tokenize: the same shards, byte for byte, as the local run', async () => {
    const common = { home, input: 'raw', tokenizer: gpt2, seqLen: 64, validationFraction: 0.1, rowsPerShard: 32 };
    const local = await tokenizeDataset({ ...common, output: 'tok-local', workers: 0 });
    const queued = await tokenizeDataset({ ...common, output: 'tok-queued', queue: { redisUrl: redisUrl! } });
    expect(queued.splits).toEqual(local.splits);
    expect(local.splits.train.files.length).toBeGreaterThan(2);
    for (const split of ['train', 'validation'] as const) {
      for (const { file } of local.splits[split].files) {
        expect(readFileSync(join(home.path('datasets', 'tok-queued'), file)).equals(readFileSync(join(home.path('datasets', 'tok-local'), file))), file).toBe(true);
      }
    }
  }, 180_000);
});
