import type { StageKind } from '../stage-kind.js';
import { cleanStage, ingestStage, tokenizeStage } from './data-stages.js';
import { demoDataStage } from './demo-data.js';
import { quantizeStage } from './quantize-stage.js';
import { serveStage } from './serve-stage.js';
import { evalStage } from './eval-stage.js';
import { tokenizerStage } from './tokenizer-stage.js';
import { loraStage, pretrainStage, qloraStage, sftStage } from './train-stages.js';

/** Every stage kind a pipeline file can `use`. */
export function builtinStageKinds(): Map<string, StageKind> {
  return new Map([demoDataStage, ingestStage, cleanStage, tokenizerStage, tokenizeStage, pretrainStage, sftStage, loraStage, qloraStage, evalStage, quantizeStage, serveStage].map((kind) => [kind.name, kind]));
}
