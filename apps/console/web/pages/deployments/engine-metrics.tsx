/** Live engine metrics of one deployment (its /metrics, read through the console once a second). */
import { Paper, SimpleGrid, Text } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import { Chart, lineOption } from '../../components/chart';
import { ErrorNote, formatNumber } from '../../components/states';
import type { EngineSnapshot } from '../../types';

const keep = 120;

export function EngineMetrics({ deploymentId }: { deploymentId: string }) {
  const [history, setHistory] = useState<EngineSnapshot[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    const tick = () =>
      api<{ snapshot: EngineSnapshot }>(`/api/deployments/${encodeURIComponent(deploymentId)}/metrics`).then(
        ({ snapshot }) => {
          if (!live) return;
          setError(undefined);
          setHistory((previous) => [...previous, snapshot].slice(-keep));
        },
        (caught) => live && setError(caught),
      );
    void tick();
    const timer = setInterval(tick, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [deploymentId]);
  const charts = useMemo(() => {
    const start = history[0]?.time ?? 0;
    const series = (pick: (snapshot: EngineSnapshot) => number | null) => history.filter((entry) => pick(entry) !== null).map((entry) => [(entry.time - start) / 1000, pick(entry)!] as [number, number]);
    return {
      queue: lineOption('requests', [{ name: 'running', points: series((entry) => entry.running) }, { name: 'waiting', points: series((entry) => entry.waiting) }], 'seconds'),
      kv: lineOption('KV blocks', [{ name: 'used', points: series((entry) => entry.kvBlocksUsed) }, { name: 'free', points: series((entry) => entry.kvBlocksFree) }], 'seconds'),
      speed: lineOption('generated tokens / s', [{ name: 'tokens/s', points: series((entry) => entry.tokensPerSecond) }], 'seconds'),
      ttft: lineOption('time to first token (s)', [{ name: 'p50', points: series((entry) => entry.ttftP50) }, { name: 'p90', points: series((entry) => entry.ttftP90) }], 'seconds'),
    };
  }, [history]);
  const last = history.at(-1);
  return (
    <>
      <ErrorNote error={error} title="Metrics unavailable" />
      <SimpleGrid cols={{ base: 2, md: 6 }} mb="xs" data-testid="engine-stats">
        {[
          ['running', last?.running],
          ['waiting', last?.waiting],
          ['KV used', last?.kvBlocksUsed],
          ['tokens/s', last?.tokensPerSecond],
          ['TTFT p50 (s)', last?.ttftP50],
          ['requests', last?.requests],
        ].map(([label, value]) => (
          <Paper withBorder p={6} key={String(label)}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={700}>{formatNumber(value as number | undefined, 3)}</Text>
          </Paper>
        ))}
      </SimpleGrid>
      {last?.replicas ? (
        <Text size="sm" mb="xs" c={last.replicas.live < last.replicas.total ? 'red' : undefined} data-testid="engine-replicas">
          replicas serving {last.replicas.live} of {last.replicas.total}
          {last.replicas.restarts > 0 ? ` · restarted ${last.replicas.restarts} time${last.replicas.restarts === 1 ? '' : 's'} after dying` : ''}
        </Text>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Chart option={charts.queue} height={200} />
        <Chart option={charts.kv} height={200} />
        <Chart option={charts.speed} height={200} />
        <Chart option={charts.ttft} height={200} />
      </SimpleGrid>
    </>
  );
}
