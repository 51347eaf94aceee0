/**
 * Calculator on mathjs's expression parser (never `eval`): arithmetic, functions,
 * matrices, and units (`5 km to mile`). The functions that could define or parse new
 * code at run time are disabled, as mathjs's security notes recommend. An expression
 * is synchronous CPU work that can run for ever (`zeros(1e5, 1e5)`), so it is
 * evaluated in a worker thread (worker-runner.ts) that is terminated at the time limit.
 */
import type { MathJsInstance } from 'mathjs';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';
import { builtModuleUrl } from '@chainlm/core';
import { sharedWorkerRunner, type WorkerRunner } from './worker-runner.js';

const disabled = ['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'compile', 'resolve', 'reviver'];

export interface SafeMath {
  math: MathJsInstance;
  evaluate: (expression: string) => unknown;
}

let loading: Promise<SafeMath> | undefined;

/** mathjs, loaded on first use (importing it costs ~1 s of CLI start-up), with the code-making functions disabled. */
export function loadMath(): Promise<SafeMath> {
  loading ??= import('mathjs').then(({ create, all }) => {
    const math = create(all);
    const evaluate = math.evaluate.bind(math) as (expression: string) => unknown;
    const refuse = (name: string) => () => {
      throw new Error(`function ${name} is disabled in the calculator`);
    };
    math.import(Object.fromEntries(disabled.map((name) => [name, refuse(name)])), { override: true });
    return { math, evaluate };
  });
  return loading;
}

const inputSchema = z.strictObject({
  expression: z.string().min(1).max(2000).describe('a math expression, e.g. "sqrt(2) * 3^4" or "12.5 inch to cm"'),
});
const outputSchema = z.object({ result: z.string(), value: z.number().optional() });

/** Loads mathjs in a tool worker before its first call's clock starts. */
export async function prepareWorker(): Promise<void> {
  await loadMath();
}

/** Runs inside the tool worker: evaluates one expression. */
export async function evaluateCalculatorExpression(expression: string): Promise<z.infer<typeof outputSchema>> {
  const { math, evaluate: evaluateExpression } = await loadMath();
  let value: unknown;
  try {
    value = evaluateExpression(expression);
  } catch (error) {
    throw new ToolError('invalid-input', `cannot evaluate "${expression}": ${(error as Error).message}`, 'write a mathjs expression, e.g. "2 * (3 + 4)" or "5 km to mile"');
  }
  if (value === undefined || typeof value === 'function') {
    throw new ToolError('invalid-input', `"${expression}" does not evaluate to a value`, 'end the expression with the value to compute');
  }
  // Plain digits up to 1e21 (agents copy numbers; "5.2759426e+7" invites mistakes).
  const result = math.format(value as never, { precision: 14, lowerExp: -9, upperExp: 21 });
  return typeof value === 'number' ? { result, value } : { result };
}

export interface MathToolOptions {
  /** Milliseconds one evaluation may run before its worker is terminated. Default 10 000. */
  timeLimitMs?: number;
  /** The worker runner to use (default: the one the builtin math tools share). */
  runner?: WorkerRunner;
}

export const defaultMathTimeLimitMs = 10_000;

export function createCalculatorTool(options: MathToolOptions = {}) {
  return defineTool({
    name: 'calculator',
    description: 'Evaluates a math expression exactly as written (arithmetic, functions like sqrt/log/sin, units with "to").',
    inputSchema,
    outputSchema,
    async call({ expression }, context) {
      const task = { module: builtModuleUrl(import.meta.url), exportName: 'evaluateCalculatorExpression', input: expression, label: 'calculator' };
      return (await (options.runner ?? sharedWorkerRunner()).run(task, { timeLimitMs: options.timeLimitMs ?? defaultMathTimeLimitMs, signal: context.signal })) as z.infer<typeof outputSchema>;
    },
  });
}
