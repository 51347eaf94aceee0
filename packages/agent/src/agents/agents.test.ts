import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { z } from 'zod';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { createCalculatorTool } from '../tools/calculator.js';
import { createJsInterpreterTool } from '../tools/js-interpreter.js';
import { createPythonInterpreterTool, findPython } from '../tools/python-interpreter.js';
import { defineTool } from '../tools/tool.js';
import type { AgentStep } from './agent-types.js';
import { createAgent } from './create-agent.js';
import { FunctionCallingAgent } from './function-agent.js';
import { ReActAgent } from './react-agent.js';
import { parsePlan, ReWOOAgent, substituteEvidence } from './rewoo-agent.js';
import { loadTranscript, replayTranscript, saveTranscript } from './transcript.js';

const calculator = createCalculatorTool();
const observations = (steps: AgentStep[]) => steps.filter((step) => step.type === 'observation').map((step) => (step.type === 'observation' ? step.result : null));

describe('ReActAgent', () => {
  it('calls a tool, reads the observation and answers, streaming steps', async () => {
    const model = new ScriptedChatModel(['Thought: I must multiply.\nAction: calculator\nAction Input: {"expression": "37 * 43"}', 'Thought: I know it.\nFinal Answer: 1591']);
    const seen: string[] = [];
    const result = await new ReActAgent({ model, tools: [calculator] }).run('What is 37 * 43?', { onStep: (step) => seen.push(step.type) });
    expect(result).toMatchObject({ answer: '1591', stopReason: 'answer', modelCalls: 2, toolCalls: 1 });
    expect(seen).toEqual(['thought', 'tool-call', 'observation', 'thought', 'answer']);
    expect(model.received[1].messages.at(-1)).toEqual({ role: 'user', content: 'Observation: {"result":"1591","value":1591}' });
    expect(model.received[0].messages[0].content).toContain('calculator: Evaluates');
    expect(model.received[0].stop).toEqual(['\nObservation:']);
  });

  it('recovers from a tool error, an unknown tool and a reply without the protocol', async () => {
    const model = new ScriptedChatModel([
      'Thought: try\nAction: calculator\nAction Input: 2 +* 2',
      'Thought: maybe\nAction: abacus\nAction Input: 2+2',
      'It is four, I think.',
      'Action: calculator\nAction Input: 2+2',
      'Final Answer: 4',
    ]);
    const result = await new ReActAgent({ model, tools: [calculator] }).run('2+2?');
    expect(result.answer).toBe('4');
    const errors = observations(result.steps).map((observation) => (observation && !observation.ok ? observation.error.code : 'ok'));
    expect(errors).toEqual(['invalid-input', 'unknown-tool', 'ok']);
    expect(result.steps.find((step) => step.type === 'error')).toMatchObject({ code: 'format' });
    expect(model.received[2].messages.at(-1)?.content).toMatch(/no tool named "abacus".*calculator/);
    expect(model.received[3].messages.at(-1)?.content).toMatch(/^Observation: Invalid format/);
  });

  it('stops at the step limit', async () => {
    const model = new ScriptedChatModel(Array(5).fill('Action: calculator\nAction Input: 1+1'));
    const result = await new ReActAgent({ model, tools: [calculator], maxSteps: 2 }).run('loop');
    expect(result).toMatchObject({ answer: null, stopReason: 'step-limit', modelCalls: 2 });
    expect(result.steps.at(-1)).toMatchObject({ type: 'error', code: 'step-limit' });
  });

  it('returns an error result when the model fails', async () => {
    const result = await new ReActAgent({ model: new ScriptedChatModel([]), tools: [calculator] }).run('x');
    expect(result).toMatchObject({ stopReason: 'error', steps: [{ type: 'error', code: 'script-exhausted' }] });
  });

  it('times a slow tool out and goes on', async () => {
    const sleepy = defineTool({ name: 'sleepy', description: 'sleeps', inputSchema: z.object({}), call: () => new Promise((resolve) => setTimeout(resolve, 5_000)) });
    const model = new ScriptedChatModel(['Action: sleepy\nAction Input: {}', 'Final Answer: gave up waiting']);
    const result = await new ReActAgent({ model, tools: [sleepy], toolTimeoutMs: 50 }).run('wait');
    expect(observations(result.steps)[0]).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(result.answer).toBe('gave up waiting');
  });
});

