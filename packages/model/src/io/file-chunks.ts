/**
 * Positional reads and writes in bounded chunks. A single read(2)/write(2) moves at
 * most ~2 GiB, and a Node Buffer is capped too, so big tensors and big files are
 * moved piecewise; positions are plain numbers (exact up to 2^53 bytes), which is
 * how files larger than 2 GiB are addressed without loading them whole.
 */
import type { FileHandle } from 'node:fs/promises';

/** 256 MiB: well under the per-call limit, big enough that call overhead is nil. */
export const ioChunkBytes = 256 * 1024 * 1024;

/** Fills `target` from `handle` starting at byte `position`; throws on a short read. */
export async function readExactly(handle: FileHandle, target: Uint8Array, position: number, describe: () => string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(ioChunkBytes, target.length - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) throw new Error(`${describe()}: file ended after ${position + done} bytes while ${target.length - done} more were expected`);
    done += bytesRead;
  }
}

/** Appends `bytes` at the handle's current position, chunk by chunk. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length; done += ioChunkBytes) {
    const chunk = bytes.subarray(done, Math.min(bytes.length, done + ioChunkBytes));
    let written = 0;
    while (written < chunk.length) {
      const result = await handle.write(chunk, written, chunk.length - written);
      written += result.bytesWritten;
    }
  }
}

/** The bytes of a Float32Array as a Uint8Array view (no copy). */
export function bytesOf(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
