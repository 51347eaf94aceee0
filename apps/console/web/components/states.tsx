/** Empty states, errors shown where they happen, status badges. */
import { Alert, Badge, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api';

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack align="center" gap={4} py="xl" data-testid="empty-state">
      <Text fw={600} c="dimmed">
        {title}
      </Text>
      {children ? (
        <Text size="sm" c="dimmed" ta="center" maw={520}>
          {children}
        </Text>
      ) : null}
    </Stack>
  );
}

export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : undefined;
  return (
    <Alert color="red" title={title ?? 'Error'} data-testid="error-note" my="xs">
      <Text size="sm">{message}</Text>
      {hint ? (
        <Text size="xs" c="dimmed" mt={4}>
          hint: {hint}
        </Text>
      ) : null}
    </Alert>
  );
}

export function Loading() {
  return (
    <Center py="md">
      <Loader size="sm" />
    </Center>
  );
}

const statusColors: Record<string, string> = {
  starting: 'gray',
  pending: 'gray',
  running: 'blue',
  succeeded: 'green',
  finished: 'green',
  failed: 'red',
  cancelled: 'orange',
  lost: 'grape',
  stopped: 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColors[status] ?? 'gray'} variant="light" data-testid="status-badge">
      {status}
    </Badge>
  );
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString();
  return Number(value.toPrecision(digits)).toString();
}
