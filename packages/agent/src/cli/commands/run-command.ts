import { defineCommand } from '@chainlm/core';
import { AgentError } from '../../errors.js';
import { agentKinds, type AgentRunResult } from '../../agents/agent-types.js';
import { createAgent } from '../../agents/create-agent.js';
import { saveTranscript } from '../../agents/transcript.js';
import { failWithResult } from '../fail-with-result.js';
import { formatStep } from '../format-step.js';
import { modelFlags, openModel } from '../model-flags.js';
import { buildToolbox, toolboxFlags } from '../toolbox-flags.js';

export const agentFlags = {
  agent: { type: 'string', valueName: 'KIND', default: 'react', description: `agent: ${agentKinds.join(' | ')}` },
  maxSteps: { type: 'number', valueName: 'N', default: 8, description: 'most model turns (react, function) or planned tool calls (rewoo)' },
  toolTimeoutMs: { type: 'number', valueName: 'MS', default: 30_000, description: 'time limit per tool call' },
  ...modelFlags,
  ...toolboxFlags,
} as const;

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run one task with an agent, showing each step on stderr',
  positionals: [{ name: 'task', description: 'the task or question', required: true }],
  options: { ...agentFlags, saveTranscript: { type: 'string', valueName: 'FILE', description: 'write the run transcript (replayable JSON)' } },
  examples: ['chainlm-agent run "What is 37 * 43?" --model http://127.0.0.1:8000/v1 --agent function', 'chainlm-agent run "Who built Harrow Point?" --model URL --tools doc_search --docs ./notes'],
  async run(context) {
    const { options, positionals } = context;
    const agent = createAgent(options.agent, { model: await openModel(options), tools: await buildToolbox(options), maxSteps: options.maxSteps, toolTimeoutMs: options.toolTimeoutMs });
    const result = await agent.run(positionals.join(' '), { onStep: (step) => process.stderr.write(`${formatStep(step)}\n`) });
    if (options.saveTranscript) await saveTranscript(options.saveTranscript, result.transcript);
    const summary = summarize(result, context.json);
    if (result.answer === null) failWithResult(context.json, summary, `no answer (${result.stopReason})`, new AgentError('no-answer', `the agent stopped without an answer (${result.stopReason})`, 'raise --max-steps, check the steps above, or try another --agent'));
    return summary;
  },
  render(result, print) {
    const { answer, stopReason } = result as { answer: string | null; stopReason: string };
    print(answer ?? `no answer (${stopReason})`);
  },
});

function summarize(result: AgentRunResult, json: boolean) {
  const base = { answer: result.answer, stopReason: result.stopReason, modelCalls: result.modelCalls, toolCalls: result.toolCalls };
  return json ? { ...base, steps: result.steps } : base;
}
