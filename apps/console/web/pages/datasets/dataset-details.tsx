/** A dataset's stats (length histogram, script mix), its paged rows and its quarantine. */
import { Group, Pagination, Paper, SimpleGrid, Text } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../../api';
import { Chart } from '../../components/chart';
import { DataTable } from '../../components/data-table';
import { Empty, ErrorNote, formatNumber, Loading } from '../../components/states';
import type { DatasetStats } from '../../types';

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="xs">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700}>{value}</Text>
    </Paper>
  );
}

export function DatasetOverview({ name }: { name: string }) {
  const { data, error, loading } = useApi<{ stats: DatasetStats }>(`/api/datasets/${encodeURIComponent(name)}/stats`);
  if (error) return <ErrorNote error={error} />;
  if (loading || !data) return <Loading />;
  const stats = data.stats;
  const histogram = stats.lengthHistogram ?? [];
  const mix = stats.scriptMix;
  return (
    <>
      <SimpleGrid cols={{ base: 2, md: 5 }} mb="sm" data-testid="dataset-stats">
        <Stat label="records" value={formatNumber(stats.records)} />
        <Stat label="quarantined" value={formatNumber(stats.quarantined)} />
        <Stat label={stats.tokens !== undefined ? 'tokens' : 'characters'} value={formatNumber(stats.tokens ?? stats.chars)} />
        <Stat label="duplicates" value={formatNumber(stats.duplicates)} />
        <Stat label="dedup rate" value={stats.dedupRate === undefined ? '–' : `${(stats.dedupRate * 100).toFixed(1)} %`} />
      </SimpleGrid>
      {stats.shards ? (
        <Text size="sm">
          tokenized: {stats.shards.rows} rows of {stats.shards.seqLen} tokens ({stats.shards.train} train, {stats.shards.validation} validation)
        </Text>
      ) : null}
      {histogram.length > 0 ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Chart
            testId="length-histogram"
            option={{
              title: { text: 'Length (characters)', textStyle: { fontSize: 13 } },
              tooltip: {},
              grid: { left: 48, right: 8, top: 32, bottom: 48 },
              xAxis: { type: 'category', data: histogram.map((bucket) => `${bucket.fromChars}–${bucket.toChars}`), axisLabel: { rotate: 40, fontSize: 10 } },
              yAxis: { type: 'value', name: 'records' },
              series: [{ type: 'bar', data: histogram.map((bucket) => bucket.records) }],
            }}
          />
          {mix ? (
            <Chart
              testId="script-mix"
              option={{
                title: { text: 'Script mix', textStyle: { fontSize: 13 } },
                tooltip: { trigger: 'item' },
                legend: { bottom: 0 },
                series: [{ type: 'pie', radius: ['35%', '65%'], data: [{ name: 'latin', value: mix.latin }, { name: 'cjk', value: mix.cjk }, { name: 'none', value: mix.none }].filter((entry) => entry.value > 0) }],
              }}
            />
          ) : null}
        </SimpleGrid>
      ) : null}
    </>
  );
}

export function RowsViewer({ name }: { name: string }) {
  const pageSize = 20;
  const [page, setPage] = useState(1);
  const { data, error, loading } = useApi<{ rows: Record<string, unknown>[]; total: number; columns: string[] }>(`/api/datasets/${encodeURIComponent(name)}/rows?offset=${(page - 1) * pageSize}&limit=${pageSize}`);
  if (error) return <ErrorNote error={error} />;
  if (!data) return loading ? <Loading /> : null;
  if (data.total === 0 || data.rows.length === 0) return <Empty title="No rows to show">Tokenized datasets hold packed token rows; browse their source dataset instead.</Empty>;
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Text size="sm">
          rows {(page - 1) * pageSize + 1}–{(page - 1) * pageSize + data.rows.length} of {data.total.toLocaleString()}
        </Text>
        <Pagination size="sm" total={Math.ceil(data.total / pageSize)} value={page} onChange={setPage} data-testid="rows-pagination" />
      </Group>
      <DataTable rows={data.rows} columns={data.columns.filter((column) => column !== 'meta')} testId="rows-table" />
    </>
  );
}

export function QuarantineTable({ name }: { name: string }) {
  const { data, error } = useApi<{ rows: Record<string, unknown>[]; total: number }>(`/api/datasets/${encodeURIComponent(name)}/quarantine?limit=100`);
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading />;
  if (data.total === 0) return <Empty title="Nothing quarantined">Every input record of this dataset parsed.</Empty>;
  return <DataTable rows={data.rows} columns={['file', 'line', 'reason', 'raw']} />;
}
