/**
 * A run's folder, CHAINLM_HOME/runs/<run>/:
 *   config.json     the resolved training config (what `resume` restarts from)
 *   run.json        status (running | finished | failed), ids, the final summary
 *   metrics.jsonl   one {step, loss, lr, gradNorm, tokensPerSecond, elapsed} per step,
 *                   plus {step, valLoss, valPerplexity} lines at each evaluation
 * Checkpoints live in CHAINLM_HOME/checkpoints/<run>/ (see checkpoint.ts).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome, writeFileAtomic, writeJsonAtomic, type ChainlmHome } from '@chainlm/core';
import { trainError, trainErrorCodes } from '../errors.js';

export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
  elapsed: number;
  tokens: number;
  epoch: number;
}

export interface EvalMetrics {
  step: number;
  valLoss: number;
  valPerplexity: number;
}

export type MetricsLine = StepMetrics | EvalMetrics;

export interface RunInfo {
  run: string;
  status: 'running' | 'finished' | 'failed';
  method: string;
  createdAt: string;
  updatedAt: string;
  datasetId?: string;
  summary?: Record<string, unknown>;
  error?: string;
}

export class RunStore {
  readonly dir: string;
  readonly checkpointsDir: string;

  constructor(
    readonly run: string,
    home: ChainlmHome = resolveHome(),
  ) {
    this.dir = home.path('runs', run);
    this.checkpointsDir = home.path('checkpoints', run);
  }

  get metricsFile(): string {
    return join(this.dir, 'metrics.jsonl');
  }

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  exists(): boolean {
    return existsSync(join(this.dir, 'run.json'));
  }

  info(): RunInfo {
    if (!this.exists()) {
      throw trainError(trainErrorCodes.runNotFound, `no run "${this.run}" in ${this.dir}`, 'list runs with `chainlm-train ls`', 2);
    }
    return JSON.parse(readFileSync(join(this.dir, 'run.json'), 'utf8')) as RunInfo;
  }

  async writeInfo(info: RunInfo): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'run.json'), { ...info, updatedAt: new Date().toISOString() });
  }

  async writeConfig(config: unknown): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'config.json'), config);
  }

  readConfig(): unknown {
    return JSON.parse(readFileSync(join(this.dir, 'config.json'), 'utf8'));
  }

  /** Appends one line; synchronous so a kill never leaves a half line before the next. */
  append(line: MetricsLine): void {
    appendFileSync(this.metricsFile, `${JSON.stringify(line)}\n`);
  }

  readMetrics(): MetricsLine[] {
    if (!existsSync(this.metricsFile)) return [];
    return readFileSync(this.metricsFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as MetricsLine];
        } catch {
          return []; // a line cut by a kill mid-write
        }
      });
  }

  /** On resume: drops lines of steps after the checkpoint, which the resumed run redoes. */
  async truncateMetricsAfter(step: number): Promise<void> {
    const kept = this.readMetrics().filter((line) => line.step <= step);
    await writeFileAtomic(this.metricsFile, kept.map((line) => `${JSON.stringify(line)}\n`).join(''));
  }
}

export function listRuns(home: ChainlmHome = resolveHome()): RunInfo[] {
  const runsDir = home.path('runs');
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .map((name) => new RunStore(name, home))
    .filter((store) => store.exists())
    .map((store) => store.info())
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function isStepMetrics(line: MetricsLine): line is StepMetrics {
  return 'loss' in line;
}
