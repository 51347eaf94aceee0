/** Deployment guards over real jobs: a serve job that failed, and a job that is not a deployment. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../app/create-app.js';
import { buildConsoleForTests } from '../jobs/build-for-tests.js';

const token = 'deploy-test-token-0123456789';

describe('deployments API', () => {
  let consoleApp: ConsoleApp;
  const root = mkdtempSync(join(tmpdir(), 'console-deploy-'));
  const headers = { authorization: `Bearer ${token}` };
  const request = (method: 'GET' | 'POST', url: string, payload?: object) => consoleApp.app.inject({ method, url, headers, payload });
  const settle = async (id: string) => {
    for (let tries = 0; tries < 300; tries += 1) {
      const job = (await request('GET', `/api/jobs/${id}`)).json().job;
      if (job.status !== 'running' && job.status !== 'starting') return job;
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`job ${id} did not end`);
  };

  beforeAll(async () => {
    buildConsoleForTests(); // the job runner runs from dist/
    consoleApp = await createConsoleApp({ home: root, token, pollMs: 50, webRoot: join(root, 'no-web') });
  });
  afterAll(async () => {
    await consoleApp.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows an attached server that does not answer as lost, refuses to chat with it, and names unknown attached ids', async () => {
    const attached = await createConsoleApp({ home: root, token, pollMs: 50, webRoot: join(root, 'no-web'), attach: [{ name: 'elsewhere', url: 'http://127.0.0.1:45998/v1/' }] });
    try {
      const call = (method: 'GET' | 'POST', url: string, payload?: object) => attached.app.inject({ method, url, headers, payload });
      const list = (await call('GET', '/api/deployments')).json().deployments;
      expect(list).toEqual([{ id: 'attached:elsewhere', name: 'elsewhere', model: 'elsewhere', url: 'http://127.0.0.1:45998', status: 'lost', ready: false, createdAt: expect.any(String), replicas: 1, quant: null, attached: true }]);
      const chat = await call('POST', '/api/deployments/attached:elsewhere/chat', { messages: [{ role: 'user', content: 'hi' }] });
      expect(chat.statusCode).toBe(409);
      expect(chat.json().error.message).toBe('deployment "elsewhere" is lost');
      const unknown = await call('GET', '/api/deployments/attached:nobody');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.hint).toContain('attached: elsewhere');
    } finally {
      await attached.close();
    }
  });

  it('lists a serve job that failed, refuses to chat with it, and records the deployment', async () => {
    const started = await request('POST', '/api/jobs', { kind: 'serve', model: join(root, 'no-model'), name: 'ghost', port: 45999, quant: 'w8a16' });
    expect(started.statusCode).toBe(201);
    const job = started.json().job;
    expect(job.outputs).toEqual({ deployment: 'ghost', url: 'http://127.0.0.1:45999', model: join(root, 'no-model') });
    expect(job.steps[0].args).toEqual([join(root, 'no-model'), '--port', '45999', '--host', '127.0.0.1', '--model-name', 'ghost', '--quant', 'w8a16']);
    expect((await settle(job.id)).status).toBe('failed');
    const list = (await request('GET', '/api/deployments')).json().deployments;
    expect(list).toMatchObject([{ id: job.id, name: 'ghost', status: 'failed', ready: false, replicas: 1, quant: 'w8a16' }]);
    const chat = await request('POST', `/api/deployments/${job.id}/chat`, { messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.statusCode).toBe(409);
    expect(chat.json().error.message).toBe('deployment "ghost" is failed');
    expect((await request('GET', `/api/deployments/${job.id}/metrics`)).statusCode).toBe(409);
    const artifact = (await request('GET', '/api/artifacts?kind=deployment')).json().artifacts[0];
    expect(artifact).toMatchObject({ id: 'deployment:ghost', metadata: { url: 'http://127.0.0.1:45999', jobId: job.id } });
  });

  it('says a job that is not a serve job is no deployment', async () => {
    const source = join(root, 'one.jsonl');
    writeFileSync(source, '{"text": "one"}\n');
    const job = (await request('POST', '/api/jobs', { kind: 'ingest', dataset: 'one', paths: [source] })).json().job;
    const response = await request('GET', `/api/deployments/${job.id}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.hint).toContain('serve jobs');
    expect((await settle(job.id)).status).toBe('succeeded');
  });
});
