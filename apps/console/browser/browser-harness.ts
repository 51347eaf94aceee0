/**
 * The browser suite's harness: a temp CHAINLM_HOME, a console on loopback (port 0)
 * and Debian's Chromium driven by playwright-core. Screenshots go to
 * $CONSOLE_SCREENSHOTS or <tmp>/chainlm-console-screenshots.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, createBuiltinTools, ScriptedChatModel, type AgentKind } from '@chainlm/agent';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsole, type StartedConsole } from '../server/index.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotsDir = process.env.CONSOLE_SCREENSHOTS ?? join(tmpdir(), 'chainlm-console-screenshots');

export interface Harness {
  home: string;
  console: StartedConsole;
  browser: Browser;
  page: Page;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const home = mkdtempSync(join(tmpdir(), 'chainlm-console-browser-'));
  mkdirSync(screenshotsDir, { recursive: true });
  const started = await startConsole({ home, port: 0, pollMs: 200, killGraceMs: 3000 });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => console.warn(`page error: ${error.message}\n${error.stack ?? ''}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.warn(`browser console: ${message.text()}`);
  });
  return {
    home,
    console: started,
    browser,
    page,
    shot: async (name) => {
      await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
    },
    close: async () => {
      for (const job of started.supervisor.list()) if (job.status === 'running' || job.status === 'starting') await started.supervisor.cancel(job.id).catch(() => undefined);
      await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
      await browser.close();
      await started.close();
      if (existsSync(home) && !process.env.CONSOLE_KEEP_HOME) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A small English corpus, made here so the suite needs no shared data: ~400 records of short stories. */
export function storyCorpus(records = 400): string {
  const names = ['Lily', 'Tom', 'Mia', 'Ben', 'Sara', 'Max'];
  const things = ['a red ball', 'a little dog', 'a big tree', 'a shiny star', 'a blue boat', 'a warm cake'];
  const feelings = ['happy', 'sad', 'brave', 'tired', 'curious', 'kind'];
  const lines: string[] = [];
  for (let index = 0; index < records; index += 1) {
    const name = names[index % names.length];
    const thing = things[(index * 7) % things.length];
    const feeling = feelings[(index * 5) % feelings.length];
    lines.push(JSON.stringify({ text: `${name} saw ${thing} in the park. ${name} felt ${feeling}. Then ${name} went home and told mom about ${thing}.` }));
  }
  return `${lines.join('\n')}\n`;
}

/** Polls `read` until `accept` holds (or throws after `timeoutMs` with the last value). */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * The agent route's SSE body for a real agent run (real tools) on a scripted model
 * that uses the calculator: a tiny model calls no tools, so this is how the suite
 * sees every step kind — thought, plan, tool call, observation, answer — rendered.
 */
export async function agentSse(body: { task: string; agent?: AgentKind }): Promise<string> {
  const agent = body.agent ?? 'react';
  const call = { id: 'call_1', name: 'calculator', arguments: '{"expression": "37 * 43"}' };
  const turns =
    agent === 'rewoo'
      ? ['Plan: Multiply the two numbers.\n#E1 = calculator[{"expression": "37 * 43"}]', 'The product is 1591.']
      : agent === 'function'
        ? [{ text: 'I should multiply with the calculator.', toolCalls: [call], finishReason: 'tool_calls' }, 'The product is 1591.']
        : ['Thought: I should multiply with the calculator.\nAction: calculator\nAction Input: {"expression": "37 * 43"}', 'Thought: The calculator says 1591.\nFinal Answer: 1591'];
  const frames: string[] = [];
  const frame = (event: string, data: unknown) => frames.push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const result = await createAgent(agent, { model: new ScriptedChatModel(turns), tools: createBuiltinTools(['calculator']) }).run(body.task, { onStep: (step) => frame('step', step) });
  frame('done', { answer: result.answer, stopReason: result.stopReason, modelCalls: result.modelCalls, toolCalls: result.toolCalls });
  return frames.join('');
}
