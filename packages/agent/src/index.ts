// Errors
export { AgentError, ToolError, toolErrorCodes, toolErrorFromFailure, type ToolErrorCode } from './errors.js';
// Tool protocol and toolbox
export { defineTool, invokeTool, coerceToolInput, toolInputJsonSchema, formatObservation, defaultToolTimeoutMs, type Tool, type ToolContext, type ToolResult, type ToolFailure, type InvokeOptions, type JsonSchema } from './tools/tool.js';
export { toolInputs, type MediaKind } from './tools/tool-inputs.js';
export { ToolRegistry } from './tools/registry.js';
export { createBuiltinTools, builtinToolNames, toolboxConfigSchema, resolveToolName, type BuiltinToolName, type ToolboxConfig } from './tools/builtin-tools.js';
export { createCalculatorTool } from './tools/calculator.js';
export { createUnitConvertTool } from './tools/unit-convert.js';
export { createDateTimeTool } from './tools/date-time.js';
export { createJsInterpreterTool, defaultJsLimits, type JsSandboxLimits } from './tools/js-interpreter.js';
export { createPythonInterpreterTool, defaultPythonLimits, findPython, type PythonSandboxLimits } from './tools/python-interpreter.js';
export { createDocSearchTool, DocumentIndex, splitPassages, type DocSearchOptions, type Passage } from './tools/doc-search.js';
export { createHttpFetchTool, hostAllowed, type HttpFetchOptions } from './tools/http-fetch.js';
export { createDatasetSqlTool, findDatasets, type DatasetSqlOptions } from './tools/dataset-sql.js';
// Models
export type { ChatModel, ChatMessage, ChatRequest, ChatResponse, ChatToolCall, ChatOptions, FunctionSchema } from './models/chat-model.js';
export { OpenAICompatibleChatModel, chatCompletionsUrl, type OpenAIChatModelOptions } from './models/openai-chat-model.js';
export { ScriptedChatModel, type ScriptedTurn, type ScriptedChatModelOptions } from './models/scripted-chat-model.js';
// Agents
export { agentKinds, type Agent, type AgentKind, type AgentOptions, type AgentRunResult, type AgentStep, type PlannedCall, type RunOptions, type StopReason, type Transcript, type TranscriptTurn } from './agents/agent-types.js';
export { createAgent } from './agents/create-agent.js';
export { ReActAgent } from './agents/react-agent.js';
export { parseReAct, type ReActParse } from './agents/react-parser.js';
export { FunctionCallingAgent } from './agents/function-agent.js';
export { ReWOOAgent, parsePlan, substituteEvidence } from './agents/rewoo-agent.js';
export { saveTranscript, loadTranscript, parseTranscript, replayTranscript, scriptedModelFromTranscript } from './agents/transcript.js';
export { stepsToEvents } from './agents/steps-to-events.js';
// Adapters
export { toOpenAIFunction, toOpenAIFunctions, toOpenAITools } from './adapters/openai-functions.js';
export { toLangChainTool, fromLangChainTool } from './adapters/langchain.js';
export { createMcpServer, fromMcpClient } from './adapters/mcp.js';
// Remote tools
export { buildToolServer, startToolServer, type ToolServerOptions } from './remote/tool-server.js';
export { RemoteToolClient, type RemoteToolClientOptions } from './remote/remote-tool-client.js';
// Benchmark (run by packages/eval)
export { toolUseTasks, toolUseDocs, writeToolUseDocs, scoreToolUseRun, summarizeToolUse, runToolUseBenchmark, type ToolUseTask, type ToolUseScore, type ToolUseSummary, type ToolUseCategory, type RunToolUseOptions } from './bench/tool-use-benchmark.js';
export { referenceScript } from './bench/reference-scripts.js';
// CLI
export { agentProgram } from './cli/program.js';
