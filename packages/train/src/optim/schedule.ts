/**
 * Learning rate at optimizer step `step` (0-based, the step about to be taken):
 * linear warmup from lr/warmup to lr over `warmupSteps`, then cosine, linear or no
 * decay to `minLrRatio·lr` at `totalSteps`, held there after.
 */
import type { ScheduleConfig } from '../config/schema.js';

export function learningRateAt(step: number, baseLr: number, totalSteps: number, schedule: ScheduleConfig): number {
  const { warmupSteps, decay, minLrRatio } = schedule;
  if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  if (decay === 'constant') return baseLr;
  const minLr = baseLr * minLrRatio;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  if (decay === 'linear') return baseLr - (baseLr - minLr) * progress;
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (baseLr - minLr);
}
