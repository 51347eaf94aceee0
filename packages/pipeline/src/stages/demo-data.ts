import { existsSync } from 'node:fs';
import { writeDemoData } from '@chainlm/datasets';
import { z } from 'zod';
import type { StageKind } from '../stage-kind.js';
import { stageParams } from './params.js';

const schema = z.strictObject({
  stories: z.number().int().positive().default(20_000),
  arithmetic: z.number().int().nonnegative().default(2000),
  toolUse: z.number().int().nonnegative().default(300),
  storyQa: z.number().int().nonnegative().default(400),
  seed: z.number().int().default(1),
  maxOperand: z.number().int().positive().default(50),
  /** Arithmetic answers: `direct` ("12 + 7 = 19.") or worked digit by digit (`steps`). */
  arithmeticFormat: z.enum(['direct', 'steps']).default('direct'),
});

/** `uses: demo-data` — the project's generated story corpus and instruction set. */
export const demoDataStage: StageKind = {
  name: 'demo-data',
  description: "generate the children's-story corpus and the chat instruction set (deterministic by seed)",
  // 3: tool-use rows in OpenAI function-calling shape (tools + tool_calls).
  // 4: a tool-use row's final answer is "The answer is N." (copied from the tool result); operands of 1–3 digits.
  version: 4,
  code: ['@chainlm/datasets'],
  async run(params, context) {
    const options = stageParams(schema, params, 'demo-data');
    const files = await writeDemoData(context.dir, options);
    return {
      outputs: { stories: files.stories, instructionsTrain: files.instructionsTrain, instructionsTest: files.instructionsTest, arithmeticTest: files.arithmeticTest },
      summary: files.counts,
    };
  },
  stillValid: (outputs) => [outputs.stories, outputs.instructionsTrain, outputs.instructionsTest, outputs.arithmeticTest].every((file) => existsSync(String(file))),
};
