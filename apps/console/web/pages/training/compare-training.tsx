/**
 * Two training runs' loss curves overlaid on one chart (train solid, validation
 * dashed), by step or by tokens seen, with a summary row each: LlamaBoard's
 * "compare runs" view.
 */
import { Group, Paper, SegmentedControl, Select, Table, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useApi } from '../../api';
import { Chart, lineOption, type ChartOption } from '../../components/chart';
import { ErrorNote, formatNumber, StatusBadge } from '../../components/states';
import type { RunSummary } from '../../types';

interface CurvePoint {
  step: number;
  tokens: number | null;
  value: number;
}

interface RunCurves {
  run: string;
  status: string;
  train: CurvePoint[];
  validation: CurvePoint[];
  summary: { steps: number; tokens: number; finalLoss: number | null; bestValLoss: number | null; tokensPerSecond: number | null; elapsed: number | null };
}

type Axis = 'step' | 'tokens';

function overlayOption(runs: { label: string; curves: RunCurves }[], axis: Axis): ChartOption {
  const points = (curve: CurvePoint[]) => curve.filter((point) => point[axis] !== null).map((point) => [point[axis]!, point.value] as [number, number]);
  const series = runs.flatMap(({ label, curves }) => [
    { name: `${label} train`, points: points(curves.train) },
    { name: `${label} validation`, points: points(curves.validation) },
  ]);
  const option = lineOption('loss', series, axis) as { series: { lineStyle?: object; symbol?: string; showSymbol?: boolean }[] };
  // Validation curves dashed with their points shown (a few evaluations per run).
  option.series.forEach((entry, index) => {
    if (index % 2 === 1) Object.assign(entry, { lineStyle: { type: 'dashed' }, showSymbol: true });
  });
  return { ...option, color: ['#1c7ed6', '#74c0fc', '#e8590c', '#ffa94d'] };
}

export function CompareTraining({ runs }: { runs: RunSummary[] }) {
  // Until the user picks, A and B follow the newest two runs (runs come newest first).
  const [chosen, setChosen] = useState<{ a?: string | null; b?: string | null }>({});
  const a = chosen.a ?? runs[1]?.run ?? null;
  const b = chosen.b ?? runs[0]?.run ?? null;
  const [axis, setAxis] = useState<Axis>('step');
  const { data, error, reload } = useApi<{ a: RunCurves; b: RunCurves }>(a && b ? `/api/compare/training?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` : null);
  const shown = data && data.a.run === a && data.b.run === b ? data : undefined;
  const training = shown !== undefined && (shown.a.status === 'running' || shown.b.status === 'running');
  useEffect(() => {
    if (!training) return;
    const timer = setInterval(reload, 3000); // a run still training: its curve keeps growing here too
    return () => clearInterval(timer);
  }, [training, reload]);
  const option = useMemo(() => (shown ? overlayOption([{ label: 'A', curves: shown.a }, { label: 'B', curves: shown.b }], axis) : null), [shown, axis]);
  const options = runs.map((run) => ({ value: run.run, label: run.run }));
  if (runs.length < 2) return null;
  return (
    <Paper withBorder p="sm" mt="md" data-testid="compare-training">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Compare two runs</Title>
        <SegmentedControl size="xs" value={axis} onChange={(value) => setAxis(value as Axis)} data={[{ label: 'by step', value: 'step' }, { label: 'by tokens', value: 'tokens' }]} />
      </Group>
      <Group grow mb="xs">
        <Select label="Run A" data={options} value={a} onChange={(value) => setChosen({ ...chosen, a: value })} allowDeselect={false} data-testid="compare-training-a" />
        <Select label="Run B" data={options} value={b} onChange={(value) => setChosen({ ...chosen, b: value })} allowDeselect={false} data-testid="compare-training-b" />
      </Group>
      <ErrorNote error={error} />
      {shown && option ? (
        <>
          <div data-testid="compare-training-chart" data-series={`${shown.a.train.length},${shown.a.validation.length},${shown.b.train.length},${shown.b.validation.length}`}>
            <Chart option={option} height={280} />
          </div>
          <Table fz="xs" withTableBorder data-testid="compare-training-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>run</Table.Th>
                <Table.Th>status</Table.Th>
                <Table.Th>steps</Table.Th>
                <Table.Th>tokens</Table.Th>
                <Table.Th>final loss</Table.Th>
                <Table.Th>best val loss</Table.Th>
                <Table.Th>tokens/s</Table.Th>
                <Table.Th>time</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(['a', 'b'] as const).map((side) => {
                const { run, status, summary } = shown[side];
                return (
                  <Table.Tr key={side}>
                    <Table.Td fw={600}>{side.toUpperCase()}</Table.Td>
                    <Table.Td>{run}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={status} />
                    </Table.Td>
                    <Table.Td>{formatNumber(summary.steps)}</Table.Td>
                    <Table.Td>{formatNumber(summary.tokens)}</Table.Td>
                    <Table.Td>{formatNumber(summary.finalLoss)}</Table.Td>
                    <Table.Td>{formatNumber(summary.bestValLoss)}</Table.Td>
                    <Table.Td>{formatNumber(summary.tokensPerSecond, 3)}</Table.Td>
                    <Table.Td>{summary.elapsed === null ? '–' : `${formatNumber(summary.elapsed, 3)} s`}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </>
      ) : null}
    </Paper>
  );
}
