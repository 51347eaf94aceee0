import { describe, expect, it } from 'vitest';
import { estimatedLoad, WorkerRegistry } from './worker-registry.js';

const registration = (url: string, models = ['m']) => ({
  url,
  models: models.map((id) => ({ id })),
  capacity: 4,
  load: { running: 0, waiting: 0 },
  heartbeat_interval_ms: 100,
});

describe('WorkerRegistry', () => {
  it('drops a worker silent past the timeout, and never offers it from the timeout on', () => {
    const registry = new WorkerRegistry(1000);
    const a = registry.register(registration('http://a'), 0);
    const b = registry.register(registration('http://b'), 0);
    registry.heartbeat(a.id, { running: 1, waiting: 0 }, [{ id: 'm' }], 900);
    expect(registry.candidates('m', 1000).map((worker) => worker.url)).toEqual(['http://a', 'http://b']);
    expect(registry.candidates('m', 1001).map((worker) => worker.url)).toEqual(['http://a']);
    expect(registry.expire(1000)).toEqual([]);
    expect(registry.expire(1001).map((worker) => worker.url)).toEqual(['http://b']);
    expect(registry.heartbeat(b.id, { running: 0, waiting: 0 }, [{ id: 'm' }], 1002)).toBeUndefined();
    expect(registry.all().map((worker) => worker.url)).toEqual(['http://a']);
  });

  it('replaces the entry of a URL that registers again, with a new id', () => {
    const registry = new WorkerRegistry(1000);
    const first = registry.register(registration('http://a'), 0);
    const second = registry.register(registration('http://a', ['m', 'lora']), 5);
    expect(second.id).not.toBe(first.id);
    expect(registry.size).toBe(1);
    expect(registry.get(first.id)).toBeUndefined();
    expect(registry.candidates('lora', 5)).toEqual([second]);
  });

  it('offers only workers serving the model, and an unreachable one again after its next heartbeat', () => {
    const registry = new WorkerRegistry(1000);
    const a = registry.register(registration('http://a', ['m']), 0);
    registry.register(registration('http://b', ['m', 'other']), 0);
    expect(registry.candidates('other', 0).map((worker) => worker.url)).toEqual(['http://b']);
    expect(registry.candidates('missing', 0)).toEqual([]);
    a.state = 'unreachable';
    expect(registry.candidates('m', 1).map((worker) => worker.url)).toEqual(['http://b']);
    registry.heartbeat(a.id, { running: 0, waiting: 0 }, [{ id: 'm' }], 2);
    expect(registry.candidates('m', 2).map((worker) => worker.url)).toEqual(['http://a', 'http://b']);
  });

  it('estimates load as our in-flight requests plus the others the last heartbeat reported', () => {
    const registry = new WorkerRegistry(1000);
    const worker = registry.register(registration('http://a'), 0);
    worker.outstanding = 2;
    // The heartbeat counts our 2 and 3 from elsewhere.
    registry.heartbeat(worker.id, { running: 4, waiting: 1 }, [{ id: 'm' }], 10);
    expect(estimatedLoad(worker)).toBe(5);
    worker.outstanding = 0;
    expect(estimatedLoad(worker)).toBe(3);
    // A heartbeat that saw fewer than ours (they finished before it was read) never goes negative.
    worker.outstanding = 3;
    registry.heartbeat(worker.id, { running: 1, waiting: 0 }, [{ id: 'm' }], 20);
    expect(estimatedLoad(worker)).toBe(3);
  });
});
