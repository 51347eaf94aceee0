/**
 * The tool protocol. A tool is a name, a description, a zod input schema (exported to
 * JSON Schema for function calling, MCP and the tool server), an optional output
 * schema, and an async `call`. Callers never call `tool.call` directly: `invokeTool`
 * coerces loose agent input, validates it, applies the time limit and returns a
 * `ToolResult` — never throws for an expected failure.
 */
import { z } from 'zod';
import { AgentError, ToolError, type ToolErrorCode } from '../errors.js';

export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  /** Aborted when the call times out or the agent stops. */
  signal: AbortSignal;
  /** Milliseconds the call may take in total. */
  timeoutMs: number;
}

export interface Tool<Input = any, Output = any> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  outputSchema?: z.ZodType<Output>;
  /** JSON Schema of the input when it did not come from zod (remote and wrapped tools). */
  inputJsonSchema?: JsonSchema;
  call(input: Input, context: ToolContext): Promise<Output>;
}

export interface ToolFailure {
  code: ToolErrorCode;
  message: string;
  hint?: string;
}

export type ToolResult<Output = unknown> = { ok: true; output: Output } | { ok: false; error: ToolFailure };

export function defineTool<Input, Output>(tool: Tool<Input, Output>): Tool<Input, Output> {
  if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/.test(tool.name)) {
    throw new AgentError('tool-name-invalid', `tool name "${tool.name}" is not valid`, 'use letters, digits, "_" or "-", starting with a letter (OpenAI function names)', 2);
  }
  return tool;
}

/** The tool's input as JSON Schema (no `$schema` key, so it drops into OpenAI/MCP payloads). */
export function toolInputJsonSchema(tool: Tool): JsonSchema {
  if (tool.inputJsonSchema) return tool.inputJsonSchema;
  const schema = z.toJSONSchema(tool.inputSchema, { unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

/**
 * Turns what an agent wrote into the object the schema wants: JSON text is parsed;
 * plain text goes to the tool's only required string field (so a ReAct model may
 * write `Action Input: 2+2` for the calculator's `{ expression }`).
 */
export function coerceToolInput(tool: Tool, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      // not JSON after all: fall through to the single-field rule
    }
  }
  const field = primaryTextField(tool);
  return field === undefined ? raw : { [field]: stripQuotes(text) };
}

function primaryTextField(tool: Tool): string | undefined {
  const schema = toolInputJsonSchema(tool);
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : Object.keys(properties);
  const textFields = required.filter((key) => properties[key]?.type === 'string');
  return textFields.length === 1 ? textFields[0] : undefined;
}

function stripQuotes(text: string): string {
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(text);
  return quoted ? quoted[2] : text;
}

export interface InvokeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const defaultToolTimeoutMs = 30_000;

/** Validates, calls with a time limit, and folds every failure into a ToolResult. */
export async function invokeTool(tool: Tool, rawInput: unknown, options: InvokeOptions = {}): Promise<ToolResult> {
  const parsed = tool.inputSchema.safeParse(coerceToolInput(tool, rawInput));
  if (!parsed.success) return { ok: false, error: describeInvalidInput(tool, parsed.error) };
  const timeoutMs = options.timeoutMs ?? defaultToolTimeoutMs;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // True for every builtin: async tools stop on the aborted signal, and CPU-bound
      // ones run in a worker thread (worker-runner.ts) that the abort terminates.
      const error = new ToolError('timeout', `tool "${tool.name}" did not finish within ${timeoutMs} ms and was cancelled (its abort signal fired)`, 'simplify the input or raise the tool timeout');
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  try {
    const output = await Promise.race([tool.call(parsed.data, { signal: controller.signal, timeoutMs }), timedOut]);
    if (tool.outputSchema) {
      // A tool that breaks its own output contract is a bug in the tool, reported as such.
      const checked = tool.outputSchema.safeParse(output);
      if (!checked.success) {
        return { ok: false, error: { code: 'internal', message: `tool "${tool.name}" returned output that does not match its output schema: ${checked.error.issues[0]?.message}` } };
      }
    }
    return { ok: true, output };
  } catch (error) {
    return { ok: false, error: toFailure(tool, error) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function describeInvalidInput(tool: Tool, error: z.ZodError): ToolFailure {
  const problems = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`);
  const fields = Object.keys((toolInputJsonSchema(tool).properties ?? {}) as object);
  return {
    code: 'invalid-input',
    message: `invalid input for tool "${tool.name}": ${problems.join('; ')}`,
    hint: `pass a JSON object with the fields ${fields.map((field) => `"${field}"`).join(', ')}`,
  };
}

export function toFailure(tool: Tool, error: unknown): ToolFailure {
  if (error instanceof ToolError) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'execution-error', message: `tool "${tool.name}" failed: ${message}` };
}

/** Text an agent sees as the Observation for a result. */
export function formatObservation(result: ToolResult): string {
  if (!result.ok) return `Error (${result.error.code}): ${result.error.message}${result.error.hint ? ` Hint: ${result.error.hint}` : ''}`;
  return typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
}
