/**
 * The one interface every evaluated model implements. Requests come in arrays so
 * a local engine can batch them and an HTTP client can run them concurrently;
 * results are in request order.
 */
export interface GenerateRequest {
  prompt: string;
  /** Upper bound on generated tokens. */
  maxTokens: number;
  /** Generation stops before the first of these strings (it is not returned). */
  stop?: string[];
  /** 0 = greedy (the default). */
  temperature?: number;
  topP?: number;
  /** How many completions to sample (pass@k needs n > 1). Default 1. */
  n?: number;
  seed?: number;
}

export interface GenerateResult {
  /** `n` completions, prompt not included, stop strings removed. */
  texts: string[];
  /** Prompt tokens dropped from the left so prompt + maxTokens fit the model's context (absent: none). */
  truncatedTokens?: number;
}

export interface LoglikelihoodRequest {
  /** Conditioning text (may be empty: the model's BOS/first token is the context). */
  context: string;
  /** The text whose tokens are scored. */
  continuation: string;
}

export interface LoglikelihoodResult {
  /** Sum over the continuation's tokens of log p(token | everything before), in nats. */
  logprob: number;
  /** How many continuation tokens were scored. */
  tokenCount: number;
}

export interface EvalModel {
  /** Short name used in tables and output paths. */
  readonly name: string;
  /** Registry id of the evaluated model/deployment, for the lineage edge. */
  readonly registryId?: string;
  /** Stable description (type, path/url, decoding-relevant settings) for run hashing. */
  readonly identity: Record<string, unknown>;
  generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]>;
  loglikelihood(requests: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]>;
  /** Present when the model can embed text (enables the top-k retriever). */
  embed?(texts: readonly string[]): Promise<number[][]>;
  close?(): Promise<void>;
}
