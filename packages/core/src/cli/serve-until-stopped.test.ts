import { describe, expect, it } from 'vitest';
import { serveUntilStopped } from './serve-until-stopped.js';

describe('serveUntilStopped', () => {
  it('closes the service when it reports itself lost and returns why', async () => {
    const events: string[] = [];
    const result = await serveUntilStopped(
      async (onLost) => {
        setTimeout(() => onLost(new Error('redis gone')), 10);
        return { close: async () => void events.push('closed') };
      },
      { started: () => events.push('started'), stopping: () => events.push('stopping') },
    );
    expect(result.lost?.message).toBe('redis gone');
    expect(events).toEqual(['started', 'stopping', 'closed']);
  });

  it('closes the service on SIGTERM with nothing lost, and leaves no signal listener behind', async () => {
    const listeners = process.listenerCount('SIGTERM');
    let closed = false;
    const running = serveUntilStopped(async () => ({ close: async () => void (closed = true) }));
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
    process.emit('SIGTERM', 'SIGTERM');
    const result = await running;
    expect(result.lost).toBeUndefined();
    expect(closed).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
  });
});
