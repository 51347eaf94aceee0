/** Unit conversion (length, mass, time, temperature, data, …) on mathjs units. */
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { loadMath } from './calculator.js';
import { defineTool } from './tool.js';

const inputSchema = z.strictObject({
  value: z.number().describe('the quantity to convert'),
  from: z.string().min(1).describe('unit of the value, e.g. "km", "degF", "MiB"'),
  to: z.string().min(1).describe('unit to convert to, e.g. "mile", "degC", "kB"'),
});

export function createUnitConvertTool() {
  return defineTool({
    name: 'unit_convert',
    description: 'Converts a quantity from one unit to another (e.g. 5 km to mile, 100 degF to degC).',
    inputSchema,
    outputSchema: z.object({ value: z.number(), unit: z.string(), text: z.string() }),
    async call({ value, from, to }) {
      const { math } = await loadMath();
      let converted: number;
      try {
        converted = math.unit(value, from).toNumber(to);
      } catch (error) {
        throw new ToolError('invalid-input', `cannot convert ${value} ${from} to ${to}: ${(error as Error).message}`, 'use mathjs unit names such as m, km, mile, kg, lb, degC, degF, s, h, byte, MiB');
      }
      const rounded = Number(converted.toPrecision(12));
      return { value: rounded, unit: to, text: `${value} ${from} = ${rounded} ${to}` };
    },
  });
}
