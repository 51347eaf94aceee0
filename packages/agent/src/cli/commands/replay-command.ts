import { defineCommand, stableStringify } from '@chainlm/core';
import { loadTranscript, replayTranscript } from '../../agents/transcript.js';
import { AgentError } from '../../errors.js';
import { failWithResult } from '../fail-with-result.js';
import { formatStep } from '../format-step.js';
import { buildToolbox, toolboxFlags } from '../toolbox-flags.js';

export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'replay a saved transcript with live tools and check that the run is reproduced',
  positionals: [{ name: 'transcript', description: 'file written by run --save-transcript', required: true }],
  options: toolboxFlags,
  async run({ options, positionals, json }) {
    const transcript = await loadTranscript(positionals[0]);
    const tools = await buildToolbox({ ...options, tools: options.tools ?? transcript.tools });
    const result = await replayTranscript(transcript, tools, { onStep: (step) => process.stderr.write(`${formatStep(step)}\n`) });
    const reproduced = stableStringify(JSON.parse(JSON.stringify(result.steps))) === stableStringify(transcript.steps);
    const summary = { reproduced, answer: result.answer, stopReason: result.stopReason };
    if (!reproduced) failWithResult(json, summary, 'NOT reproduced: the replay took a different path', new AgentError('replay-diverged', 'the replay did not reproduce the recorded steps', 'the tools changed since the recording; see the steps above'));
    return summary;
  },
  render(result, print) {
    const { reproduced, answer } = result as { reproduced: boolean; answer: string | null };
    print(reproduced ? `reproduced: ${answer}` : 'NOT reproduced: the replay took a different path');
  },
});
