/** Datasets down, models across; each cell the newest score, click for its samples. */
import { Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { Empty, formatNumber } from '../../components/states';
import type { SummaryRow } from '../../types';

export interface LeaderboardData {
  datasets: string[];
  models: string[];
  cells: (SummaryRow & { run: string; createdAt: string })[];
}

export function Leaderboard({ data, onPick }: { data: LeaderboardData; onPick: (pick: { run: string; model: string; dataset: string }) => void }) {
  if (data.cells.length === 0) return <Empty title="No eval results yet">Start an eval on the left: its scores land here, one row per dataset and one column per model.</Empty>;
  const rows = [...new Set(data.cells.map((cell) => `${cell.dataset}\u0000${cell.metric}`))];
  return (
    <Table withTableBorder withColumnBorders fz="sm" data-testid="leaderboard">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>dataset</Table.Th>
          <Table.Th>metric</Table.Th>
          {data.models.map((model) => (
            <Table.Th key={model}>{model}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((key) => {
          const [dataset, metric] = key.split('\u0000');
          const inRow = data.cells.filter((cell) => cell.dataset === dataset && cell.metric === metric);
          const best = Math.max(...inRow.map((cell) => cell.score));
          return (
            <Table.Tr key={key}>
              <Table.Td>{dataset}</Table.Td>
              <Table.Td>
                <Text size="xs">{metric}</Text>
              </Table.Td>
              {data.models.map((model) => {
                const cell = inRow.find((entry) => entry.model === model);
                return (
                  <Table.Td key={model}>
                    {cell ? (
                      <Tooltip label={`run ${cell.run} · ${cell.mode} · prompt ${cell.promptHash}`}>
                        <UnstyledButton onClick={() => onPick({ run: cell.run, model, dataset })} fw={cell.score === best && inRow.length > 1 ? 700 : 400} data-testid="leaderboard-cell">
                          {formatNumber(cell.score)}
                        </UnstyledButton>
                      </Tooltip>
                    ) : (
                      '–'
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