describe('sandbox failures inside an agent run', () => {
  it('javascript: an endless loop is stopped and the agent goes on', async () => {
    const js = createJsInterpreterTool({ timeLimitMs: 200 });
    const model = new ScriptedChatModel(['Action: javascript\nAction Input: {"code": "while (true) {}"}', 'Action: javascript\nAction Input: {"code": "21 * 2"}', 'Final Answer: 42']);
    const result = await new ReActAgent({ model, tools: [js] }).run('compute');
    expect(observations(result.steps)).toEqual([{ ok: false, error: expect.objectContaining({ code: 'time-limit' }) }, { ok: true, output: { result: 42, stdout: '' } }]);
    expect(result.answer).toBe('42');
  });

  it.skipIf(skipUnlessPresent(Boolean(findPython()), 'the python tool test needs python3 on the PATH'))('python: reading /etc/passwd and opening a socket fail as tool errors and the agent goes on', async () => {
    const python = createPythonInterpreterTool({ timeLimitMs: 3_000 });
    const model = new ScriptedChatModel([
      { text: '', toolCalls: [{ id: 'a', name: 'python', arguments: JSON.stringify({ code: 'open("/etc/passwd").read()' }) }], finishReason: 'tool_calls' },
      { text: '', toolCalls: [{ id: 'b', name: 'python', arguments: JSON.stringify({ code: 'import socket\nsocket.create_connection(("127.0.0.1", 80))' }) }], finishReason: 'tool_calls' },
      { text: '', toolCalls: [{ id: 'c', name: 'python', arguments: JSON.stringify({ code: 'sum(range(10))' }) }], finishReason: 'tool_calls' },
      { text: 'The sum is 45.', toolCalls: [], finishReason: 'stop' },
    ]);
    const result = await new FunctionCallingAgent({ model, tools: [python] }).run('sum 0..9');
    expect(observations(result.steps).map((observation) => (observation?.ok ? 'ok' : observation?.error.code))).toEqual(['sandbox-violation', 'sandbox-violation', 'ok']);
    expect(result.answer).toBe('The sum is 45.');
  });
});

describe('FunctionCallingAgent', () => {
  it('runs several tool calls per turn, reports bad JSON arguments, then answers', async () => {
    const model = new ScriptedChatModel([
      { text: 'Let me compute.', toolCalls: [{ id: 'x1', name: 'calculator', arguments: '{"expression":"2^10"}' }, { id: 'x2', name: 'calculator', arguments: '{"expression": 3' }], finishReason: 'tool_calls' },
      { text: '1024 and then 3.', toolCalls: [], finishReason: 'stop' },
    ]);
    const result = await new FunctionCallingAgent({ model, tools: [calculator] }).run('powers');
    expect(result).toMatchObject({ answer: '1024 and then 3.', toolCalls: 2, modelCalls: 2 });
    expect(model.received[0].tools?.[0]).toMatchObject({ name: 'calculator', parameters: { type: 'object', required: ['expression'] } });
    const toolMessages = model.received[1].messages.filter((message) => message.role === 'tool');
    expect(toolMessages.map((message) => message.toolCallId)).toEqual(['x1', 'x2']);
    expect(toolMessages[1].content).toMatch(/^Error \(invalid-input\): the arguments are not valid JSON/);
    expect(result.steps[0]).toEqual({ type: 'thought', step: 1, text: 'Let me compute.' });
  });
});

