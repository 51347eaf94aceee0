/** Adapts @chainlm/model's Model + forwardStep to the engine's StepModel. */
import { forwardStep, type Model } from '@chainlm/model';
import type { StepModel } from '../model-contract.js';

export function stepModelFrom(model: Model): StepModel {
  const config = model.config;
  const weightBytes = model.parameters().reduce((sum, parameter) => sum + parameter.variable.size * 4, 0);
  return {
    config: {
      ...config,
      bosTokenId: config.bosTokenId,
      eosTokenId: config.eosTokenId,
    },
    weightBytes,
    acceptsLora: true,
    forward: (input) => forwardStep(model, input),
  };
}
