import { existsSync, readFileSync } from 'node:fs';
import { UsageError, assertBindAllowed, defineCommand, loadApiKeys, parseNameValue, readApiKeysFile, type Program } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { startServer } from '../app/create-server.js';
import { describeQuantization, loadServedModel, type QuantOptions } from '../app/load-model.js';
import { startProxy } from '../proxy/proxy.js';
import { advertisedUrlSchema } from '../proxy/worker-protocol.js';
import { joinProxy, serverWorkerStatus } from '../proxy/worker-client.js';
import { benchCommand } from './bench-command.js';

function apiKeysFrom(options: { apiKey?: string; apiKeys?: string }): string[] {
  if (options.apiKey && options.apiKeys) throw new UsageError('give --api-key or --api-keys, not both');
  return loadApiKeys({ keys: options.apiKey ? [options.apiKey] : [], file: options.apiKeys });
}

/** The flags every chainlm-serve port shares (serve, proxy). */
const authFlags = {
  apiKey: { type: 'string', description: 'one API key clients must send as Bearer', valueName: 'KEY' },
  apiKeys: { type: 'string', description: 'file with one API key per line', valueName: 'FILE' },
  insecureNoAuth: { type: 'boolean', description: 'serve without API keys on a non-loopback --host (anyone who reaches the port may use it; warned on every start)' },
} as const;

/** The flags that make a server join a proxy as a worker. */
const workerFlags = {
  proxyUrl: { type: 'string', description: 'register with this chainlm-serve proxy and heartbeat to it (deregistered on SIGINT/SIGTERM)', valueName: 'URL' },
  proxyKey: { type: 'string', description: 'an API key the proxy accepts (or CHAINLM_PROXY_KEY)', valueName: 'KEY' },
  proxyKeyFile: { type: 'string', description: 'a file whose first key is sent to the proxy', valueName: 'FILE' },
  advertiseUrl: { type: 'string', description: 'the URL the proxy calls this server at (default: the bound address; needed with an unspecified --host such as 0.0.0.0)', valueName: 'URL' },
  heartbeatIntervalMs: { type: 'number', description: 'period of the heartbeats to --proxy-url', default: 5000 },
} as const;

interface WorkerFlagValues {
  proxyUrl?: string;
  proxyKey?: string;
  proxyKeyFile?: string;
  advertiseUrl?: string;
  heartbeatIntervalMs: number;
  host: string;
}

/** Checks the worker flags before the model loads; the proxy key, when one is given. */
function workerSettings(options: WorkerFlagValues): { proxyUrl: string; proxyKey: string | undefined } | undefined {
  const given = [options.proxyKey && '--proxy-key', options.proxyKeyFile && '--proxy-key-file', options.advertiseUrl && '--advertise-url'].filter(Boolean);
  if (options.proxyUrl === undefined) {
    if (given.length > 0) throw new UsageError(`${given.join(', ')}: only used with --proxy-url (the proxy to join)`);
    return undefined;
  }
  if (!/^https?:\/\/[^/]+/.test(options.proxyUrl)) throw new UsageError(`--proxy-url ${options.proxyUrl} is not an http(s) URL`, 'e.g. --proxy-url http://10.0.0.5:23334');
  if (options.proxyKey && options.proxyKeyFile) throw new UsageError('give --proxy-key or --proxy-key-file, not both');
  if (!Number.isFinite(options.heartbeatIntervalMs) || options.heartbeatIntervalMs < 10) throw new UsageError(`--heartbeat-interval-ms must be at least 10, got ${options.heartbeatIntervalMs}`);
  if (options.advertiseUrl !== undefined && !advertisedUrlSchema.safeParse(options.advertiseUrl).success) {
    throw new UsageError(`--advertise-url ${options.advertiseUrl} is not an http(s) URL without credentials, query or fragment`, 'e.g. --advertise-url http://10.0.0.7:23333');
  }
  if (options.advertiseUrl === undefined && ['0.0.0.0', '::', '[::]', ''].includes(options.host)) {
    throw new UsageError(`--host ${options.host} binds every interface, so the proxy cannot be told one address to call`, 'give --advertise-url http://THIS_HOST:PORT');
  }
  const proxyKey = options.proxyKeyFile ? readApiKeysFile(options.proxyKeyFile, '--proxy-key-file')[0] : loadApiKeys({ keys: options.proxyKey ? [options.proxyKey] : [], envName: 'CHAINLM_PROXY_KEY' })[0];
  return { proxyUrl: options.proxyUrl, proxyKey };
}

