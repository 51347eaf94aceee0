/**
 * Sum-all-reduce between worker threads through one SharedArrayBuffer: each rank
 * writes its partial [rows, width] into its slot, a barrier, each rank sums every
 * slot, a second barrier (so no slot is overwritten before all have read it). The
 * barrier is sense-reversing on an Int32Array: reusable, no allocation per call.
 *
 * Failure: a rank that throws stores `failed` (rank + 1) and notifies both the
 * barrier word and the front's `done` word, so nobody stays in Atomics.wait for a
 * peer that will never arrive; a waiter that sees `failed` throws TpAbort. Every wait
 * also has a deadline (a rank that died without a word, e.g. out of memory).
 */
export const control = { count: 0, generation: 1, done: 2, failed: 3 } as const;

/** Thrown in a rank that was woken because another rank failed (or the front gave up). */
export class TpAbort extends Error {
  constructor(
    message: string,
    /** True when another rank (or the front) failed first and will have reported why. */
    readonly byPeer: boolean,
  ) {
    super(message);
    this.name = 'TpAbort';
  }
}

/** Marks the step failed (first writer wins) and wakes every waiter. `by` is rank + 1, or world + 1 for the front. */
export function signalFailure(flags: Int32Array, by: number): void {
  Atomics.compareExchange(flags, control.failed, 0, by);
  Atomics.notify(flags, control.generation);
  Atomics.notify(flags, control.done);
}

export class SharedReducer {
  readonly slots: Float32Array[];
  private readonly flags: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly controlBuffer: SharedArrayBuffer,
    readonly world: number,
    readonly slotFloats: number,
    /** Longest a rank waits in one barrier, ms. */
    readonly waitTimeoutMs = 120_000,
  ) {
    this.slots = Array.from({ length: world }, (_, rank) => new Float32Array(buffer, rank * slotFloats * 4, slotFloats));
    this.flags = new Int32Array(controlBuffer);
  }

  static allocate(world: number, slotFloats: number): { buffer: SharedArrayBuffer; controlBuffer: SharedArrayBuffer } {
    return { buffer: new SharedArrayBuffer(world * slotFloats * 4), controlBuffer: new SharedArrayBuffer(4 * 4) };
  }

  barrier(): void {
    const flags = this.flags;
    const generation = Atomics.load(flags, control.generation);
    if (Atomics.add(flags, control.count, 1) === this.world - 1) {
      Atomics.store(flags, control.count, 0);
      Atomics.add(flags, control.generation, 1);
      Atomics.notify(flags, control.generation);
      return;
    }
    const deadline = performance.now() + this.waitTimeoutMs;
    while (Atomics.load(flags, control.generation) === generation) {
      const failed = Atomics.load(flags, control.failed);
      if (failed !== 0) throw new TpAbort(failed > this.world ? 'the step was abandoned by the engine' : `rank ${failed - 1} failed`, true);
      const left = deadline - performance.now();
      if (left <= 0) throw new TpAbort(`a peer rank did not reach the barrier within ${this.waitTimeoutMs} ms (it is stuck or died)`, false);
      Atomics.wait(flags, control.generation, generation, left);
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
