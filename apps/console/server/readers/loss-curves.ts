/**
 * A training run's loss curves for comparing runs on one chart: train loss and
 * validation loss against step and against tokens seen (runs with different batch
 * sizes or sequence lengths line up by tokens, not by step), and a summary row.
 * Long runs are cut to at most `maxPoints` train points by averaging consecutive
 * windows (the mean keeps the curve's level; every n-th point would keep its noise).
 */
import { isStepMetrics, type MetricsLine, type StepMetrics } from '@chainlm/train';

export interface CurvePoint {
  step: number;
  /** Tokens trained on up to this step; null for a validation step with no train line. */
  tokens: number | null;
  value: number;
}

export interface LossCurves {
  train: CurvePoint[];
  validation: CurvePoint[];
  summary: {
    steps: number;
    tokens: number;
    finalLoss: number | null;
    bestValLoss: number | null;
    /** Mean of the logged tokens/s. */
    tokensPerSecond: number | null;
    /** Seconds from start to the last logged step. */
    elapsed: number | null;
  };
}

export function lossCurves(lines: readonly MetricsLine[], maxPoints = 2000): LossCurves {
  const steps = lines.filter(isStepMetrics);
  const tokensAt = new Map(steps.map((line) => [line.step, line.tokens]));
  const validation = lines
    .filter((line): line is Extract<MetricsLine, { valLoss: number }> => 'valLoss' in line)
    .map((line) => ({ step: line.step, tokens: tokensAt.get(line.step) ?? null, value: line.valLoss }));
  const last = steps.at(-1);
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length);
  return {
    train: windowMeans(steps, Math.max(1, Math.ceil(steps.length / maxPoints))),
    validation,
    summary: {
      steps: last?.step ?? 0,
      tokens: last?.tokens ?? 0,
      finalLoss: last?.loss ?? null,
      bestValLoss: validation.length === 0 ? null : Math.min(...validation.map((point) => point.value)),
      tokensPerSecond: mean(steps.map((line) => line.tokensPerSecond)),
      elapsed: last?.elapsed ?? null,
    },
  };
}

/** One point per `window` consecutive steps: the window's last step and tokens, its mean loss. */
function windowMeans(steps: readonly StepMetrics[], window: number): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (let start = 0; start < steps.length; start += window) {
    const slice = steps.slice(start, start + window);
    const end = slice.at(-1)!;
    points.push({ step: end.step, tokens: end.tokens, value: slice.reduce((sum, line) => sum + line.loss, 0) / slice.length });
  }
  return points;
}
