/**
 * A `NAME=VALUE` flag value (`--adapters sql=./adapters/sql`, `--attach demo=http://…`),
 * split at the first `=`; a value without a name or without a value is a usage error
 * that names the flag and shows an example.
 */
import { UsageError } from '../errors.js';

export function parseNameValue(flag: string, value: string, shape: string, example: string): { name: string; value: string } {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) throw new UsageError(`--${flag}: "${value}" is not ${shape}`, `e.g. ${example}`);
  return { name: value.slice(0, at), value: value.slice(at + 1) };
}
