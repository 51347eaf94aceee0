import { z } from 'zod';

/** A stage: `uses` names a stage kind (ingest, pretrain, ...); `with` its parameters. */
export const stageSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  uses: z.string(),
  /** Stages this one reads from; defaults to the stages its `${stages.X...}` references name. */
  needs: z.array(z.string()).default([]),
  with: z.record(z.string(), z.unknown()).default({}),
});

export const pipelineSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  description: z.string().optional(),
  /** Values stages can reference as `${vars.X}`. */
  vars: z.record(z.string(), z.unknown()).default({}),
  stages: z.array(stageSchema).min(1),
});

export type StageSpec = z.infer<typeof stageSchema>;
export type PipelineSpec = z.infer<typeof pipelineSchema>;