function parseAdapterFlag(flag: string): { name: string; path: string } {
  const { name, value } = parseNameValue('adapters', flag, 'name=path', '--adapters sql=./adapters/sql --adapters chat=./adapters/chat');
  return { name, path: value };
}

function quantOptions(options: { quant?: string; quantGroupSize: number; awqCalibration?: string }): QuantOptions | undefined {
  if (options.quant === undefined) {
    if (options.awqCalibration) throw new UsageError('--awq-calibration needs --quant w4a16 or w8a16');
    return undefined;
  }
  if (options.quant !== 'w4a16' && options.quant !== 'w8a16') throw new UsageError(`--quant: unknown scheme "${options.quant}"`, 'use w4a16 (int4 weights) or w8a16 (int8 weights)');
  if (!Number.isInteger(options.quantGroupSize) || options.quantGroupSize < 1) throw new UsageError(`--quant-group-size must be a positive integer, got ${options.quantGroupSize}`);
  let calibrationTexts: string[] | undefined;
  if (options.awqCalibration) {
    if (!existsSync(options.awqCalibration)) throw new UsageError(`--awq-calibration: ${options.awqCalibration} does not exist`, 'give a text file with one calibration sample per line');
    calibrationTexts = readFileSync(options.awqCalibration, 'utf8').split('\n').slice(0, 32);
  }
  return { scheme: options.quant, groupSize: options.quantGroupSize, ...(calibrationTexts ? { calibrationTexts } : {}) };
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
    ...authFlags,
    modelName: { type: 'string', description: 'the name clients use in "model" (default: the folder name)' },
    maxBatchTokens: { type: 'number', description: 'token budget of one engine step', default: 512 },
    maxSeqs: { type: 'number', description: 'sequences running at once', default: 64 },
    cacheMaxEntryCount: { type: 'number', description: 'fraction of free memory for the KV cache', default: 0.5 },
    maxQueue: { type: 'number', description: 'requests in flight before 429', default: 256 },
    rateLimit: { type: 'number', description: 'requests per second per API key, 0 for none (no limit without keys: only loopback clients connect)', default: 100 },
    rateLimitBurst: { type: 'number', description: 'requests an API key may send at once before --rate-limit applies', default: 200 },
    replicas: { type: 'number', description: 'engines serving the model: 1 in the server thread, or N worker threads (one core each, N copies of the weights; the KV budget is shared)', default: 1 },
    maxTokens: { type: 'number', description: 'default max_tokens of a request that gives none', default: 256 },
    quant: { type: 'string', description: 'quantize the weights at load: w4a16 or w8a16 (a quantized.json folder needs none)', valueName: 'SCHEME' },
    quantGroupSize: { type: 'number', description: 'inputs per quantization scale group', default: 64 },
    awqCalibration: { type: 'string', description: 'with --quant: AWQ scaling calibrated on this text file (one sample per line)', valueName: 'FILE' },
    adapters: { type: 'list', description: 'LoRA adapters to serve on the base: name=PEFT_FOLDER (repeat, or comma-separate)', valueName: 'NAME=PATH' },
    adapterRoot: { type: 'string', description: 'allow POST /v1/load_lora_adapter for folders under DIR (default: run-time loads refused)', valueName: 'DIR' },
    ...workerFlags,
  },
  examples: ['chainlm-serve ./models/stories --port 23333', 'chainlm-serve ./models/stories --replicas 2', 'chainlm-serve ./models/stories --port 23335 --proxy-url http://127.0.0.1:23334', 'curl http://127.0.0.1:23333/v1/models'],
  async run({ options, positionals, events }) {
    const apiKeys = apiKeysFrom(options);
    const quant = quantOptions(options);
    const adapters = (options.adapters ?? []).map(parseAdapterFlag);
    if (!Number.isInteger(options.replicas) || options.replicas < 1) throw new UsageError(`--replicas must be a positive integer, got ${options.replicas}`, 'use 1 (one engine in the server thread) or up to the number of cores');
    const worker = workerSettings(options);
    // Refuse an exposed bind before the model loads (startServer checks the bound address again).
    await assertBindAllowed({ host: options.host, hasKeys: apiKeys.length > 0, insecureNoAuth: options.insecureNoAuth, component: 'chainlm-serve' });
    await initBackend();
    const model = await loadServedModel(positionals[0], {
      id: options.modelName,
      engine: { maxBatchTokens: options.maxBatchTokens, maxSeqs: options.maxSeqs, cacheMaxEntryCount: options.cacheMaxEntryCount, printPlan: true },
      ...(quant ? { quant } : {}),
      replicas: options.replicas,
    });
    if (model.quantization) events.emit({ type: 'log', level: 'info', message: `quantized weights: ${describeQuantization(model.quantization)}` });
    const { app, url: address } = await startServer([model], {
      host: options.host,
      port: options.port,
      apiKeys,
      insecureNoAuth: options.insecureNoAuth ?? false,
      maxQueue: options.maxQueue,
      rateLimitPerSecond: options.rateLimit,
      rateLimitBurst: options.rateLimitBurst,
      maxTokens: options.maxTokens,
      adapters,
      ...(options.adapterRoot ? { adapterRoot: options.adapterRoot } : {}),
    });
    if (apiKeys.length === 0 && !options.insecureNoAuth) events.emit({ type: 'log', level: 'warn', message: `no API keys: only clients on this machine (${options.host}) can reach the server` });
    for (const adapter of adapters) events.emit({ type: 'log', level: 'info', message: `LoRA adapter "${adapter.name}" (${adapter.path}) on "${model.id}"` });
    if (options.adapterRoot) events.emit({ type: 'log', level: 'info', message: `run-time adapter loads allowed from ${options.adapterRoot}` });
    const engines = model.replicas > 1 ? `, ${model.replicas} replicas` : '';
    events.emit({ type: 'log', level: 'info', message: `serving "${model.id}" at ${address}/v1 (context ${model.contextLength} tokens${engines})` });
    const membership = worker
      ? await joinProxy({
          ...worker,
          advertiseUrl: options.advertiseUrl ?? address,
          heartbeatIntervalMs: options.heartbeatIntervalMs,
          capacity: options.maxQueue,
          status: serverWorkerStatus(app, [model], apiKeys[0]),
          log: (level, message) => events.emit({ type: 'log', level, message }),
        }).catch(async (error: unknown) => {
          await app.close();
          throw error;
        })
      : undefined;
    await untilSignal();
    // Leave first, so the proxy routes nothing new here while the server drains.
    await membership?.leave();
    await app.close();
    return { address, model: model.id };
  },
});

