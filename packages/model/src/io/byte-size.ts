import { UsageError } from '@chainlm/core';

const units: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** "2GB" → 2e9, "500MiB" → 524288000 (decimal units as HF's max_shard_size uses, binary with "i"). */
export function parseByteSize(text: string, flag = '--shard-size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!match) throw new UsageError(`${flag}: cannot read "${text}" as a size`, 'write it like 500MB, 2GB or 1GiB');
  const bytes = Math.floor(Number(match[1]) * units[(match[2] ?? '').toUpperCase()]);
  if (bytes <= 0) throw new UsageError(`${flag}: size must be positive, got "${text}"`, 'write it like 500MB, 2GB or 1GiB');
  return bytes;
}
