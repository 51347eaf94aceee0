/** The restart budget and the adapter sync of a restarted replica, without threads. */
import { describe, expect, it } from 'vitest';
import type { LoraAdapterInput } from '../lora/adapter-registry.js';
import { claimRestart, syncAdapters } from './replica-restart.js';

const adapter = (rank: number): LoraAdapterInput => ({ rank, alpha: rank, modules: new Map() });

describe('claimRestart', () => {
  it('allows maxRestarts within the window, then refuses saying why, and forgets restarts older than the window', () => {
    const history: number[] = [];
    const policy = { maxRestarts: 2, windowMs: 10_000 };
    expect(claimRestart(history, policy, 1_000)).toEqual({ allowed: true });
    expect(claimRestart(history, policy, 2_000)).toEqual({ allowed: true });
    expect(claimRestart(history, policy, 3_000)).toEqual({ allowed: false, why: 'it was restarted 2 times in the last 10 s' });
    expect(history).toEqual([1_000, 2_000]);
    expect(claimRestart(history, policy, 11_500)).toEqual({ allowed: true });
    expect(history).toEqual([2_000, 11_500]);
  });
});

describe('syncAdapters', () => {
  it('loads what the pool has, follows a change made meanwhile, and stops when the worker dies', async () => {
    const wanted = new Map([['a', adapter(2)], ['b', adapter(4)]]);
    const sent: string[] = [];
    const synced = await syncAdapters(wanted, async (message) => {
      sent.push(`${message.type} ${message.name}`);
      // While "a" loads, the pool unloads "b" and loads "c".
      if (message.name === 'a') {
        wanted.delete('b');
        wanted.set('c', adapter(8));
      }
      return { type: 'done', operation: 0 };
    }, () => false);
    expect(synced).toBe(true);
    expect(sent).toEqual(['load-adapter a', 'load-adapter c']);

    const dying = await syncAdapters(new Map([['a', adapter(2)], ['b', adapter(2)]]), async () => ({ type: 'done', operation: 0 }), (() => { let calls = 0; return () => ++calls > 1; })());
    expect(dying).toBe(false);
  });

  it('unloads an adapter the pool dropped after it was loaded, and throws a refusal', async () => {
    const wanted = new Map([['a', adapter(2)]]);
    const sent: string[] = [];
    await syncAdapters(wanted, async (message) => {
      sent.push(`${message.type} ${message.name}`);
      if (message.type === 'load-adapter') wanted.delete('a');
      return { type: 'done', operation: 0 };
    }, () => false);
    expect(sent).toEqual(['load-adapter a', 'unload-adapter a']);
    const refusal = { code: 'engine-adapter-invalid', message: 'layer 9 does not exist', hint: 'check the adapter' };
    await expect(syncAdapters(new Map([['bad', adapter(2)]]), async () => ({ type: 'done', operation: 0, error: refusal }), () => false)).rejects.toThrow(/layer 9 does not exist/);
  });
});
