/**
 * The engine: one scheduler, one runner, one loop. `addRequest` validates and
 * queues; the loop runs steps while there is work, yielding to the event loop
 * between steps so requests can arrive and consumers can read; `abort` frees the
 * request's blocks at once. `generate` is addRequest as an async iterable.
 */
import { BlockManager } from '../block/block-manager.js';
import { parseEngineConfig, type EngineConfig, type EngineConfigInput } from '../config/engine-config.js';
import { EngineError, invalidRequest, isEngineErrorCode } from '../errors.js';
import { Int8KvStore } from '../kv/int8-kv-store.js';
import { HostKvStore, WasmHeapKvStore, type KvShape, type KvStore } from '../kv/kv-store.js';
import type { StepModel, TokenizerLike } from '../model-contract.js';
import { ModelRunner } from '../runner/model-runner.js';
import { AdapterRegistry, baseAdapterId, type LoraAdapterInput } from '../lora/adapter-registry.js';
import { parseSamplingParams, type SamplingParamsInput } from '../sampling/sampling-params.js';
import type { TokenConstraint } from '../sampling/constraint.js';
import { Scheduler, type SchedulerOutput } from '../scheduler/scheduler.js';
import type { Sequence } from '../scheduler/sequence.js';
import { tf } from '@chainlm/runtime';
import type { EngineEvent } from './events.js';
import { availableMemory, formatMemoryPlan, planMemory, type MemoryPlan } from './memory-plan.js';
import { RequestState } from './request-state.js';
import { EventQueue } from './event-queue.js';

export interface GenerateRequest {
  requestId?: string;
  /** Text (needs a tokenizer) or token ids. */
  prompt?: string;
  promptTokenIds?: readonly number[];
  sampling?: SamplingParamsInput;
  /** Restricts the tokens each sample may produce next (e.g. JSON mode). */
  constraint?: TokenConstraint;
  /** Name of a loaded LoRA adapter to run this request with (default: the base model). */
  adapter?: string;
}

export interface EngineOptions {
  config?: EngineConfigInput;
  tokenizer?: TokenizerLike;
  /** Where the memory plan goes when config.printPlan is set (default stderr). */
  log?: (line: string) => void;
}

export interface EngineMetrics {
  running: number;
  waiting: number;
  kvBlocksUsed: number;
  kvBlocksFree: number;
  prefixHitRate: number;
  /** Prompt tokens looked up in / served from the prefix cache (the rate's numerator and denominator, so replicas can be summed). */
  prefixQueriedTokens: number;
  prefixHitTokens: number;
  promptTokens: number;
  generatedTokens: number;
  steps: number;
  preemptions: number;
  /** Generated tokens per second of busy (stepping) time. */
  tokensPerSecond: number;
}

export interface EngineBookkeeping {
  requests: number;
  listeners: number;
  adapterRequests: number;
  sequences: number;
  blockTables: number;
}

export class Engine {
  readonly config: EngineConfig;
  readonly plan: MemoryPlan;
  readonly scheduler: Scheduler;
  readonly runner: ModelRunner;
  private readonly requests = new Map<string, RequestState>();
  private readonly listeners = new Map<string, (event: EngineEvent) => void>();
  private readonly eosIds: number[];
  private readonly maxModelLen: number;
  private loop: Promise<void> | undefined;
  private nextRequestId = 0;
  private totals = { promptTokens: 0, generatedTokens: 0, steps: 0, preemptions: 0, busyMs: 0 };
  private closed = false;
  /** Set when a step failed and the model reports it can no longer run (a tensor-parallel rank died). */
  private failure: EngineError | undefined;
  private adapters: AdapterRegistry | undefined;
  /** Request id → adapter id, and adapter id → requests in flight (unload waits for 0). */
  private readonly requestAdapter = new Map<string, number>();
  private readonly adapterUse = new Map<number, number>();

