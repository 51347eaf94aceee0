import { UsageError, defineCommand, type Program } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { createServer } from '../app/create-server.js';
import { loadServedModel } from '../app/load-model.js';
import { createProxy } from '../proxy/proxy.js';
import { readApiKeysFile } from '../security/api-keys.js';
import { benchCommand } from './bench-command.js';

function apiKeysFrom(options: { apiKey?: string; apiKeys?: string }): string[] {
  if (options.apiKey && options.apiKeys) throw new UsageError('give --api-key or --api-keys, not both');
  if (options.apiKey) return [options.apiKey];
  return options.apiKeys ? readApiKeysFile(options.apiKeys) : [];
}

/** Resolves when SIGINT/SIGTERM arrives, so the command closes (and drains) the server. */
function untilSignal(): Promise<void> {
  return new Promise((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal());
    process.once('SIGTERM', () => resolveSignal());
  });
}

const serve = defineCommand({
  name: 'serve',
  summary: 'serve an HF model folder behind the OpenAI-compatible API',
  positionals: [{ name: 'model', description: 'HF model folder (config.json + safetensors [+ tokenizer])', required: true }],
  options: {
    port: { type: 'number', description: 'port', default: 23333 },
    host: { type: 'string', description: 'address to bind (non-loopback needs API keys)', default: '127.0.0.1' },
    apiKey: { type: 'string', description: 'one API key clients must send as Bearer', valueName: 'KEY' },
    apiKeys: { type: 'string', description: 'file with one API key per line', valueName: 'FILE' },
    modelName: { type: 'string', description: 'the name clients use in "model" (default: the folder name)' },
    maxBatchTokens: { type: 'number', description: 'token budget of one engine step', default: 512 },
    maxSeqs: { type: 'number', description: 'sequences running at once', default: 64 },
    cacheMaxEntryCount: { type: 'number', description: 'fraction of free memory for the KV cache', default: 0.5 },
    maxQueue: { type: 'number', description: 'requests in flight before 429', default: 256 },
    maxTokens: { type: 'number', description: 'default max_tokens of a request that gives none', default: 256 },
  },
  examples: ['chainlm-serve ./models/stories --port 23333', 'curl http://127.0.0.1:23333/v1/models'],
  async run({ options, positionals, events }) {
    const apiKeys = apiKeysFrom(options);
    await initBackend();
    const model = await loadServedModel(positionals[0], {
      id: options.modelName,
      engine: { maxBatchTokens: options.maxBatchTokens, maxSeqs: options.maxSeqs, cacheMaxEntryCount: options.cacheMaxEntryCount, printPlan: true },
    });
    const app = await createServer([model], { host: options.host, apiKeys, maxQueue: options.maxQueue, maxTokens: options.maxTokens });
    const address = await app.listen({ host: options.host, port: options.port });
    if (apiKeys.length === 0) events.emit({ type: 'log', level: 'warn', message: `no API keys: only clients on this machine (${options.host}) can reach the server` });
    events.emit({ type: 'log', level: 'info', message: `serving "${model.id}" at ${address}/v1 (context ${model.contextLength} tokens)` });
    await untilSignal();
    await app.close();
    return { address, model: model.id };
  },
});

const proxy = defineCommand({
  name: 'proxy',
  summary: 'route requests across several chainlm-serve replicas (least outstanding requests, health checks, retries)',
  options: {
    upstream: { type: 'list', description: 'an upstream server URL (repeat, or comma-separate)', required: true, valueName: 'URL' },
    port: { type: 'number', description: 'port', default: 23334 },
    host: { type: 'string', description: 'address to bind', default: '127.0.0.1' },
    healthIntervalMs: { type: 'number', description: 'health check period', default: 5000 },
  },
  async run({ options, events }) {
    if (options.upstream.length === 0) throw new UsageError('give at least one --upstream URL');
    for (const url of options.upstream) {
      if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--upstream ${url} is not an http(s) URL`);
    }
    const { app, checkHealth } = createProxy({ upstreams: options.upstream, healthIntervalMs: options.healthIntervalMs });
    await checkHealth();
    const address = await app.listen({ host: options.host, port: options.port });
    events.emit({ type: 'log', level: 'info', message: `proxy at ${address} → ${options.upstream.join(', ')}` });
    await untilSignal();
    await app.close();
    return { address };
  },
});

export const program: Program = {
  name: 'chainlm-serve',
  summary: 'the OpenAI-compatible server, its proxy and benchmarks',
  version: '0.1.0',
  commands: [serve, proxy, benchCommand],
  defaultCommand: 'serve',
};


