import { describe, expect, it } from 'vitest';
import { engineSnapshot, histogramQuantile, parsePrometheus } from './metrics-reader.js';

const page = `# HELP chainlm_requests_running requests running
# TYPE chainlm_requests_running gauge
chainlm_requests_running{model="a"} 2
chainlm_requests_running{model="b"} 1
chainlm_requests_waiting{model="a"} 3
chainlm_kv_blocks_used{model="a"} 40
chainlm_kv_blocks_free{model="a"} 984
chainlm_prefix_cache_hit_rate{model="a"} 0.5
chainlm_generation_tokens_per_second{model="a"} 61.5
chainlm_time_to_first_token_seconds_bucket{le="0.1",model="a"} 1
chainlm_time_to_first_token_seconds_bucket{le="0.5",model="a"} 3
chainlm_time_to_first_token_seconds_bucket{le="1",model="a"} 4
chainlm_time_to_first_token_seconds_bucket{le="+Inf",model="a"} 4
chainlm_time_to_first_token_seconds_sum{model="a"} 1.2
chainlm_time_to_first_token_seconds_count{model="a"} 4
chainlm_request_latency_seconds_count{model="a"} 4
`;

describe('Prometheus page → engine snapshot', () => {
  it('sums gauges across label sets and reads the TTFT histogram', () => {
    const snapshot = engineSnapshot(page, 1000);
    expect(snapshot).toMatchObject({ time: 1000, running: 3, waiting: 3, kvBlocksUsed: 40, kvBlocksFree: 984, prefixHitRate: 0.5, tokensPerSecond: 61.5, requests: 4 });
    expect(snapshot.ttftMean).toBeCloseTo(0.3);
    // rank 2 of 4 falls in (0.1, 0.5] holding counts 1..3: 0.1 + 0.4 * (2 - 1) / 2
    expect(snapshot.ttftP50).toBeCloseTo(0.3);
    // rank 3.6 falls in (0.5, 1]: 0.5 + 0.5 * 0.6
    expect(snapshot.ttftP90).toBeCloseTo(0.8);
    expect(snapshot.replicas).toBeNull();
  });

  it('reads the replica gauges of a --replicas server', () => {
    const replicas = `chainlm_replicas_live{model="a"} 1\nchainlm_replicas{model="a"} 2\nchainlm_replica_restarts{model="a"} 3\n`;
    expect(engineSnapshot(page + replicas).replicas).toEqual({ live: 1, total: 2, restarts: 3 });
  });

  it('gives null TTFT before any request and ignores comments and junk', () => {
    const snapshot = engineSnapshot('# nothing\ngarbage line\nchainlm_requests_running 0\n');
    expect(snapshot.ttftMean).toBeNull();
    expect(snapshot.ttftP50).toBeNull();
    expect(parsePrometheus('x{a="1",b="two words"} 5')).toEqual([{ name: 'x', labels: { a: '1', b: 'two words' }, value: 5 }]);
    expect(histogramQuantile([], 'none', 0.5)).toBeNull();
  });
});

describe('a real server\'s /metrics page → engine snapshot (writer and reader agree on the names)', () => {
  it('reads the requests, KV blocks and TTFT a tiny chat model served', async () => {
    const { createServer } = await import('../app/create-server.js');
    const { loadServedModel } = await import('../app/load-model.js');
    const { makeTinyChatModel } = await import('../testing/tiny-chat-model.js');
    const app = await createServer([await loadServedModel(await makeTinyChatModel(), { id: 'tiny-chat', engine: { maxSeqs: 4 } })], { maxTokens: 16 });
    try {
      const before = engineSnapshot((await app.inject({ url: '/metrics' })).body, 1);
      expect(before).toMatchObject({ requests: 0, running: 0, ttftMean: null, replicas: null });
      expect(before.kvBlocksFree).toBeGreaterThan(0);
      for (let request = 0; request < 3; request++) {
        const reply = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'tiny-chat', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 4 } });
        expect(reply.statusCode).toBe(200);
      }
      const after = engineSnapshot((await app.inject({ url: '/metrics' })).body, 2);
      expect(after.requests).toBe(3);
      expect(after.ttftMean).toBeGreaterThan(0);
      expect(after.ttftP50).toBeGreaterThan(0);
      expect(after.kvBlocksUsed + after.kvBlocksFree).toBe(before.kvBlocksUsed + before.kvBlocksFree);
    } finally {
      await app.close();
    }
  }, 120_000);
});