  constructor(
    readonly model: StepModel,
    private readonly options: EngineOptions = {},
  ) {
    this.config = parseEngineConfig(options.config ?? {});
    const shape = model.config;
    const storeKind = this.config.kvCacheDtype === 'int8' ? 'int8' : this.config.kvStore === 'auto' ? 'host' : this.config.kvStore;
    this.plan = planMemory(shape, model.weightBytes, this.config, availableMemory(storeKind, tf.memory().numBytes));
    if (this.config.printPlan) (options.log ?? ((line) => process.stderr.write(`${line}\n`)))(formatMemoryPlan(this.plan));
    const kvShape: KvShape = { numLayers: shape.numLayers, numKvHeads: shape.numKvHeads, headDim: shape.headDim, numBlocks: this.plan.numBlocks, blockSize: this.config.blockSize };
    const store: KvStore = storeKind === 'int8' ? new Int8KvStore(kvShape) : storeKind === 'wasm-heap' ? new WasmHeapKvStore(kvShape) : new HostKvStore(kvShape);
    const blocks = new BlockManager({ numBlocks: this.plan.numBlocks, blockSize: this.config.blockSize, enablePrefixCaching: this.config.enablePrefixCaching });
    this.scheduler = new Scheduler(blocks, { maxBatchTokens: this.config.maxBatchTokens, maxSeqs: this.config.maxSeqs });
    this.runner = new ModelRunner(model, store, this.config.blockSize);
    const eos = options.tokenizer?.eosId ?? shape.eosTokenId;
    this.eosIds = eos === null || eos === undefined ? [] : Array.isArray(eos) ? eos : [eos];
    this.maxModelLen = Math.min(this.config.maxModelLen ?? shape.maxPositionEmbeddings, shape.maxPositionEmbeddings);
  }

  /** Queues a request; events go to `onEvent`. Returns the request id. */
  addRequest(request: GenerateRequest, onEvent: (event: EngineEvent) => void = () => {}): string {
    if (this.closed) throw new EngineError('engine-closed', 'the engine was closed', 'create a new Engine');
    if (this.failure) throw this.failure;
    const id = request.requestId ?? `req-${this.nextRequestId++}`;
    if (this.requests.has(id)) throw new EngineError('engine-request-duplicate', `request id "${id}" is already running`, 'use a unique requestId or omit it');
    const params = parseSamplingParams(request.sampling);
    const promptIds = this.promptIds(request);
    if (params.stop.length > 0 && !this.options.tokenizer) throw invalidRequest('sampling.stop', 'stop strings need a tokenizer', 'pass a tokenizer to the Engine or use stopTokenIds');
    const longest = promptIds.length + params.maxTokens;
    const limit = Math.min(this.maxModelLen, this.plan.tokensThatFit);
    if (promptIds.length >= limit || (longest > this.plan.tokensThatFit && promptIds.length + 1 > this.plan.tokensThatFit)) {
      throw new EngineError('engine-request-too-long', `request "${id}": the prompt has ${promptIds.length} tokens; the largest context is ${limit} tokens (${this.plan.tokensThatFit} fit in the KV cache, maxModelLen ${this.maxModelLen})`, 'shorten the prompt or raise --cache-max-entry-count / --cache-gib', 2);
    }
    const adapterId = this.adapterIdOf(request.adapter);
    const state = new RequestState(id, promptIds, params, this.options.tokenizer, { eosIds: this.eosIds, maxModelLen: limit }, (event) => this.deliver(event));
    state.constraint = request.constraint;
    this.requests.set(id, state);
    this.listeners.set(id, onEvent);
    const sequence = this.scheduler.add(id, promptIds, params.n, !state.wantsPromptLogprobs, adapterId);
    if (adapterId !== baseAdapterId) {
      this.requestAdapter.set(id, adapterId);
      this.adapterUse.set(adapterId, (this.adapterUse.get(adapterId) ?? 0) + 1);
    }
    state.sequenceIds.add(sequence.id);
    this.totals.promptTokens += promptIds.length;
    this.loop ??= this.runLoop();
    return id;
  }

  /**
   * Loads a LoRA adapter onto the base; requests name it in `adapter` and are batched
   * with every other request on the shared base weights.
   */
  loadAdapter(name: string, adapter: LoraAdapterInput): void {
    if (!this.model.acceptsLora) throw new EngineError('engine-adapter-invalid', `cannot load adapter "${name}": this engine's model does not apply LoRA`, 'serve adapters on a plain model (stepModelFrom), not replicas or tensor-parallel shards');
    this.adapters ??= new AdapterRegistry(this.model.config);
    this.runner.adapters = this.adapters;
    this.adapters.load(name, adapter);
  }

