/**
 * Sum-all-reduce between worker threads through one SharedArrayBuffer: each rank
 * writes its partial [rows, width] into its slot, a barrier, each rank sums every
 * slot, a second barrier (so no slot is overwritten before all have read it). The
 * barrier is sense-reversing on an Int32Array: reusable, no allocation per call.
 */
export const control = { count: 0, generation: 1, done: 2 } as const;

export class SharedReducer {
  readonly slots: Float32Array[];

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly controlBuffer: SharedArrayBuffer,
    readonly world: number,
    readonly slotFloats: number,
  ) {
    this.slots = Array.from({ length: world }, (_, rank) => new Float32Array(buffer, rank * slotFloats * 4, slotFloats));
  }

  static allocate(world: number, slotFloats: number): { buffer: SharedArrayBuffer; controlBuffer: SharedArrayBuffer } {
    return { buffer: new SharedArrayBuffer(world * slotFloats * 4), controlBuffer: new SharedArrayBuffer(4 * 4) };
  }

  barrier(): void {
    const flags = new Int32Array(this.controlBuffer);
    const generation = Atomics.load(flags, control.generation);
    if (Atomics.add(flags, control.count, 1) === this.world - 1) {
      Atomics.store(flags, control.count, 0);
      Atomics.add(flags, control.generation, 1);
      Atomics.notify(flags, control.generation);
    } else {
      while (Atomics.load(flags, control.generation) === generation) Atomics.wait(flags, control.generation, generation);
    }
  }

  /** Returns Σ over ranks of `partial` ([length] floats) into a fresh array. */
  allReduce(rank: number, partial: Float32Array): Float32Array {
    this.slots[rank].set(partial);
    this.barrier();
    const sum = new Float32Array(partial.length);
    for (const slot of this.slots) for (let index = 0; index < partial.length; index++) sum[index] += slot[index];
    this.barrier();
    return sum;
  }
}
