import { EventBus, type ChainlmEvent } from '@chainlm/core';
import { describe, expect, it } from 'vitest';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { createCalculatorTool } from '../tools/calculator.js';
import { ReActAgent } from './react-agent.js';
import { stepsToEvents } from './steps-to-events.js';

describe('stepsToEvents', () => {
  it('turns a run into task-start, log events per step (warn for tool errors), task-done', async () => {
    const bus = new EventBus();
    const events: ChainlmEvent[] = [];
    bus.on((event) => events.push(event));
    const bridge = stepsToEvents(bus, 'agent-1');
    const model = new ScriptedChatModel(['Action: calculator\nAction Input: 1 +* 1', 'Final Answer: none']);
    bridge.finish(await new ReActAgent({ model, tools: [createCalculatorTool()] }).run('x', { onStep: bridge.onStep }));
    expect(events.map((event) => (event.type === 'log' ? `log:${event.level}` : event.type))).toEqual(['task-start', 'log:info', 'log:warn', 'log:info', 'task-done']);
    const failed = stepsToEvents(bus, 'agent-2');
    failed.finish(await new ReActAgent({ model: new ScriptedChatModel([]), tools: [] }).run('x', { onStep: failed.onStep }));
    expect(events.at(-1)).toMatchObject({ type: 'task-error', task: 'agent-2', code: 'error' });
  });
});
