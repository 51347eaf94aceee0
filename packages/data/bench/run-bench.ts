/**
 * `npm run bench -w packages/data`: generates a deterministic ≥ 200 MB JSONL corpus
 * (in CHAINLM_HOME/cache, or a temp folder), then times, on the same bytes:
 *   baseline  — a plain streaming read (createReadStream, counting newlines)
 *   ingest    — JSONL → Parquet dataset (parse, normalise, hash, write)
 *   clean     — nfkc, strip-control, length, pii, repetition
 *   dedup     — exact + MinHash/LSH near-dedup
 *   tokenize  — GPT-2 BPE on worker threads (one per core) + packing into Arrow shards
 * then, for comparison, clean + dedup as one recipe (one pass) and clean + dedup on
 * one worker thread per core, and writes a table of throughputs and ratios to
 * docs/benchmarks/data.md.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHome } from '@chainlm/core';
import { cleanDataset, defaultCleanWorkers, ingest, parseRecipe, tokenizeDataset } from '@chainlm/data';
import { generateCorpus } from './generate-corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const targetMb = Number(process.env.BENCH_MB ?? 200);
const loadAtStart = loadavg()[0];
const tokenizer = resolve(repo, '../shared/models/gpt2-tokenizer');

const home = resolveHome(process.env.CHAINLM_HOME ? process.env : { CHAINLM_HOME: join(tmpdir(), 'chainlm-data-bench') });
const corpusDir = home.path('cache', 'bench-data');
mkdirSync(corpusDir, { recursive: true });
const corpus = join(corpusDir, `corpus-${targetMb}mb.jsonl`);

interface Row {
  stage: string;
  seconds: number;
  bytes: number;
  records: number;
  tokens?: number;
  /** CPU seconds this process used (all threads); below seconds × cores means waiting or contention. */
  cpuSeconds: number;
}

let lastCpu = 0;
async function timed<T>(body: () => Promise<T>): Promise<[T, number]> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await body();
  const cpu = process.cpuUsage(cpuBefore);
  lastCpu = (cpu.user + cpu.system) / 1e6;
  return [result, (performance.now() - started) / 1000];
}

async function main(): Promise<void> {
  if (!existsSync(corpus)) {
    const [stats, seconds] = await timed(async () => generateCorpus(corpus, targetMb * 1e6));
    console.log(`generated ${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.documents} docs in ${seconds.toFixed(1)} s`);
  }
  const bytes = statSync(corpus).size;
  for (const name of ['bench-raw', 'bench-clean', 'bench-dedup', 'bench-tok']) rmSync(home.path('datasets', name), { recursive: true, force: true });
  const rows: Row[] = [];

  const [lines, readSeconds] = await timed(async () => {
    let count = 0;
    for await (const chunk of createReadStream(corpus, { highWaterMark: 1 << 20 })) {
      for (let index = (chunk as Buffer).indexOf(10); index >= 0; index = (chunk as Buffer).indexOf(10, index + 1)) count++;
    }
    return count;
  });
  rows.push({ stage: 'baseline: streaming read', seconds: readSeconds, bytes, records: lines, cpuSeconds: lastCpu });

  const [ingested, ingestSeconds] = await timed(() => ingest({ home, dataset: 'bench-raw', paths: [corpus], replace: true }));
  rows.push({ stage: 'ingest (JSONL → Parquet)', seconds: ingestSeconds, bytes, records: ingested.ok, cpuSeconds: lastCpu });

  const cleanRecipe = parseRecipe({
    operators: [{ op: 'nfkc' }, { op: 'strip-control' }, { op: 'length', minChars: 100 }, { op: 'pii' }, { op: 'repetition', ngram: 10, maxRatio: 0.3 }],
  });
  const [cleaned, cleanSeconds] = await timed(() => cleanDataset({ home, input: 'bench-raw', output: 'bench-clean', recipe: cleanRecipe, replace: true }));
  rows.push({ stage: `clean (nfkc, control, length, pii, repetition; ${defaultCleanWorkers()} workers)`, seconds: cleanSeconds, bytes, records: cleaned.read, cpuSeconds: lastCpu });

  const dedupRecipe = parseRecipe({ operators: [{ op: 'exact-dedup' }, { op: 'near-dedup', threshold: 0.8 }] });
  const [deduped, dedupSeconds] = await timed(() => cleanDataset({ home, input: 'bench-clean', output: 'bench-dedup', recipe: dedupRecipe, replace: true, step: 'dedup' }));
  rows.push({ stage: `dedup (exact + MinHash/LSH; ${defaultCleanWorkers()} workers)`, seconds: dedupSeconds, bytes, records: deduped.read, cpuSeconds: lastCpu });

  const [shards, tokenizeSeconds] = await timed(() =>
    tokenizeDataset({ home, input: 'bench-dedup', output: 'bench-tok', tokenizer, seqLen: 1024, replace: true }),
  );
  rows.push({ stage: `tokenize + pack (GPT-2 BPE, ${availableParallelism()} workers)`, seconds: tokenizeSeconds, bytes, records: deduped.kept, tokens: shards.tokens, cpuSeconds: lastCpu });

  const pipelineSeconds = ingestSeconds + cleanSeconds + dedupSeconds + tokenizeSeconds;
  rows.push({ stage: 'whole pipeline', seconds: pipelineSeconds, bytes, records: ingested.ok, tokens: shards.tokens, cpuSeconds: rows.slice(1).reduce((total, row) => total + row.cpuSeconds, 0) });

  // Variants of clean + dedup on the same data, for comparison (not part of the pipeline total).
  const fusedRecipe = parseRecipe({ operators: [...cleanRecipe.operators, ...dedupRecipe.operators] });
  const [fused, fusedSeconds] = await timed(() => cleanDataset({ home, input: 'bench-raw', output: 'bench-fused', recipe: fusedRecipe, replace: true }));
  rows.push({ stage: 'variant: clean + dedup as one recipe (one pass)', seconds: fusedSeconds, bytes, records: fused.read, cpuSeconds: lastCpu });
  const threads = availableParallelism();
  const [, cleanThreadsSeconds] = await timed(() => cleanDataset({ home, input: 'bench-raw', output: 'bench-clean-w', recipe: cleanRecipe, replace: true, workers: threads }));
  const cleanThreadsCpu = lastCpu;
  const [, dedupThreadsSeconds] = await timed(() => cleanDataset({ home, input: 'bench-clean-w', output: 'bench-dedup-w', recipe: dedupRecipe, replace: true, workers: threads }));
  rows.push({ stage: `variant: clean, dedup on ${threads} worker threads (--workers ${threads})`, seconds: cleanThreadsSeconds + dedupThreadsSeconds, bytes, records: cleaned.read, cpuSeconds: cleanThreadsCpu + lastCpu });
  rows.push({ stage: `reference: clean, dedup as run above (rows 3 + 4)`, seconds: cleanSeconds + dedupSeconds, bytes, records: cleaned.read, cpuSeconds: rows[2].cpuSeconds + rows[3].cpuSeconds });
  for (const name of ['bench-fused', 'bench-clean-w', 'bench-dedup-w']) rmSync(home.path('datasets', name), { recursive: true, force: true });
  const dedupDropped = deduped.operators.map((step) => `${step.op} −${step.dropped}`).join(', ');
  writeReport(rows, readSeconds, { dedupDropped, cleanDropped: cleaned.dropped, tokens: shards.tokens });
}

