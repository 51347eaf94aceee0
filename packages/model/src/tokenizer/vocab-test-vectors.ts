/**
 * llama.cpp tokenizer test vectors (`models/ggml-vocab-*.gguf.inp` / `.out`): the
 * inputs are separated by "\n__ggml_vocab_test__\n" (one after the last case too),
 * and `.out` has one line per case of space-separated expected ids (no BOS).
 */
import { readFile } from 'node:fs/promises';
import { tokenizerFileError } from './errors.js';

export interface VocabTestCase {
  text: string;
  ids: number[];
}

const separator = '\n__ggml_vocab_test__\n';

export async function readVocabTestVectors(inputFile: string, outputFile: string): Promise<VocabTestCase[]> {
  const inputs = (await readFile(inputFile, 'utf8')).split(separator);
  if (inputs.at(-1) === '') inputs.pop();
  const outputs = (await readFile(outputFile, 'utf8')).split('\n');
  if (outputs.at(-1) === '') outputs.pop();
  if (inputs.length !== outputs.length) {
    throw tokenizerFileError(outputFile, `${outputs.length} id lines for ${inputs.length} inputs in ${inputFile}`, 'use the .inp/.out pair written together');
  }
  return inputs.map((text, index) => ({
    text,
    ids: outputs[index].trim() === '' ? [] : outputs[index].trim().split(/\s+/).map(Number),
  }));
}
