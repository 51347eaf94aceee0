/**
 * The chainlm-agent binary, spawned from dist/ (build first: `npx tsc -b packages/agent`).
 * A fake OpenAI endpoint on 127.0.0.1 stands in for chainlm-serve.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../testing/fake-openai-server.js';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bin/chainlm-agent.js');
const run = promisify(execFile);
const folder = mkdtempSync(join(tmpdir(), 'chainlm-agent-cli-'));
const env = { ...process.env, CHAINLM_HOME: join(folder, 'home') };

async function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}


describe.skipIf(skipUnlessPresent(bin, 'the chainlm-agent CLI tests run the built binary: npx tsc -b packages/agent (npm test builds first)'))('chainlm-agent CLI', () => {
  let model: FakeOpenAIServer;
  beforeAll(async () => {
    model = await startFakeOpenAIServer((request) => {
      const last = request.messages.at(-1);
      if (request.tools) {
        return last?.role === 'tool'
          ? { text: `The product is ${JSON.parse(String(last.content)).value}.`, toolCalls: [], finishReason: 'stop' }
          : { text: '', toolCalls: [{ id: 'c1', name: 'calculator', arguments: '{"expression":"6*7"}' }], finishReason: 'tool_calls' };
      }
      return String(last?.content).startsWith('Observation:')
        ? { text: 'Thought: done\nFinal Answer: 42', toolCalls: [], finishReason: 'stop' }
        : { text: 'Thought: multiply\nAction: calculator\nAction Input: 6*7', toolCalls: [], finishReason: 'stop' };
    });
  });
  afterAll(() => model.close());

  it('tools --json lists schemas', async () => {
    const { stdout, code } = await run(process.execPath, [bin, 'tools', '--tools', 'calculator,js', '--json'], { env }).then((result) => ({ ...result, code: 0 }));
    expect(code).toBe(0);
    expect(JSON.parse(stdout).tools.map((tool: { name: string }) => tool.name)).toEqual(['calculator', 'javascript']);
  });

  it('call prints {ok, output}, and {ok: false, error} with exit 1', async () => {
    const ok = await cli(['call', 'calculator', '--input', '{"expression": "2^10"}', '--json']);
    expect([ok.code, JSON.parse(ok.stdout)]).toEqual([0, { ok: true, output: { result: '1024', value: 1024 } }]);
    const failed = await cli(['call', 'javascript', '--input', '{"code": "while(true){}"}', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, error: { code: 'time-limit' } });
    expect(failed.stderr).toMatch(/error: tool "javascript" failed with time-limit/);
    expect((await cli(['call', 'calculator', '--input', '{oops'])).code).toBe(2);
    expect((await cli(['call', 'abacus', '--input', '{}'])).stderr).toMatch(/unknown tool "abacus"/);
  });

  it('run drives an agent against an HTTP model, saves a transcript, and replay reproduces it', async () => {
    const transcript = join(folder, 'run.json');
    const result = await cli(['run', 'What is 6 times 7?', '--model', model.url, '--agent', 'function', '--tools', 'calculator', '--save-transcript', transcript, '--stream']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('The product is 42.');
    expect(result.stderr).toMatch(/→ calculator \{"expression":"6\*7"\}/);
    expect(JSON.parse(readFileSync(transcript, 'utf8'))).toMatchObject({ agent: 'function', turns: [{}, {}], answer: 'The product is 42.' });
    const replayed = await cli(['replay', transcript, '--json']);
    expect([replayed.code, JSON.parse(replayed.stdout)]).toEqual([0, { reproduced: true, answer: 'The product is 42.', stopReason: 'answer' }]);
    const fromFile = await cli(['run', 'What is 6 times 7?', '--model', transcript, '--agent', 'function', '--tools', 'calculator', '--json']);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ answer: 'The product is 42.', toolCalls: 1 });
  });

  it('run exits 1 without an answer and 2 for a model folder', async () => {
    const limited = await cli(['run', 'What is 6 times 7?', '--model', model.url, '--agent', 'react', '--tools', 'calculator', '--max-steps', '1', '--json']);
    expect(limited.code).toBe(1);
    expect(JSON.parse(limited.stdout)).toMatchObject({ answer: null, stopReason: 'step-limit' });
    const folderModel = await cli(['run', 'x', '--model', folder]);
    expect(folderModel.code).toBe(2);
    expect(folderModel.stderr).toMatch(/chainlm-serve/);
  });

  it('chat answers line by line with the steps shown', async () => {
    const chat = await cli(['chat', '--model', model.url, '--agent', 'react', '--tools', 'calculator'], 'What is 6*7?\nexit\n');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe('42\n');
    expect(chat.stderr).toMatch(/← calculator: \{"result":"42","value":42\}/);
  });

  it('tool-server serves tools that `call --remote` uses, and rejects a wrong key', async () => {
    const server = spawn(process.execPath, [bin, 'tool-server', '--tools', 'calculator', '--port', '0', '--api-key', 'k1'], { env });
    const url = await new Promise<string>((found, fail) => {
      let seen = '';
      server.stderr.on('data', (chunk) => {
        seen += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(seen);
        if (match) found(match[1]);
      });
      server.on('close', () => fail(new Error(`tool-server exited: ${seen}`)));
    });
    try {
      const remote = await cli(['call', 'calculator', '--remote', url, '--remote-key', 'k1', '--input', '7*6', '--json']);
      expect([remote.code, JSON.parse(remote.stdout)]).toEqual([0, { ok: true, output: { result: '42', value: 42 } }]);
      const denied = await cli(['tools', '--remote', url, '--remote-key', 'nope']);
      expect(denied.code).toBe(2);
      expect(denied.stderr).toMatch(/rejected the API key/);
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('mcp serves tools over stdio to an MCP client', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--tools', 'calculator'], env: env as Record<string, string> });
    const client = new Client({ name: 'cli-test', version: '1.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['calculator']);
    expect(await client.callTool({ name: 'calculator', arguments: { expression: '5 * 5' } })).toMatchObject({ content: [{ text: '{"result":"25","value":25}' }] });
    await client.close();
  });
});
