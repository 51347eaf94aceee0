import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { ToolRegistry } from './registry.js';
import { coerceToolInput, defineTool, formatObservation, invokeTool, toolInputJsonSchema } from './tool.js';
import { toolInputs } from './tool-inputs.js';
import { createCalculatorTool } from './calculator.js';
import { createUnitConvertTool } from './unit-convert.js';
import { WorkerRunner } from './worker-runner.js';

const echo = defineTool({
  name: 'echo',
  description: 'echoes',
  inputSchema: z.strictObject({ text: toolInputs.text('what to echo'), times: toolInputs.number('repeat').optional() }),
  async call({ text, times }) {
    return text.repeat(times ?? 1);
  },
});

describe('tool protocol', () => {
  it('exports typed inputs as JSON Schema, media fields tagged', () => {
    const media = defineTool({
      name: 'caption',
      description: 'captions an image',
      inputSchema: z.strictObject({ image: toolInputs.image('picture path or URL'), audio: toolInputs.audio('clip'), file: toolInputs.file('doc'), flag: toolInputs.boolean('b'), extra: toolInputs.json('any JSON') }),
      async call() {
        return 'x';
      },
    });
    const schema = toolInputJsonSchema(media) as { properties: Record<string, Record<string, unknown>>; $schema?: string };
    expect(schema.$schema).toBeUndefined();
    expect(schema.properties.image).toMatchObject({ type: 'string', format: 'uri-reference', 'x-chainlm-type': 'image' });
    expect(schema.properties.audio['x-chainlm-type']).toBe('audio');
    expect(schema.properties.flag.type).toBe('boolean');
    expect(media.inputSchema.safeParse({ image: 'https://x.org/a.png', audio: './a.wav', file: '/tmp/f.txt', flag: true, extra: { a: [1] } }).success).toBe(true);
    expect(media.inputSchema.safeParse({ image: 'javascript:alert(1)', audio: 'a', file: 'f', flag: true, extra: 1 }).success).toBe(false);
  });

  it('coerces plain text and JSON text agent input', () => {
    expect(coerceToolInput(echo, 'hello')).toEqual({ text: 'hello' });
    expect(coerceToolInput(echo, '"quoted"')).toEqual({ text: 'quoted' });
    expect(coerceToolInput(echo, '{"text":"a","times":2}')).toEqual({ text: 'a', times: 2 });
    expect(coerceToolInput(echo, '{not json')).toEqual({ text: '{not json' });
  });

  it('returns a structured invalid-input error naming the field', async () => {
    const result = await invokeTool(echo, { text: 5 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!result.ok) {
      expect(result.error.message).toMatch(/text:/);
      expect(result.error.hint).toMatch(/"text", "times"/);
    }
    expect(await invokeTool(echo, { text: 'a', unknown: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('stops a slow tool at the timeout and aborts its signal', async () => {
    let aborted = false;
    const slow = defineTool({
      name: 'slow',
      description: 'never ends',
      inputSchema: z.object({}),
      call: (_input, context) =>
        new Promise((resolve) => {
          context.signal.addEventListener('abort', () => {
            aborted = true;
            resolve('late');
          });
        }),
    });
    const result = await invokeTool(slow, {}, { timeoutMs: 50 });
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(aborted).toBe(true);
  });

  it('stops a CPU-bound builtin at the call timeout by terminating its worker, and the next call is served', async () => {
    const runner = new WorkerRunner({ maxWorkers: 1 });
    try {
      const calculator = createCalculatorTool({ runner, timeLimitMs: 60_000 });
      expect(await invokeTool(calculator, '2 ^ 10')).toMatchObject({ ok: true, output: { value: 1024 } });
      const started = performance.now();
      const result = await invokeTool(calculator, 'zeros(1e5, 1e5)', { timeoutMs: 300 });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(result).toMatchObject({ ok: false, error: { code: 'timeout', message: expect.stringMatching(/cancelled/) } });
      // One worker was terminated and one replacement started: never more than maxWorkers alive.
      expect(runner.size).toBe(1);
      expect(await invokeTool(createUnitConvertTool({ runner }), { value: 212, from: 'degF', to: 'degC' })).toMatchObject({ ok: true, output: { value: 100 } });
      expect(await invokeTool(calculator, { expression: 'nope(' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    } finally {
      await runner.close();
    }
    expect(runner.size).toBe(0);
  }, 90_000);

  it('ends a memory bomb in its worker with memory-limit, not the process', async () => {
    const runner = new WorkerRunner({ maxWorkers: 1, memoryLimitMb: 64 });
    try {
      const calculator = createCalculatorTool({ runner, timeLimitMs: 60_000 });
      expect(await invokeTool(calculator, 'zeros(1e5, 1e5)', { timeoutMs: 60_000 })).toMatchObject({ ok: false, error: { code: 'memory-limit' } });
      expect(await invokeTool(calculator, '3 * 3')).toMatchObject({ ok: true, output: { value: 9 } });
    } finally {
      await runner.close();
    }
  }, 90_000);

  it('folds ToolError and unexpected exceptions into results', async () => {
    const failing = (error: Error) => defineTool({ name: 'f', description: 'fails', inputSchema: z.object({}), call: async () => Promise.reject(error) });
    expect(await invokeTool(failing(new ToolError('not-found', 'no such thing', 'look elsewhere')), {})).toEqual({ ok: false, error: { code: 'not-found', message: 'no such thing', hint: 'look elsewhere' } });
    expect(await invokeTool(failing(new Error('kaput')), {})).toEqual({ ok: false, error: { code: 'execution-error', message: 'tool "f" failed: kaput' } });
    expect(formatObservation({ ok: false, error: { code: 'timeout', message: 'slow', hint: 'faster' } })).toBe('Error (timeout): slow Hint: faster');
  });

  it('reports a tool that breaks its output schema', async () => {
    const liar = defineTool({ name: 'liar', description: 'wrong output', inputSchema: z.object({}), outputSchema: z.object({ value: z.number() }), call: async () => ({ value: 'seven' }) as never });
    expect(await invokeTool(liar, {})).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('output schema') } });
  });

  it('rejects invalid tool names', () => {
    expect(() => defineTool({ ...echo, name: 'has space' })).toThrow(/not valid/);
  });
});

describe('ToolRegistry', () => {
  it('lists, finds and refuses duplicates', () => {
    const registry = new ToolRegistry([echo]);
    expect(registry.names()).toEqual(['echo']);
    expect(registry.find('nope')).toBeUndefined();
    expect(() => registry.get('nope')).toThrow(/no tool named "nope"/);
    expect(() => registry.register(echo)).toThrow(/already registered/);
  });
});
