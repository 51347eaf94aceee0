/**
 * The life of a long-running CLI service (a queue worker): start it, keep it until
 * SIGINT/SIGTERM or until it reports itself lost (Redis gone for good), then close
 * it. The caller turns `lost` into its own catalogue's error.
 */
export interface StoppableService {
  close(): Promise<void>;
}

export async function serveUntilStopped<H extends StoppableService>(
  start: (onLost: (error: Error) => void) => Promise<H>,
  hooks: { started?: (handle: H) => void; stopping?: () => void } = {},
): Promise<{ handle: H; lost?: Error }> {
  let lost: Error | undefined;
  let stop!: () => void;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  const handle = await start((error) => {
    lost = error;
    stop();
  });
  hooks.started?.(handle);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  hooks.stopping?.();
  await handle.close();
  return lost ? { handle, lost } : { handle };
}