const historyHeading = '## History';

function writeReport(rows: Row[], baselineSeconds: number, notes: { dedupDropped: string; cleanDropped: number; tokens: number }): void {
  const mb = (row: Row) => row.bytes / 1e6 / row.seconds;
  const table = [
    '| stage | seconds | CPU s | MB/s | records/s | tokens/s | speed vs baseline read |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.stage} | ${row.seconds.toFixed(2)} | ${row.cpuSeconds.toFixed(1)} | ${mb(row).toFixed(1)} | ${Math.round(row.records / row.seconds).toLocaleString('en-US')} | ${row.tokens === undefined ? '' : Math.round(row.tokens / row.seconds).toLocaleString('en-US')} | ${(baselineSeconds / row.seconds).toFixed(3)} |`,
    ),
  ].join('\n');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const text = [
    '# chainlm-data benchmark',
    '',
    `Command: \`npm run bench -w packages/data\` (corpus size: \`BENCH_MB=${targetMb}\`, default 200).`,
    '',
    `Corpus: ${(rows[0].bytes / 1e6).toFixed(1)} MB of JSONL, ${rows[0].records.toLocaleString('en-US')} documents, generated deterministically by \`packages/data/bench/generate-corpus.ts\` (English-like and Chinese-like text with planted exact/near duplicates and PII). Every stage processes the same bytes; MB/s is always the corpus size over the stage time, so the ratios compare like with like. The baseline is a plain \`createReadStream\` pass counting newlines, measured in the same run.`,
    '',
    `Machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}. The machine is shared with other engineers' builds and tests (1-minute load average at the start of this run: ${loadAtStart.toFixed(1)}, at the end: ${loadavg()[0].toFixed(1)}); \`CPU s\` is the CPU time this process got (all threads), so CPU s well below seconds × cores means the stage waited for a core.`,
    '',
    table,
    '',
    `Clean dropped ${notes.cleanDropped.toLocaleString('en-US')} records; dedup: ${notes.dedupDropped}. Tokenized: ${notes.tokens.toLocaleString('en-US')} tokens into 1024-token rows.`,
    '',
    `Aims from issue 4: tokenization ≥ 1 M tokens/s on 2 cores; whole pipeline ≥ 25 MB/s.`,
    '',
  ].join('\n');
  const out = resolve(repo, 'docs/benchmarks/data.md');
  mkdirSync(dirname(out), { recursive: true });
  // A hand-written "## History" section (what changed, earlier numbers) survives reruns.
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const history = previous.indexOf(historyHeading);
  writeFileSync(out, history >= 0 ? `${text}\n${previous.slice(history)}` : text);
  console.log(text);
}

await main();
