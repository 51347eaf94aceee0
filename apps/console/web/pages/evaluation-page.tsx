/** Evaluation: start a run, the leaderboard (dataset × model), per-sample drill-down, and two runs compared. */
import { Grid, Paper, Title } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../api';
import { useJobsFinished } from '../components/jobs-context';
import { ErrorNote } from '../components/states';
import type { SummaryRow } from '../types';
import { CompareRuns } from './evaluation/compare-runs';
import { EvalForm } from './evaluation/eval-form';
import { Leaderboard, type LeaderboardData } from './evaluation/leaderboard';
import { QueuePanel } from './evaluation/queue-panel';
import { SamplesView } from './evaluation/samples-view';

export interface EvalRunSummary {
  run: string;
  createdAt: string;
  rows: SummaryRow[];
}

export function EvaluationPage() {
  const board = useApi<LeaderboardData>('/api/evals/leaderboard');
  const runs = useApi<{ runs: EvalRunSummary[] }>('/api/evals');
  useJobsFinished(['eval'], () => {
    board.reload();
    runs.reload();
  });
  const [pick, setPick] = useState<{ run: string; model: string; dataset: string }>();
  return (
    <>
      <Title order={3} mb="sm">
        Evaluation
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <EvalForm />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Paper withBorder p="sm" mb="md">
            <Title order={5} mb="xs">
              Leaderboard
            </Title>
            <ErrorNote error={board.error} />
            {board.data ? <Leaderboard data={board.data} onPick={setPick} /> : null}
          </Paper>
          {pick ? (
            <Paper withBorder p="sm" mb="md">
              <SamplesView {...pick} />
            </Paper>
          ) : null}
          <Paper withBorder p="sm" mb="md">
            <ErrorNote error={runs.error} />
            <CompareRuns runs={runs.data?.runs ?? []} />
          </Paper>
          <Paper withBorder p="sm">
            <QueuePanel />
          </Paper>
        </Grid.Col>
      </Grid>
    </>
  );
}
