/**
 * Bench-only preload for the server under test (`node --expose-gc --import
 * memory-probe.js chainlm-serve.js …`, with an IPC channel): on the message
 * 'memory' it runs a full GC and answers with process.memoryUsage(), so the load
 * test can tell retained memory from garbage V8 has not collected yet. The server
 * itself has no such hook.
 */
process.on('message', async (message) => {
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  // The wasm backend's heap (a WebAssembly.Memory: grows to its high-water mark, never shrinks).
  const { tf } = await import('@chainlm/runtime');
  const wasmHeap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength ?? 0;
  process.send?.({ type: 'memory', usage: process.memoryUsage(), wasmHeap });
});
// Adding the listener refs the channel: it must not keep the server alive once it has closed (SIGTERM → drain → exit).
process.channel?.unref();
