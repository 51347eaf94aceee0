/**
 * `npm run bench -w packages/agent`: per-call latency of each way to run a tool,
 * as ratios against the baseline measured in the same run (mathjs evaluate called
 * directly), plus the tool-use benchmark through every agent kind with the
 * reference scripts. Writes docs/benchmarks/agent.md.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentKinds } from '../agents/agent-types.js';
import { ReActAgent } from '../agents/react-agent.js';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { RemoteToolClient } from '../remote/remote-tool-client.js';
import { startToolServer } from '../remote/tool-server.js';
import { createBuiltinTools } from '../tools/builtin-tools.js';
import { createCalculatorTool, loadMath } from '../tools/calculator.js';
import { createJsInterpreterTool } from '../tools/js-interpreter.js';
import { createPythonInterpreterTool, findPython } from '../tools/python-interpreter.js';
import { invokeTool } from '../tools/tool.js';
import { referenceScript } from './reference-scripts.js';
import { runToolUseBenchmark, writeToolUseDocs } from './tool-use-benchmark.js';

async function medianMs(repeats: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm-up: module loads and JIT are not what we measure
  const times: number[] = [];
  for (let index = 0; index < repeats; index += 1) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const { evaluate } = await loadMath();
  const calculator = createCalculatorTool();
  const server = await startToolServer({ tools: [calculator] });
  const [remoteCalculator] = await new RemoteToolClient(server.url).tools();
  const rows: [string, number][] = [];
  rows.push(['mathjs evaluate, direct (baseline)', await medianMs(200, async () => evaluate('17 * 23 + 2^10'))]);
  rows.push(['calculator via invokeTool', await medianMs(200, () => invokeTool(calculator, { expression: '17 * 23 + 2^10' }))]);
  rows.push(['calculator via tool server (HTTP, loopback)', await medianMs(100, () => invokeTool(remoteCalculator, { expression: '17 * 23 + 2^10' }))]);
  rows.push(['javascript sandbox (QuickJS), "6 * 7"', await medianMs(50, () => invokeTool(createJsInterpreterTool(), { code: '6 * 7' }))]);
  if (findPython()) rows.push(['python sandbox (subprocess), "6 * 7"', await medianMs(10, () => invokeTool(createPythonInterpreterTool(), { code: '6 * 7' }))]);
  rows.push(['ReAct run, scripted model, 1 tool call', await medianMs(50, () => new ReActAgent({ model: new ScriptedChatModel(['Action: calculator\nAction Input: 6*7', 'Final Answer: 42']), tools: [calculator] }).run('6*7?'))]);
  await server.close();

  const docs = mkdtempSync(join(tmpdir(), 'chainlm-bench-docs-'));
  await writeToolUseDocs(docs);
  const tools = createBuiltinTools(['calculator', 'doc_search', 'javascript'], { docsFolder: docs });
  const suite: string[] = [];
  for (const kind of agentKinds) {
    const summary = await runToolUseBenchmark({ agent: kind, tools, model: (task) => new ScriptedChatModel(referenceScript(kind, task)) });
    suite.push(`| ${kind} | ${summary.tasks} | ${(summary.score * 100).toFixed(0)}% | ${summary.meanSteps.toFixed(2)} | ${summary.meanToolCalls.toFixed(2)} |`);
  }

  const baseline = rows[0][1];
  const table = ['| path | median ms | × baseline |', '| --- | ---: | ---: |', ...rows.map(([name, ms]) => `| ${name} | ${ms.toFixed(3)} | ${(ms / baseline).toFixed(1)} |`)];
  const report = [
    '# agent benchmarks',
    '',
    `Measured by \`npm run bench -w packages/agent\` on ${new Date().toISOString().slice(0, 10)} (node ${process.version}, shared 2-core machine; medians).`,
    '',
    '## Cost of one tool call, by path',
    '',
    ...table,
    '',
    '## Tool-use benchmark with the scripted reference model',
    '',
    'Checks the agent loops and scorer end to end; a live model is scored the same way through `runToolUseBenchmark`.',
    '',
    '| agent | tasks | success | model calls / task | tool calls / task |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...suite,
    '',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/benchmarks/agent.md');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, report);
  process.stderr.write(`wrote ${out}\n`);
}

await main();