  /** Unloads an adapter no request is using; its cached KV blocks are never hit again. */
  unloadAdapter(name: string): void {
    const id = this.adapters?.idOf(name);
    const inUse = id === undefined ? 0 : (this.adapterUse.get(id) ?? 0);
    if (inUse > 0) throw new EngineError('engine-adapter-busy', `adapter "${name}" has ${inUse} request(s) in flight`, 'retry once they finish (or abort them)');
    if (!this.adapters) throw new EngineError('engine-adapter-invalid', `no adapter named "${name}" is loaded`, 'loaded: none');
    this.adapters.unload(name);
  }

  get adapterNames(): string[] {
    return this.adapters?.names ?? [];
  }

  generate(request: GenerateRequest): AsyncIterable<EngineEvent> {
    const queue = new EventQueue<EngineEvent>();
    const id = this.addRequest(request, (event) => {
      queue.push(event);
      if (event.type === 'request-finish') queue.end();
    });
    queue.onCancel = () => this.abort(id);
    return queue;
  }

  /** Stops a request now: its blocks are freed before this returns. */
  abort(requestId: string): boolean {
    const state = this.requests.get(requestId);
    if (!state || state.done) return false;
    for (const sequenceId of state.sequenceIds) this.scheduler.finish(sequenceId);
    state.samples.forEach((sample, index) => {
      if (!sample.finishReason) state.finishSample(index, 'abort');
    });
    return true;
  }

  /** Resolves when no request is left. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  metrics(): EngineMetrics {
    const blocks = this.scheduler.blocks.stats();
    return {
      running: this.scheduler.numRunning,
      waiting: this.scheduler.numWaiting,
      kvBlocksUsed: blocks.usedBlocks,
      kvBlocksFree: blocks.freeBlocks,
      prefixHitRate: blocks.prefixHitRate,
      prefixQueriedTokens: blocks.prefixQueriedTokens,
      prefixHitTokens: blocks.prefixHitTokens,
      promptTokens: this.totals.promptTokens,
      generatedTokens: this.totals.generatedTokens,
      steps: this.totals.steps,
      preemptions: this.totals.preemptions,
      tokensPerSecond: this.totals.busyMs > 0 ? (this.totals.generatedTokens * 1000) / this.totals.busyMs : 0,
    };
  }

  /**
   * Sizes of the per-request bookkeeping (requests, listeners, adapter uses, scheduler
   * sequences, block tables): all 0 once every request has finished. Leak guards
   * assert on it; nothing else should need it.
   */
  bookkeeping(): EngineBookkeeping {
    return {
      requests: this.requests.size,
      listeners: this.listeners.size,
      adapterRequests: this.requestAdapter.size,
      sequences: this.scheduler.numSequences,
      blockTables: this.scheduler.blocks.numTables,
    };
  }

  async close(): Promise<void> {
    for (const id of [...this.requests.keys()]) this.abort(id);
    await this.idle();
    this.closed = true;
    this.runner.store.dispose();
    this.adapters?.dispose();
  }

  private promptIds(request: GenerateRequest): number[] {
    if (request.promptTokenIds) {
      const vocab = this.model.config.vocabSize;
      const bad = request.promptTokenIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
      if (bad !== undefined) throw invalidRequest('promptTokenIds', `token id ${bad} is outside [0, ${vocab})`, 'check that the tokenizer matches the model');
      if (request.promptTokenIds.length === 0) throw invalidRequest('promptTokenIds', 'is empty', 'give at least one token (e.g. BOS)');
      return [...request.promptTokenIds];
    }
    if (request.prompt === undefined) throw invalidRequest('prompt', 'neither prompt nor promptTokenIds was given', 'give one of them');
    if (!this.options.tokenizer) throw invalidRequest('prompt', 'a text prompt needs a tokenizer', 'pass a tokenizer to the Engine or give promptTokenIds');
    const ids = this.options.tokenizer.encode(request.prompt);
    if (ids.length === 0) throw invalidRequest('prompt', 'encodes to no tokens', 'give a non-empty prompt');
    return ids;
  }

  private adapterIdOf(name: string | undefined): number {
    if (name === undefined) return baseAdapterId;
    const id = this.adapters?.idOf(name);
    if (id === undefined) throw invalidRequest('adapter', `no adapter named "${name}" is loaded`, `load it first (loaded: ${this.adapterNames.join(', ') || 'none'})`);
    return id;
  }

