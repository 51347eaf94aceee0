/**
 * The data package's error catalogue. Each entry builds a ChainlmError with a stable
 * code, a message naming the dataset, file or line, and a hint saying how to fix it.
 * Exit code 2 marks input the user must fix (names, flags, files); 1 marks a failure.
 */
import { ChainlmError } from '@chainlm/core';

function userError(code: string, message: string, hint: string): ChainlmError {
  return new ChainlmError(code, message, { hint, exitCode: 2 });
}

export const dataErrors = {
  datasetName: (name: string) =>
    userError(
      'data-dataset-name',
      `invalid dataset name "${name}"`,
      'use lowercase letters, digits, ".", "_" or "-", starting with a letter or digit (at most 64 characters)',
    ),
  datasetMissing: (name: string, folder: string) =>
    userError('data-dataset-missing', `dataset "${name}" not found in ${folder}`, 'run `chainlm-data ls` to list datasets, or ingest it first'),
  datasetExists: (name: string) =>
    userError('data-dataset-exists', `dataset "${name}" already exists`, 'pick another --out name, or pass --replace to overwrite it'),
  manifestInvalid: (file: string, detail: string) =>
    new ChainlmError('data-manifest-invalid', `dataset manifest ${file} is invalid: ${detail}`, {
      hint: 'the dataset folder was edited or written by another version; re-ingest it',
    }),
  sourceMissing: (path: string) => userError('data-source-missing', `cannot read ${path}: no such file or folder`, 'check the path'),
  sourceFormat: (path: string) =>
    userError(
      'data-source-format',
      `cannot tell the format of ${path} from its extension`,
      'use .jsonl, .json, .csv, .tsv, .txt, .md, .parquet or .arrow (optionally .gz), or pass --format',
    ),
  kindUndetected: (path: string, fields: string[]) =>
    userError(
      'data-kind-undetected',
      `cannot detect the record kind of ${path} from its fields [${fields.join(', ')}]`,
      'pass --kind text|instruction|chat|mcq|qa and, if the field names differ, --map target=source (e.g. --map instruction=prompt,output=response)',
    ),
  kindMismatch: (path: string, found: string, expected: string) =>
    userError(
      'data-kind-mismatch',
      `${path} holds ${found} records but the dataset is ${expected}`,
      'ingest it into another dataset, or pass --kind to force one kind',
    ),
  fieldMap: (entry: string) =>
    userError('data-field-map', `invalid --map entry "${entry}"`, 'write target=source pairs separated by commas, e.g. --map instruction=prompt,output=response'),
  kindUnsupported: (operation: string, kind: string, supported: readonly string[]) =>
    userError('data-kind-unsupported', `${operation} does not support ${kind} datasets`, `use a dataset of kind ${supported.join(' or ')}`),
  sqlFailed: (message: string) =>
    userError('data-sql', `SQL failed: ${message}`, 'run `chainlm-data ls` for the dataset view names; quote names with "-" as "my-name"'),
  shardsMissing: (folder: string) =>
    userError('data-shards-missing', `no shard manifest in ${folder}`, 'point at a tokenized dataset folder (made by `chainlm-data tokenize`)'),
  tokenizerUnavailable: (detail: string) =>
    new ChainlmError('data-tokenizer', `cannot load the tokenizer: ${detail}`, {
      hint: 'pass --tokenizer with a tokenizer file or folder that @chainlm/model can load',
      exitCode: 2,
    }),
};
