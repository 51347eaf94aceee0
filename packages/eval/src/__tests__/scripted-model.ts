/**
 * A test double at the model boundary: an EvalModel whose answers come from
 * functions the test provides, recording every request it gets.
 */
import type { EvalModel, GenerateRequest, GenerateResult, LoglikelihoodRequest, LoglikelihoodResult } from '../models/eval-model.js';

export interface Script {
  generate?: (request: GenerateRequest, sample: number) => string;
  loglikelihood?: (request: LoglikelihoodRequest) => LoglikelihoodResult;
  embed?: (text: string) => number[];
}

export class ScriptedModel implements EvalModel {
  readonly identity = { type: 'scripted' };
  readonly generateCalls: GenerateRequest[][] = [];
  readonly loglikelihoodCalls: LoglikelihoodRequest[][] = [];
  embed?: (texts: readonly string[]) => Promise<number[][]>;

  constructor(
    readonly name: string,
    private readonly script: Script,
  ) {
    if (script.embed) this.embed = async (texts) => texts.map((text) => script.embed!(text));
  }

  async generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    this.generateCalls.push([...requests]);
    return requests.map((request) => ({ texts: Array.from({ length: request.n ?? 1 }, (_, sample) => this.script.generate!(request, sample)) }));
  }

  async loglikelihood(requests: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    this.loglikelihoodCalls.push([...requests]);
    return requests.map((request) => this.script.loglikelihood!(request));
  }
}
