/** The SSE streams over a real socket: a run's metrics as metrics.jsonl grows (and is rewound), and job events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHome } from '@chainlm/core';
import { RunStore } from '@chainlm/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../app/create-app.js';

const token = 'stream-test-token-0123456789';

/** Reads SSE frames from a response until `enough` says stop; returns [event, data] pairs. */
async function readFrames(response: Response, enough: (frames: [string, any][]) => boolean, act?: (frames: [string, any][]) => void): Promise<[string, any][]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: [string, any][] = [];
  let buffer = '';
  while (!enough(frames)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event && data) {
        frames.push([event, JSON.parse(data)]);
        act?.(frames);
      }
    }
  }
  await reader.cancel();
  return frames;
}

describe('SSE streams', () => {
  let consoleApp: ConsoleApp;
  let base: string;
  const root = mkdtempSync(join(tmpdir(), 'console-sse-'));
  const headers = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    consoleApp = await createConsoleApp({ home: root, token, pollMs: 30, webRoot: join(root, 'no-web') });
    base = await consoleApp.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await consoleApp.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('streams a run that does not exist yet, its growing metrics, and a rewind on resume', async () => {
    const store = new RunStore('live-run', resolveHome({ CHAINLM_HOME: root }));
    const response = await fetch(`${base}/api/runs/live-run/metrics/stream`, { headers });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    let stage = 0;
    const frames = await readFrames(
      response,
      (seen) => seen.some(([event, data]) => event === 'metrics' && data.reset),
      (seen) => {
        const last = seen.at(-1)!;
        if (stage === 0 && last[0] === 'status' && last[1].status === 'pending') {
          stage = 1;
          store.ensureDir();
          void store.writeInfo({ run: 'live-run', status: 'running', method: 'pretrain', createdAt: '', updatedAt: '' }).then(() => {
            for (let step = 1; step <= 3; step += 1) store.append({ step, loss: 5 - step, lr: 0.01, gradNorm: 1, tokensPerSecond: 10, elapsed: step, tokens: step, epoch: 0 });
          });
        } else if (stage === 1 && seen.filter(([event]) => event === 'metrics').flatMap(([, data]) => data.lines).length === 3) {
          stage = 2;
          void store.truncateMetricsAfter(1);
        }
      },
    );
    const metrics = frames.filter(([event]) => event === 'metrics');
    expect(metrics.slice(0, -1).flatMap(([, data]) => data.lines.map((line: { step: number }) => line.step))).toEqual([1, 2, 3]);
    expect(metrics.at(-1)![1]).toEqual({ reset: true, lines: [{ step: 1, loss: 4, lr: 0.01, gradNorm: 1, tokensPerSecond: 10, elapsed: 1, tokens: 1, epoch: 0 }] });
    expect(frames.filter(([event]) => event === 'status').map(([, data]) => data.status)).toEqual(['pending', 'running']);
  });

  it('starts the job event stream with a snapshot, and needs the token', async () => {
    const response = await fetch(`${base}/api/jobs/events`, { headers });
    const frames = await readFrames(response, (seen) => seen.length >= 1);
    expect(frames[0]).toEqual(['snapshot', { jobs: [] }]);
    expect((await fetch(`${base}/api/jobs/events`)).status).toBe(401);
  });
});
