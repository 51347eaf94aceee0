export { pipelineSchema, stageSchema, type PipelineSpec, type StageSpec } from './schema.js';
export { runPipeline, resolveNeeds, type RunPipelineOptions, type PipelineReport, type StageReport } from './runner.js';
export type { StageKind, StageContext, StageResult, RunningService } from './stage-kind.js';
export { interpolate, referencedStages } from './interpolate.js';
export { readState, type PipelineState, type StageState } from './state.js';
export { builtinStageKinds } from './stages/index.js';
export { writeModelCard } from './model-card.js';
