/** The shell: navigation on the left, one page per link of the chain on the right. */
import { AppShell, Badge, Group, NavLink, Text, Title } from '@mantine/core';
import type { ComponentType } from 'react';
import { isActive, JobsProvider, useJobs } from './components/jobs-context';
import { DatasetsPage } from './pages/datasets-page';
import { DeploymentsPage } from './pages/deployments-page';
import { EvaluationPage } from './pages/evaluation-page';
import { JobsPage } from './pages/jobs-page';
import { LineagePage } from './pages/lineage-page';
import { PlaygroundPage } from './pages/playground-page';
import { TrainingPage } from './pages/training-page';
import { navigate, useLocation } from './router';

const pages: { path: string; label: string; page: ComponentType }[] = [
  { path: '/datasets', label: 'Datasets', page: DatasetsPage },
  { path: '/training', label: 'Training', page: TrainingPage },
  { path: '/evaluation', label: 'Evaluation', page: EvaluationPage },
  { path: '/deployments', label: 'Deployments', page: DeploymentsPage },
  { path: '/playground', label: 'Playground', page: PlaygroundPage },
  { path: '/lineage', label: 'Lineage', page: LineagePage },
  { path: '/jobs', label: 'Jobs', page: JobsPage },
];

function Navigation({ path }: { path: string }) {
  const running = useJobs().filter(isActive).length;
  return (
    <>
      {pages.map((entry) => (
        <NavLink
          key={entry.path}
          label={entry.label}
          active={path === entry.path}
          data-testid={`nav-${entry.label.toLowerCase()}`}
          rightSection={entry.path === '/jobs' && running > 0 ? <Badge size="xs">{running}</Badge> : null}
          onClick={(event) => {
            event.preventDefault();
            navigate(entry.path);
          }}
          href={entry.path}
        />
      ))}
    </>
  );
}

export function App() {
  const { path } = useLocation();
  const current = pages.find((entry) => entry.path === path) ?? pages[0];
  const Page = current.page;
  return (
    <JobsProvider>
      <AppShell header={{ height: 48 }} navbar={{ width: 180, breakpoint: 'xs' }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Title order={4}>chainlm console</Title>
            <Text size="xs" c="dimmed">
              data → train → eval → serve → agents
            </Text>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs">
          <Navigation path={current.path} />
        </AppShell.Navbar>
        <AppShell.Main>
          <Page key={current.path} />
        </AppShell.Main>
      </AppShell>
    </JobsProvider>
  );
}
