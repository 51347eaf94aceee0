/**
 * loadTokenizer(path): one entry point for every format. A folder is searched for
 * tokenizer.json (HF, preferred: it carries the post-processor and added tokens),
 * then tokenizer.model (SentencePiece), then tokenizer.bin (llama2.c), then a single
 * other `*.model` (InternLM ships `V7_sft.model`). A file is recognised by its name,
 * else by its first bytes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tokenizerFileError, tokenizerMissingError } from './errors.js';
import { tokenizerFromJson, type HfTokenizerOptions } from './hf-tokenizer.js';
import { llama2cTokenizer } from './llama2c-tokenizer.js';
import { sentencePieceTokenizer } from './sentencepiece-tokenizer.js';
import type { TableTokenizer } from './table-tokenizer.js';

type Format = 'json' | 'sentencepiece' | 'llama2c';

const folderCandidates: [string, Format][] = [
  ['tokenizer.json', 'json'],
  ['tokenizer.model', 'sentencepiece'],
  ['tokenizer.bin', 'llama2c'],
];

function findInFolder(folder: string): [string, Format] {
  for (const [name, format] of folderCandidates) {
    const file = path.join(folder, name);
    if (existsSync(file)) return [file, format];
  }
  const models = readdirSync(folder).filter((name) => name.endsWith('.model'));
  if (models.length === 1) return [path.join(folder, models[0]), 'sentencepiece'];
  if (models.length > 1) throw tokenizerMissingError(folder, `several .model files (${models.join(', ')})`, 'pass the path of the one to use');
  throw tokenizerMissingError(folder, 'no tokenizer found', 'expected tokenizer.json, tokenizer.model, tokenizer.bin or one *.model file in the folder');
}

function sniff(file: string, bytes: Uint8Array): Format {
  const name = path.basename(file).toLowerCase();
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.model')) return 'sentencepiece';
  if (name.endsWith('.bin')) return 'llama2c';
  const first = bytes.find((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);
  if (first === 0x7b) return 'json';
  // ModelProto starts with field 1 (pieces), length-delimited: tag byte 0x0a.
  if (bytes[0] === 0x0a) return 'sentencepiece';
  throw tokenizerFileError(file, 'unknown tokenizer format', 'name it tokenizer.json, *.model (SentencePiece) or tokenizer.bin (llama2.c)');
}

async function readJson(file: string, bytes?: Uint8Array): Promise<unknown> {
  const text = bytes === undefined ? await readFile(file, 'utf8') : new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw tokenizerFileError(file, `invalid JSON: ${(error as Error).message}`, 'the file is damaged or not a tokenizer.json');
  }
}

/** tokenizer_config.json beside the tokenizer, or {} when there is none. */
export async function readTokenizerConfig(folder: string): Promise<Record<string, unknown>> {
  const file = path.join(folder, 'tokenizer_config.json');
  if (!existsSync(file)) return {};
  const json = await readJson(file);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw tokenizerFileError(file, 'expected a JSON object', 'tokenizer_config.json holds one object of settings');
  }
  return json as Record<string, unknown>;
}

export async function loadTokenizer(tokenizerPath: string, options: HfTokenizerOptions = {}): Promise<TableTokenizer> {
  if (!existsSync(tokenizerPath)) {
    throw tokenizerMissingError(tokenizerPath, 'the path does not exist', 'pass a tokenizer file or a model folder');
  }
  const [file, format] = statSync(tokenizerPath).isDirectory()
    ? findInFolder(tokenizerPath)
    : [tokenizerPath, null as Format | null];
  const bytes = new Uint8Array(await readFile(file));
  switch (format ?? sniff(file, bytes)) {
    case 'json': {
      const config = await readTokenizerConfig(path.dirname(file));
      return tokenizerFromJson(await readJson(file, bytes), config, file, options);
    }
    case 'sentencepiece':
      return sentencePieceTokenizer(bytes, file);
    case 'llama2c':
      return llama2cTokenizer(bytes, file);
  }
}