describe('ReWOOAgent', () => {
  it('parses plans and substitutes evidence (JSON-safe)', () => {
    expect(parsePlan('Plan: a\n#E1 = calculator[{"expression": "2*3"}]\nPlan: b\n#E2 = javascript[{"code": "#E1 + 1"}]\nnoise')).toEqual([
      { id: 'E1', tool: 'calculator', input: '{"expression": "2*3"}', reasoning: 'a' },
      { id: 'E2', tool: 'javascript', input: '{"code": "#E1 + 1"}', reasoning: 'b' },
    ]);
    const evidence = new Map([['E1', 'say "hi"'], ['E10', 'ten']]);
    expect(substituteEvidence('{"q": "#E1 and #E10"}', evidence)).toBe('{"q":"say \\"hi\\" and ten"}');
    expect(substituteEvidence('#E1 then #E2', evidence)).toBe('say "hi" then #E2');
  });

  it('plans, runs the chained calls, and solves in two model calls', async () => {
    const model = new ScriptedChatModel([
      'Plan: Compute the area.\n#E1 = calculator[{"expression": "12 * 7"}]\nPlan: Add the border.\n#E2 = calculator[#E1 + 16]',
      'Final Answer: 100',
    ]);
    const result = await new ReWOOAgent({ model, tools: [calculator] }).run('area plus border');
    expect(result).toMatchObject({ answer: '100', modelCalls: 2, toolCalls: 2 });
    expect(result.steps.filter((step) => step.type === 'tool-call').map((step) => (step.type === 'tool-call' ? step.input : null))).toEqual(['{"expression":"12 * 7"}', '84 + 16']);
    expect(observations(result.steps)[1]).toEqual({ ok: true, output: { result: '100', value: 100 } });
    expect(model.received[1].messages[1].content).toContain('#E1 = calculator[{"expression": "12 * 7"}]\nEvidence: 84');
  });

  it('caps the number of planned calls', async () => {
    const plan = Array.from({ length: 4 }, (_, index) => `#E${index + 1} = calculator[1]`).join('\n');
    const result = await new ReWOOAgent({ model: new ScriptedChatModel([plan]), tools: [calculator], maxSteps: 3 }).run('x');
    expect(result).toMatchObject({ stopReason: 'step-limit', toolCalls: 0 });
  });
});

describe('transcripts', () => {
  it('save, load and replay reproduce the same steps for every agent kind', async () => {
    const scripts = {
      react: ['Action: calculator\nAction Input: 6*7', 'Final Answer: 42'],
      function: [{ text: '', toolCalls: [{ id: 'k', name: 'calculator', arguments: '{"expression":"6*7"}' }], finishReason: 'tool_calls' }, { text: '42', toolCalls: [], finishReason: 'stop' }],
      rewoo: ['#E1 = calculator[6*7]', '42'],
    } as const;
    const folder = mkdtempSync(join(tmpdir(), 'chainlm-transcripts-'));
    for (const [kind, script] of Object.entries(scripts)) {
      const original = await createAgent(kind, { model: new ScriptedChatModel([...script]), tools: [calculator] }).run('six times seven');
      const file = join(folder, `${kind}.json`);
      await saveTranscript(file, original.transcript);
      const loaded = await loadTranscript(file);
      const replayed = await replayTranscript(loaded, [createCalculatorTool()]);
      expect(replayed.steps).toEqual(original.steps);
      expect(replayed.answer).toBe('42');
    }
  });

  it('replay fails loudly when a tool now answers differently, or is missing', async () => {
    const original = await new ReActAgent({ model: new ScriptedChatModel(['Action: calculator\nAction Input: 6*7', 'Final Answer: 42']), tools: [calculator] }).run('q');
    const liar = defineTool({ name: 'calculator', description: calculator.description, inputSchema: calculator.inputSchema, call: async () => ({ result: '41', value: 41 }) });
    const replayed = await replayTranscript(original.transcript, [liar]);
    expect(replayed).toMatchObject({ stopReason: 'error', steps: expect.arrayContaining([expect.objectContaining({ code: 'replay-diverged' })]) });
    await expect(replayTranscript(original.transcript, [])).rejects.toMatchObject({ code: 'replay-tools-missing' });
    await expect(loadTranscript(join(tmpdir(), 'missing-transcript.json'))).rejects.toMatchObject({ code: 'transcript-unreadable' });
  });
});
