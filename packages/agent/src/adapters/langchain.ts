/**
 * LangChain.js interop, both ways (AgentLego's point: one toolbox, many agent
 * frameworks).
 *  - `toLangChainTool`: a chainlm tool as a DynamicStructuredTool whose schema is our
 *    JSON Schema; it returns the ToolResult as JSON text (`{"ok":true,"output":…}` or
 *    `{"ok":false,"error":{code,message}}`) so a LangChain agent sees errors as data.
 *  - `fromLangChainTool`: any LangChain structured tool as a chainlm tool. A zod 4
 *    schema is used as is; a zod 3 or JSON schema is exported to JSON Schema for the
 *    model and LangChain's own validation does the checking.
 */
import { tool as langChainTool, type StructuredToolInterface } from '@langchain/core/tools';
import { toJsonSchema } from '@langchain/core/utils/json_schema';
import { isZodSchemaV4 } from '@langchain/core/utils/types';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool, invokeTool, toolInputJsonSchema, type JsonSchema, type Tool } from '../tools/tool.js';

export function toLangChainTool(tool: Tool, options: { timeoutMs?: number } = {}) {
  return langChainTool(async (input: unknown) => JSON.stringify(await invokeTool(tool, input, options)), {
    name: tool.name,
    description: tool.description,
    schema: toolInputJsonSchema(tool) as never,
  });
}

export function fromLangChainTool(source: StructuredToolInterface): Tool {
  const schema: unknown = source.schema;
  const zod4 = isZodSchemaV4(schema) ? (schema as unknown as z.ZodType) : undefined;
  const jsonSchema = zod4 ? undefined : withoutMeta(toJsonSchema(schema as never) as JsonSchema);
  return defineTool({
    name: source.name,
    description: source.description,
    inputSchema: zod4 ?? z.record(z.string(), z.unknown()),
    ...(jsonSchema ? { inputJsonSchema: jsonSchema } : {}),
    async call(input, context) {
      let output: unknown;
      try {
        output = await source.invoke(input as never, { signal: context.signal });
      } catch (error) {
        const message = (error as Error).message;
        const invalid = (error as Error).name === 'ToolInputParsingException' || /did not match expected schema/i.test(message);
        throw new ToolError(invalid ? 'invalid-input' : 'execution-error', `LangChain tool "${source.name}" failed: ${message}`);
      }
      return contentOf(output);
    },
  });
}

function withoutMeta(schema: JsonSchema): JsonSchema {
  const copy = { ...schema };
  delete copy.$schema;
  return copy;
}

/** A LangChain tool may return a string, a ToolMessage, or any JSON value. */
function contentOf(output: unknown): unknown {
  if (output && typeof output === 'object' && 'content' in output && (output as { lc_namespace?: unknown }).lc_namespace) {
    return (output as { content: unknown }).content;
  }
  return output;
}
