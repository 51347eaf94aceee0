/**
 * Interactive chat: each line is a task for the agent; earlier questions and answers
 * are given back as context (agents are single-task, so the history travels in the
 * task text). Steps stream to stderr as they happen. `exit` or Ctrl-D ends it.
 */
import { createInterface } from 'node:readline/promises';
import { defineCommand } from '@chainlm/core';
import { createAgent } from '../../agents/create-agent.js';
import { formatStep } from '../format-step.js';
import { openModel } from '../model-flags.js';
import { buildToolbox } from '../toolbox-flags.js';
import { agentFlags } from './run-command.js';

export const chatCommand = defineCommand({
  name: 'chat',
  summary: 'interactive agent chat with the steps shown',
  options: agentFlags,
  examples: ['chainlm-agent chat --model http://127.0.0.1:8000/v1 --tools calculator,python'],
  async run({ options }) {
    const agent = createAgent(options.agent, { model: await openModel(options), tools: await buildToolbox(options), maxSteps: options.maxSteps, toolTimeoutMs: options.toolTimeoutMs });
    const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
    const history: string[] = [];
    let turns = 0;
    process.stderr.write(`chainlm-agent chat (${agent.kind}); type "exit" to quit\n`);
    for await (const line of promptLoop(lines)) {
      const question = line.trim();
      if (question === '') continue;
      if (question === 'exit' || question === 'quit') break;
      const task = history.length > 0 ? `Conversation so far:\n${history.join('\n')}\n\nNew question: ${question}` : question;
      const result = await agent.run(task, { onStep: (step) => process.stderr.write(`  ${formatStep(step)}\n`) });
      const answer = result.answer ?? `(no answer: ${result.stopReason})`;
      process.stdout.write(`${answer}\n`);
      history.push(`User: ${question}`, `Assistant: ${answer}`);
      turns += 1;
    }
    lines.close();
    return { turns };
  },
});

async function* promptLoop(lines: ReturnType<typeof createInterface>): AsyncGenerator<string> {
  const iterator = lines[Symbol.asyncIterator]();
  while (true) {
    process.stderr.write('> ');
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}
