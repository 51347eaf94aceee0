/**
 * HF model folders: config.json (+ generation_config.json), safetensors weights
 * (single or sharded), and tokenizer files. Loading returns the raw config JSON:
 * parsing it into a ModelConfig is the config module's job, not the I/O's.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ChainlmError, replaceDirAtomic, writeJsonAtomic } from '@chainlm/core';
import { loadSafetensorsFolder, saveSafetensorsFolder } from './safetensors-sharded.js';
import { missingFileError, weightFileError } from './errors.js';
import type { DType, WeightMap } from './types.js';

/** Tokenizer files carried along with a model, in the order a loader should prefer. */
export const tokenizerFileNames = ['tokenizer.json', 'tokenizer.model', 'tokenizer.bin', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'vocab.json', 'merges.txt'];
/** Files that are a tokenizer by themselves (the rest only configure one). */
const tokenizerMainFiles = ['tokenizer.json', 'tokenizer.model', 'tokenizer.bin'];

/** Whether `dir` holds a tokenizer by itself (tokenizer_config.json alone is not one). */
export function folderHasTokenizer(dir: string): boolean {
  return tokenizerMainFiles.some((name) => existsSync(join(dir, name)));
}

export interface HfFolder {
  dir: string;
  configJson: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  weights: WeightMap;
  /** The main tokenizer file (tokenizer.json, else tokenizer.model, else tokenizer.bin). */
  tokenizerPath?: string;
  /** Every tokenizer-related file present (absolute paths). */
  tokenizerFiles: string[];
}

export async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingFileError(file, 'file', 'check the path');
    throw weightFileError(file, `not valid JSON (${(error as Error).message})`, 'fix or regenerate the file');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw weightFileError(file, 'must hold a JSON object', 'fix or regenerate the file');
  return parsed as Record<string, unknown>;
}

/** Config, tokenizer paths and generation config, without reading any weights. */
export async function readHfFolderMeta(dir: string): Promise<Omit<HfFolder, 'weights'>> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw missingFileError(dir, 'model folder', 'pass a folder holding config.json and *.safetensors');
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw missingFileError(configPath, 'config.json', 'an HF model folder needs config.json beside its weights');
  const configJson = await readJsonObject(configPath);
  const generationPath = join(dir, 'generation_config.json');
  const generationConfig = existsSync(generationPath) ? await readJsonObject(generationPath) : undefined;
  const tokenizerFiles = tokenizerFileNames.map((name) => join(dir, name)).filter((path) => existsSync(path));
  const tokenizerPath = tokenizerFiles.find((path) => tokenizerMainFiles.includes(basename(path)));
  return { dir, configJson, ...(generationConfig ? { generationConfig } : {}), ...(tokenizerPath ? { tokenizerPath } : {}), tokenizerFiles };
}

export async function loadHfFolder(dir: string): Promise<HfFolder> {
  const meta = await readHfFolderMeta(dir);
  return { ...meta, weights: await loadSafetensorsFolder(dir) };
}

export interface SaveHfFolderInput {
  configJson: Record<string, unknown>;
  weights: WeightMap;
  /** Stored dtype of every tensor; default each tensor's own. */
  dtype?: DType;
  generationConfig?: Record<string, unknown>;
  /** Files copied into the folder under their own names (e.g. tokenizer.json, tokenizer.model). */
  tokenizerFiles?: string[];
  /** Shard above this many bytes; default one file. */
  maxShardBytes?: number;
}

const torchDtypeNames: Record<DType, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/**
 * Writes a complete HF folder atomically: built in a temp folder, then renamed onto
 * `dir`. An existing `dir` is replaced only if it is empty or is itself a model
 * folder (has config.json), so a mistyped --out cannot wipe unrelated files.
 */
export async function saveHfFolder(dir: string, input: SaveHfFolderInput): Promise<string[]> {
  guardReplace(dir);
  const dtype = input.dtype ?? input.weights.values().next().value?.dtype ?? 'F32';
  const configJson = { ...input.configJson, torch_dtype: torchDtypeNames[dtype] };
  let written: string[] = [];
  await replaceDirAtomic(dir, async (temp) => {
    await writeJsonAtomic(join(temp, 'config.json'), configJson);
    written.push('config.json');
    if (input.generationConfig) {
      await writeJsonAtomic(join(temp, 'generation_config.json'), input.generationConfig);
      written.push('generation_config.json');
    }
    for (const source of input.tokenizerFiles ?? []) {
      await copyFile(source, join(temp, basename(source)));
      written.push(basename(source));
    }
    written = [...written, ...(await saveSafetensorsFolder(temp, input.weights, { dtype: input.dtype, maxShardBytes: input.maxShardBytes }))];
  });
  return written;
}

function guardReplace(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new ChainlmError('output-exists', `${dir} exists and is not a folder`, { hint: 'choose another --out path', exitCode: 2 });
  }
  if (readdirSync(dir).length > 0 && !existsSync(join(dir, 'config.json'))) {
    throw new ChainlmError('output-exists', `refusing to replace ${dir}: it is not empty and not a model folder (no config.json)`, {
      hint: 'choose an empty or new --out folder',
      exitCode: 2,
    });
  }
}
