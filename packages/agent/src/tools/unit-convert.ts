/**
 * Unit conversion (length, mass, time, temperature, data, …) on mathjs units, run in
 * the math tools' worker thread under a time limit like the calculator.
 */
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defaultMathTimeLimitMs, loadMath, type MathToolOptions } from './calculator.js';
import { defineTool } from './tool.js';
import { builtModuleUrl } from '@chainlm/core';
import { sharedWorkerRunner } from './worker-runner.js';

export { prepareWorker } from './calculator.js';

const inputSchema = z.strictObject({
  value: z.number().describe('the quantity to convert'),
  from: z.string().min(1).describe('unit of the value, e.g. "km", "degF", "MiB"'),
  to: z.string().min(1).describe('unit to convert to, e.g. "mile", "degC", "kB"'),
});

const outputSchema = z.object({ value: z.number(), unit: z.string(), text: z.string() });

/** Runs inside the tool worker: one conversion. */
export async function convertUnits({ value, from, to }: z.infer<typeof inputSchema>): Promise<z.infer<typeof outputSchema>> {
  const { math } = await loadMath();
  let converted: number;
  try {
    converted = math.unit(value, from).toNumber(to);
  } catch (error) {
    throw new ToolError('invalid-input', `cannot convert ${value} ${from} to ${to}: ${(error as Error).message}`, 'use mathjs unit names such as m, km, mile, kg, lb, degC, degF, s, h, byte, MiB');
  }
  const rounded = Number(converted.toPrecision(12));
  return { value: rounded, unit: to, text: `${value} ${from} = ${rounded} ${to}` };
}

export function createUnitConvertTool(options: MathToolOptions = {}) {
  return defineTool({
    name: 'unit_convert',
    description: 'Converts a quantity from one unit to another (e.g. 5 km to mile, 100 degF to degC).',
    inputSchema,
    outputSchema,
    async call(input, context) {
      const task = { module: builtModuleUrl(import.meta.url), exportName: 'convertUnits', input, label: 'unit_convert' };
      return (await (options.runner ?? sharedWorkerRunner()).run(task, { timeLimitMs: options.timeLimitMs ?? defaultMathTimeLimitMs, signal: context.signal })) as z.infer<typeof outputSchema>;
    },
  });
}
