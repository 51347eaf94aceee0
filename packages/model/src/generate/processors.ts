/**
 * Logits processors: each applies one rule to a row of logits in place, so a sampler
 * is a list of them (transformers.js / HF style) and each is tested alone. -Infinity
 * marks a removed token. The engine builds the same list per request.
 */

export interface LogitsContext {
  /** Prompt followed by the tokens generated so far. */
  readonly ids: readonly number[];
  /** How many of `ids` are the prompt. */
  readonly promptLength: number;
}

export type LogitsProcessor = (logits: Float32Array, context: LogitsContext) => void;

/** Probabilities of a logits row (softmax; removed tokens get 0). */
export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const value of logits) if (value > max) max = value;
  const probabilities = new Float64Array(logits.length);
  let total = 0;
  for (let index = 0; index < logits.length; index++) {
    const value = logits[index]! === -Infinity ? 0 : Math.exp(logits[index]! - max);
    probabilities[index] = value;
    total += value;
  }
  for (let index = 0; index < probabilities.length; index++) probabilities[index]! /= total;
  return probabilities;
}

/** logits / temperature (temperature > 0; 0 means greedy and is handled by the sampler). */
export function temperatureProcessor(temperature: number): LogitsProcessor {
  return (logits) => {
    for (let index = 0; index < logits.length; index++) logits[index]! /= temperature;
  };
}

/** Keeps the k highest logits (ties with the k-th are kept, as in HF). */
export function topKProcessor(k: number): LogitsProcessor {
  return (logits) => {
    if (k >= logits.length) return;
    const threshold = Float32Array.from(logits).sort((a, b) => b - a)[k - 1]!;
    for (let index = 0; index < logits.length; index++) if (logits[index]! < threshold) logits[index] = -Infinity;
  };
}

/** Nucleus: keeps the smallest set of most likely tokens whose probability sum reaches p (at least one). */
export function topPProcessor(p: number): LogitsProcessor {
  return (logits) => {
    if (p >= 1) return;
    const probabilities = softmax(logits);
    const order = Array.from(logits.keys()).sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
    let cumulative = 0;
    let kept = 0;
    while (kept < order.length && (kept === 0 || cumulative < p)) cumulative += probabilities[order[kept++]!]!;
    for (let rank = kept; rank < order.length; rank++) logits[order[rank]!] = -Infinity;
  };
}

/** Min-p: removes tokens whose probability is below p times the top probability. */
export function minPProcessor(p: number): LogitsProcessor {
  return (logits) => {
    const probabilities = softmax(logits);
    let top = 0;
    for (const probability of probabilities) if (probability > top) top = probability;
    for (let index = 0; index < logits.length; index++) if (probabilities[index]! < p * top) logits[index] = -Infinity;
  };
}

/** CTRL/HF repetition penalty over prompt and output: positive logits ÷ penalty, negative × penalty. */
export function repetitionPenaltyProcessor(penalty: number): LogitsProcessor {
  return (logits, context) => {
    for (const id of new Set(context.ids)) {
      const value = logits[id]!;
      logits[id] = value < 0 ? value * penalty : value / penalty;
    }
  };
}

function generatedCounts(context: LogitsContext): Map<number, number> {
  const counts = new Map<number, number>();
  for (let index = context.promptLength; index < context.ids.length; index++) {
    const id = context.ids[index]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** OpenAI presence penalty: subtracts `penalty` once from every token already generated. */
export function presencePenaltyProcessor(penalty: number): LogitsProcessor {
  return (logits, context) => {
    for (const id of generatedCounts(context).keys()) logits[id]! -= penalty;
  };
}

/** OpenAI frequency penalty: subtracts `penalty` × how often each token was generated. */
export function frequencyPenaltyProcessor(penalty: number): LogitsProcessor {
  return (logits, context) => {
    for (const [id, count] of generatedCounts(context)) logits[id]! -= penalty * count;
  };
}
