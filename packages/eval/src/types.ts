/**
 * Contracts shared by the eval modules (types only). A dataset row is a plain
 * record of columns; predictions and results are plain JSON so they can be saved,
 * resumed and compared across runs.
 */
export type Row = Readonly<Record<string, unknown>>;

export interface DatasetSplits {
  /** Split name → rows, e.g. `{ train: [...], test: [...] }`. */
  [split: string]: Row[];
}

/** One prediction as the inferencer saved it (predictions/<model>/<dataset>.json). */
export interface PredictionRecord {
  /** Index of the sample in the (limited) test split. */
  index: number;
  /** The full prompt sent to the model (few-shot examples included). */
  prompt: string;
  /** gen: the first completion; ppl/clp: the chosen label; ll: null. */
  prediction: string | null;
  /** gen with n > 1: every completion, in order. */
  predictions?: string[];
  /** ppl/clp: label → score (sum log-prob in nats for ppl, probability for clp). */
  scores?: Record<string, number>;
  /** ll: log-likelihood in nats over `tokenCount` tokens of a text of `bytes` UTF-8 bytes. */
  logprob?: number;
  tokenCount?: number;
  bytes?: number;
  /** The reference answer (reader.outputColumn) as loaded. */
  reference: unknown;
  /** gen: prompt tokens cut from the left to fit the model's context (absent: none). */
  truncatedTokens?: number;
}

export interface EvalDetail {
  index: number;
  prediction: unknown;
  reference: unknown;
  correct?: boolean;
  /** A per-sample score where the metric has one (BLEU, ROUGE-L, pass@k, log-prob). */
  score?: number;
  [extra: string]: unknown;
}

export interface EvalResult {
  /** The headline number (see each evaluator for its unit). */
  score: number;
  metric: string;
  details: EvalDetail[];
  /** Secondary metrics by metric name, e.g. `{ bits_per_byte }` next to perplexity; each is a summary row too. */
  extra?: Record<string, number>;
}

/** One line of the summary table. */
export interface SummaryRow {
  dataset: string;
  model: string;
  metric: string;
  score: number;
  mode: string;
  promptHash: string;
  /** gen: how many prompts were cut from the left to fit the model's context (absent: none). */
  truncated?: number;
}