  private deliver(event: EngineEvent): void {
    const listener = this.listeners.get(event.requestId);
    if (event.type === 'request-finish') {
      const adapterId = this.requestAdapter.get(event.requestId);
      if (adapterId !== undefined) {
        this.requestAdapter.delete(event.requestId);
        this.adapterUse.set(adapterId, this.adapterUse.get(adapterId)! - 1);
      }
      const state = this.requests.get(event.requestId);
      for (const sequenceId of state?.sequenceIds ?? []) this.scheduler.finish(sequenceId);
      this.requests.delete(event.requestId);
      this.listeners.delete(event.requestId);
    }
    listener?.(event);
  }

  private async runLoop(): Promise<void> {
    try {
      // Start on a later turn so requests added in the same tick share the first step.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.scheduler.hasWork()) {
        await this.step();
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.failPending(error);
    } finally {
      this.loop = undefined;
    }
  }

  /**
   * A step threw: every request in flight finishes with the error (none is left
   * waiting for a step that will not come) and its blocks are freed. When the model
   * says it can no longer run (StepModel.failure), the engine refuses new requests.
   */
  private failPending(error: unknown): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    const causeCode = (cause as { code?: unknown }).code;
    const code = isEngineErrorCode(causeCode) ? causeCode : 'engine-failed';
    if (this.model.failure) this.failure = new EngineError('engine-failed', `the engine cannot run any more: ${this.model.failure.message}`, 'close it and create a new Engine (restart the server)', 1);
    for (const [requestId, state] of [...this.requests]) {
      for (const sequenceId of state.sequenceIds) this.scheduler.finish(sequenceId);
      state.done = true;
      const latencyMs = performance.now() - state.arrivalTime;
      const metrics = { arrivalTime: state.arrivalTime, queueTimeMs: latencyMs, timeToFirstTokenMs: latencyMs, timePerOutputTokenMs: 0, latencyMs, promptTokens: state.promptTokenIds.length, outputTokens: 0, prefixHitTokens: 0, numPreemptions: state.numPreemptions };
      this.deliver({ type: 'request-finish', requestId, outputs: [], promptTokenIds: [...state.promptTokenIds], metrics, error: `request "${requestId}" failed: ${cause.message}`, errorCode: code });
    }
  }

  private async step(): Promise<void> {
    const started = performance.now();
    const output = this.scheduler.schedule();
    this.totals.preemptions += output.preempted.length;
    for (const sequence of output.preempted) {
      const state = this.requests.get(sequence.requestId);
      if (state) state.numPreemptions++;
    }
    if (output.sequences.length === 0) return;
    this.totals.steps++;
    for (const entry of output.sequences) {
      const state = this.requests.get(entry.sequence.requestId);
      if (state && state.firstScheduledTime === undefined) {
        state.firstScheduledTime = started;
        state.prefixHitTokens = entry.start;
      }
    }
    const results = await this.runner.execute(output, (sequence) => this.requests.get(sequence.requestId)!);
    const sampled = new Map<number, number[]>();
    for (const [sequenceId, result] of results) sampled.set(sequenceId, result.sampled.map((token) => token.tokenId));
    const forked = this.scheduler.update(output, sampled);
    this.deliverResults(output, results, forked);
    this.totals.busyMs += performance.now() - started;
  }

  private deliverResults(output: SchedulerOutput, results: Awaited<ReturnType<ModelRunner['execute']>>, forked: Sequence[]): void {
    let forkCursor = 0;
    for (const entry of output.sequences) {
      const result = results.get(entry.sequence.id);
      if (!result) continue;
      const children = forked.slice(forkCursor, forkCursor + result.sampled.length - 1);
      forkCursor += children.length;
      const state = this.requests.get(entry.sequence.requestId);
      if (!state || state.done) continue;
      for (const child of children) state.sequenceIds.add(child.id);
      state.addPromptLogprobs(result.promptLogprobs);
      result.sampled.forEach((token, index) => {
        const sequence = index === 0 ? entry.sequence : children[index - 1];
        this.totals.generatedTokens++;
        if (state.addToken(sequence.sampleIndex, token)) this.scheduler.finish(sequence.id);
      });
    }
  }
}
