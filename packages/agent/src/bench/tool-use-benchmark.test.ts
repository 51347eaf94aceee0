import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentKinds } from '../agents/agent-types.js';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { createBuiltinTools } from '../tools/builtin-tools.js';
import { referenceScript } from './reference-scripts.js';
import { runToolUseBenchmark, scoreToolUseRun, toolUseTasks, writeToolUseDocs } from './tool-use-benchmark.js';

describe('tool-use benchmark', () => {
  const docs = mkdtempSync(join(tmpdir(), 'chainlm-bench-docs-'));
  beforeAll(() => writeToolUseDocs(docs));
  const tools = () => createBuiltinTools(['calculator', 'doc_search', 'javascript'], { docsFolder: docs });

  for (const kind of agentKinds) {
    it(`${kind} agent completes every task with the scripted reference model`, async () => {
      const summary = await runToolUseBenchmark({ agent: kind, tools: tools(), model: (task) => new ScriptedChatModel(referenceScript(kind, task)) });
      expect(summary.details.filter((detail) => !detail.success)).toEqual([]);
      expect(summary).toMatchObject({ score: 1, tasks: 9, meanSteps: 2, meanToolCalls: 1, byCategory: { arithmetic: { score: 1, tasks: 3 }, lookup: { score: 1 }, code: { score: 1 } } });
    });
  }

  it('fails a right answer given without the tool, and a tool call without the answer', async () => {
    const task = toolUseTasks[0];
    const guessed = await runToolUseBenchmark({ agent: 'react', tools: tools(), tasks: [task], model: () => new ScriptedChatModel([`Final Answer: ${task.expected}`]) });
    expect(guessed.details[0]).toMatchObject({ success: false, answerCorrect: true, toolUsed: false });
    const wrongInput = { ...task, referenceInput: { expression: '1 + 1' } };
    const wrong = await runToolUseBenchmark({ agent: 'function', tools: tools(), tasks: [wrongInput], model: () => new ScriptedChatModel(referenceScript('function', wrongInput)) });
    expect(wrong.details[0]).toMatchObject({ success: false, toolUsed: false });
    expect(wrong.score).toBe(0);
  });

  it('accepts thousands separators in answers', () => {
    const task = toolUseTasks[0];
    const result = { answer: 'It is 52,759,426.', modelCalls: 2, toolCalls: 1, stopReason: 'answer', steps: [{ type: 'observation', step: 1, callId: 'c', tool: 'calculator', result: { ok: true, output: { result: '52759426' } } }] };
    expect(scoreToolUseRun(task, result as never).success).toBe(true);
  });
});
