/**
 * LoRA adapters served on one base model (many adapters, one set of base weights).
 * Each load gets a fresh numeric id — never reused — so the prefix cache, which
 * salts block hashes with it, can never hand an adapter's KV blocks to the base or
 * to another adapter, not even to a later adapter loaded under the same name.
 * Factors live on the backend as Aᵀ [in, rank] and scale·Bᵀ [rank, out] (the model's
 * StepLora layout); the runner asks for a step's StepLora from each row's id.
 */
import { tf } from '@chainlm/runtime';
import { EngineError } from '../errors.js';
import type { StepLora, StepLoraAdapter, StepModelShape } from '../model-contract.js';

/** One adapted module in HF/PEFT layout: A [rank, in], B [out, rank], row-major. */
export interface LoraModuleInput {
  a: Float32Array;
  b: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

/** What a PEFT LoRA folder holds, with module names in canonical (HF Llama) form. */
export interface LoraAdapterInput {
  rank: number;
  alpha: number;
  /** `model.layers.<i>.self_attn.q_proj` … → factors. */
  modules: ReadonlyMap<string, LoraModuleInput>;
}

/** 0 is the base model. */
export const baseAdapterId = 0;

const modulePattern = /^model\.layers\.(\d+)\.(self_attn\.[qkvo]_proj|mlp\.(?:gate|up|down)_proj)$/;

interface Entry {
  id: number;
  name: string;
  adapter: StepLoraAdapter;
}

export class AdapterRegistry {
  private readonly byName = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  private nextId = 1;

  constructor(private readonly shape: StepModelShape) {}

  get names(): string[] {
    return [...this.byName.keys()];
  }

  idOf(name: string): number | undefined {
    return this.byName.get(name)?.id;
  }

  /** Validates the factors against the base model and uploads them; returns the new id. */
  load(name: string, input: LoraAdapterInput): number {
    if (name.length === 0) throw new EngineError('engine-adapter-invalid', 'an adapter needs a non-empty name', 'name it, e.g. "sql-lora"');
    if (this.byName.has(name)) throw new EngineError('engine-adapter-invalid', `an adapter named "${name}" is already loaded`, 'unload it first or pick another name');
    if (!(Number.isInteger(input.rank) && input.rank > 0) || !(input.alpha > 0)) throw new EngineError('engine-adapter-invalid', `adapter "${name}": rank ${input.rank} and alpha ${input.alpha} must be positive`, 'check r and lora_alpha in adapter_config.json');
    if (input.modules.size === 0) throw new EngineError('engine-adapter-invalid', `adapter "${name}" adapts no module`, 'export the adapter again');
    for (const [module, factors] of input.modules) this.check(name, module, factors, input.rank);
    const scale = input.alpha / input.rank;
    const modules = new Map(
      [...input.modules].map(([module, factors]) => {
        const a = tf.keep(tf.tidy(() => tf.transpose(tf.tensor2d(factors.a, [input.rank, factors.inFeatures])))) as tf.Tensor2D;
        const b = tf.keep(tf.tidy(() => tf.mul(tf.transpose(tf.tensor2d(factors.b, [factors.outFeatures, input.rank])), scale))) as tf.Tensor2D;
        return [module, { a, b }] as const;
      }),
    );
    const entry: Entry = { id: this.nextId++, name, adapter: { modules } };
    this.byName.set(name, entry);
    this.byId.set(entry.id, entry);
    return entry.id;
  }

  /** Frees the adapter's tensors; the caller makes sure no request still uses it. */
  unload(name: string): void {
    const entry = this.byName.get(name);
    if (!entry) throw new EngineError('engine-adapter-invalid', `no adapter named "${name}" is loaded`, `loaded: ${this.names.join(', ') || 'none'}`);
    this.byName.delete(name);
    this.byId.delete(entry.id);
    for (const factors of entry.adapter.modules.values()) tf.dispose([factors.a, factors.b]);
  }

  /**
   * The StepLora of a step whose rows come in runs: (adapter id, number of rows).
   * Undefined when every row is the base model's.
   */
  stepLora(runs: readonly (readonly [adapterId: number, rows: number])[]): StepLora | undefined {
    if (runs.every(([id]) => id === baseAdapterId)) return undefined;
    const adapters: StepLoraAdapter[] = [];
    const slot = new Map<number, number>();
    const rowAdapter = new Int32Array(runs.reduce((sum, [, rows]) => sum + rows, 0));
    let row = 0;
    for (const [id, rows] of runs) {
      let index = -1;
      if (id !== baseAdapterId) {
        const entry = this.byId.get(id);
        if (!entry) throw new EngineError('engine-adapter-invalid', `adapter id ${id} was unloaded while a request used it`, 'unload adapters only when no request uses them');
        index = slot.get(id) ?? adapters.push(entry.adapter) - 1;
        slot.set(id, index);
      }
      rowAdapter.fill(index, row, row + rows);
      row += rows;
    }
    return { rowAdapter, adapters };
  }

  dispose(): void {
    for (const name of this.names) this.unload(name);
  }

  private check(name: string, module: string, factors: LoraModuleInput, rank: number): void {
    const fail = (problem: string, fix: string): never => {
      throw new EngineError('engine-adapter-invalid', `adapter "${name}", module ${module}: ${problem}`, fix);
    };
    const match = modulePattern.exec(module);
    if (!match) fail('not a linear projection of this model', 'LoRA targets q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj of model.layers.<i>');
    const layer = Number(match![1]);
    if (layer >= this.shape.numLayers) fail(`layer ${layer} does not exist (the base has ${this.shape.numLayers})`, 'serve the adapter on the base model it was trained on');
    const expected = this.expectedShape(match![2]);
    if (expected && (factors.inFeatures !== expected[0] || factors.outFeatures !== expected[1])) {
      fail(`adapts a [${factors.outFeatures}, ${factors.inFeatures}] weight, the base has [${expected[1]}, ${expected[0]}]`, 'serve the adapter on the base model it was trained on');
    }
    if (factors.a.length !== rank * factors.inFeatures || factors.b.length !== factors.outFeatures * rank) fail(`A has ${factors.a.length} and B ${factors.b.length} values for rank ${rank}`, 'the adapter file is incomplete or its rank does not match its config');
  }

  /** [in, out] of a projection, when the shape says (intermediate size may be unknown). */
  private expectedShape(projection: string): [number, number] | undefined {
    const { hiddenSize, numHeads, numKvHeads, headDim, intermediateSize } = this.shape;
    switch (projection) {
      case 'self_attn.q_proj':
        return [hiddenSize, numHeads * headDim];
      case 'self_attn.k_proj':
      case 'self_attn.v_proj':
        return [hiddenSize, numKvHeads * headDim];
      case 'self_attn.o_proj':
        return [numHeads * headDim, hiddenSize];
      case 'mlp.gate_proj':
      case 'mlp.up_proj':
        return intermediateSize ? [hiddenSize, intermediateSize] : undefined;
      default:
        return intermediateSize ? [intermediateSize, hiddenSize] : undefined;
    }
  }
}
