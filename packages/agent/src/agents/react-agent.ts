/**
 * ReAct (Yao et al., 2022) over plain text: the model writes Thought / Action /
 * Action Input; we run the tool and answer with `Observation: …` as the next user
 * message, until it writes `Final Answer:`. Stop sequences keep the model from
 * inventing observations; the parser copes when the server ignores them. A reply
 * without the protocol gets a corrective observation (the model may recover) and
 * counts as a step.
 */
import { formatObservation, toolInputJsonSchema } from '../tools/tool.js';
import { AgentSession, describeTools } from './agent-session.js';
import type { Agent, AgentOptions, AgentRunResult, RunOptions } from './agent-types.js';
import { parseReAct } from './react-parser.js';
import type { ChatMessage } from '../models/chat-model.js';

export const defaultReActInstructions = 'Answer the question as well as you can. Use a tool whenever it helps: for arithmetic always use the calculator.';

export function reactSystemPrompt(instructions: string, toolList: string, toolNames: string[]): string {
  return [
    instructions,
    '',
    'You have these tools:',
    toolList,
    '',
    'Use exactly this format:',
    'Thought: what to do next',
    `Action: one tool name from [${toolNames.join(', ')}]`,
    'Action Input: the tool input as a JSON object',
    'Observation: the tool result (written for you; never write it yourself)',
    '... (Thought/Action/Action Input/Observation may repeat)',
    'Thought: I now know the final answer',
    'Final Answer: the answer to the question',
  ].join('\n');
}

export class ReActAgent implements Agent {
  readonly kind = 'react' as const;

  constructor(private readonly options: AgentOptions) {}

  async run(task: string, runOptions: RunOptions = {}): Promise<AgentRunResult> {
    const session = new AgentSession('react', task, this.options, runOptions);
    const registry = session.registry;
    const system = reactSystemPrompt(this.options.systemPrompt ?? defaultReActInstructions, describeTools(registry, (name) => toolInputJsonSchema(registry.get(name))), registry.names());
    const messages: ChatMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: `Question: ${task}` },
    ];
    for (let step = 1; step <= session.maxSteps; step += 1) {
      let text: string;
      try {
        text = (await session.chat({ messages: [...messages], stop: ['\nObservation:'] })).text;
      } catch (error) {
        return session.fail(step, error);
      }
      const parsed = parseReAct(text);
      if (parsed.thought) session.emit({ type: 'thought', step, text: parsed.thought });
      if (parsed.kind === 'final') return session.answer(step, parsed.answer);
      messages.push({ role: 'assistant', content: keepUntilObservation(text) });
      if (parsed.kind === 'invalid') {
        session.emit({ type: 'error', step, code: 'format', message: parsed.problem });
        messages.push({ role: 'user', content: `Observation: Invalid format: ${parsed.problem}. Reply with "Action:" and "Action Input:" lines, or with "Final Answer:".` });
        continue;
      }
      const result = await session.callTool(step, `call_${step}`, parsed.tool, parsed.input);
      messages.push({ role: 'user', content: `Observation: ${formatObservation(result)}` });
    }
    return session.stepLimit(session.maxSteps);
  }
}

/** The model's text up to any observation it invented. */
function keepUntilObservation(text: string): string {
  const at = text.search(/\n\s*Observation\s*:/i);
  return (at < 0 ? text : text.slice(0, at)).trim();
}
