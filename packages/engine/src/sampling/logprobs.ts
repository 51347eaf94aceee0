/** Log-probability helpers over one logits row (host Float32Array, [vocab]). */

export interface TokenLogprob {
  tokenId: number;
  logprob: number;
}

/** log Σ exp(row) computed stably. */
export function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (let index = 0; index < row.length; index++) if (row[index] > max) max = row[index];
  let sum = 0;
  for (let index = 0; index < row.length; index++) sum += Math.exp(row[index] - max);
  return max + Math.log(sum);
}

/** The `count` largest entries, largest first (ties: lower id first). O(V·count) for small counts. */
export function topEntries(row: Float32Array, count: number): number[] {
  const best: number[] = [];
  if (count <= 0) return best;
  for (let index = 0; index < row.length; index++) {
    const value = row[index];
    if (best.length === count && value <= row[best[count - 1]]) continue;
    let position = best.length === count ? count - 1 : best.length;
    if (best.length < count) best.push(index);
    while (position > 0 && row[best[position - 1]] < value) {
      best[position] = best[position - 1];
      position--;
    }
    best[position] = index;
  }
  return best;
}

export function topLogprobs(row: Float32Array, count: number, normalizer = logSumExp(row)): TokenLogprob[] {
  return topEntries(row, count).map((tokenId) => ({ tokenId, logprob: row[tokenId] - normalizer }));
}
