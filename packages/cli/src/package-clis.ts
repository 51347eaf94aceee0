import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The per-package CLIs, in chain order; `installed` once the package has built its bin. */
const clis = [
  { name: 'chainlm-data', package: 'data', summary: 'ingest, clean, dedup, tokenize, pack, stats, SQL' },
  { name: 'chainlm-model', package: 'model', summary: 'inspect, import llama2.c, convert, generate, GGUF export, tokenize' },
  { name: 'chainlm-train', package: 'train', summary: 'pretrain, SFT, LoRA/QLoRA, resume, merge, export' },
  { name: 'chainlm-eval', package: 'eval', summary: 'OpenCompass-style evaluation runs and summaries' },
  { name: 'chainlm-serve', package: 'server', summary: 'OpenAI-compatible server, proxy, benchmarks' },
  { name: 'chainlm-agent', package: 'agent', summary: 'tools, agents, remote tool server' },
] as const;

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function packageClis(): { name: string; package: string; summary: string; installed: boolean }[] {
  return clis.map((cli) => ({ ...cli, installed: existsSync(join(packagesDir, cli.package, 'dist', 'bin', `${cli.name}.js`)) }));
}

export function packageCliHelp(): string {
  return [
    'Per-stage CLIs (each with --help):',
    ...packageClis().map((cli) => `  ${cli.name.padEnd(15)}${cli.summary}${cli.installed ? '' : ' (not built yet)'}`),
  ].join('\n');
}
