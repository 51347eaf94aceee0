/**
 * Per-sample diff of two eval runs on one dataset, joined by sample index: which
 * samples run A got right and run B wrong, and the other way round. Samples graded
 * with a score but no right/wrong (e.g. ROUGE) are compared by score: the higher one
 * wins, equal scores are a tie. Samples only one run has (a different --limit) are
 * counted, not listed.
 */
import type { EvalSample } from './eval-samples.js';

export const sampleOutcomes = ['a-wins', 'b-wins', 'both-right', 'both-wrong', 'tie'] as const;
export type SampleOutcome = (typeof sampleOutcomes)[number];

export interface SampleDiff {
  index: number;
  outcome: SampleOutcome;
  prompt: string | null;
  /** B's prompt when it differs from A's (a changed prompt template), else null. */
  promptB: string | null;
  reference: unknown;
  predictionA: unknown;
  predictionB: unknown;
  correctA: boolean | null;
  correctB: boolean | null;
  scoreA: number | null;
  scoreB: number | null;
}

export interface SampleDiffResult {
  samples: SampleDiff[];
  counts: Record<SampleOutcome, number>;
  onlyInA: number;
  onlyInB: number;
}

export function sampleOutcome(a: EvalSample, b: EvalSample): SampleOutcome {
  if (a.correct !== null && b.correct !== null) {
    if (a.correct === b.correct) return a.correct ? 'both-right' : 'both-wrong';
    return a.correct ? 'a-wins' : 'b-wins';
  }
  const scoreA = a.score ?? (a.correct === null ? null : Number(a.correct));
  const scoreB = b.score ?? (b.correct === null ? null : Number(b.correct));
  if (scoreA === null || scoreB === null || scoreA === scoreB) return 'tie';
  return scoreA > scoreB ? 'a-wins' : 'b-wins';
}

export function diffSamples(a: readonly EvalSample[], b: readonly EvalSample[]): SampleDiffResult {
  const fromB = new Map(b.map((sample) => [sample.index, sample]));
  const counts = Object.fromEntries(sampleOutcomes.map((outcome) => [outcome, 0])) as Record<SampleOutcome, number>;
  const samples: SampleDiff[] = [];
  for (const sampleA of a) {
    const sampleB = fromB.get(sampleA.index);
    if (!sampleB) continue;
    const outcome = sampleOutcome(sampleA, sampleB);
    counts[outcome] += 1;
    samples.push({
      index: sampleA.index,
      outcome,
      prompt: sampleA.prompt ?? sampleB.prompt,
      promptB: sampleA.prompt !== null && sampleB.prompt !== null && sampleA.prompt !== sampleB.prompt ? sampleB.prompt : null,
      reference: sampleA.reference,
      predictionA: sampleA.prediction,
      predictionB: sampleB.prediction,
      correctA: sampleA.correct,
      correctB: sampleB.correct,
      scoreA: sampleA.score,
      scoreB: sampleB.score,
    });
  }
  const inA = new Set(a.map((sample) => sample.index));
  return { samples: samples.sort((x, y) => x.index - y.index), counts, onlyInA: a.length - samples.length, onlyInB: b.filter((sample) => !inA.has(sample.index)).length };
}