const proxy = defineCommand({
  name: 'proxy',
  summary: 'route requests across chainlm-serve servers: static --upstreams and workers that register themselves (least loaded, health checks, retries)',
  options: {
    upstream: { type: 'list', description: 'a static upstream server URL (repeat, or comma-separate); none: only registered workers', valueName: 'URL' },
    port: { type: 'number', description: 'port', default: 23334 },
    host: { type: 'string', description: 'address to bind (non-loopback needs API keys)', default: '127.0.0.1' },
    ...authFlags,
    healthIntervalMs: { type: 'number', description: 'health check period of the static upstreams', default: 5000 },
    workerTimeoutMs: { type: 'number', description: 'drop a registered worker after this long without a heartbeat', default: 15000 },
    workerApiKeys: { type: 'string', description: 'file of keys that alone may register workers (default: any client key; without keys, workers on this machine only)', valueName: 'FILE' },
  },
  examples: ['chainlm-serve proxy --upstream http://127.0.0.1:23333', 'chainlm-serve proxy --port 23334   # workers join with chainlm-serve MODEL --proxy-url http://127.0.0.1:23334', 'curl http://127.0.0.1:23334/workers'],
  async run({ options, events }) {
    const upstreamUrls = options.upstream ?? [];
    if (!Number.isFinite(options.workerTimeoutMs) || options.workerTimeoutMs < 10) throw new UsageError(`--worker-timeout-ms must be at least 10, got ${options.workerTimeoutMs}`);
    for (const url of upstreamUrls) {
      if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--upstream ${url} is not an http(s) URL`);
    }
    const apiKeys = apiKeysFrom(options);
    const { app, checkHealth, url: address } = await startProxy({
      upstreams: upstreamUrls,
      healthIntervalMs: options.healthIntervalMs,
      workerTimeoutMs: options.workerTimeoutMs,
      host: options.host,
      port: options.port,
      apiKeys,
      insecureNoAuth: options.insecureNoAuth,
      ...(options.workerApiKeys ? { workerApiKeys: readApiKeysFile(options.workerApiKeys, '--worker-api-keys') } : {}),
      log: (message) => events.emit({ type: 'log', level: 'info', message }),
    });
    await checkHealth();
    const targets = upstreamUrls.length > 0 ? upstreamUrls.join(', ') : 'no static upstreams';
    events.emit({ type: 'log', level: 'info', message: `proxy at ${address} → ${targets}; workers register at ${address}/workers/register` });
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


