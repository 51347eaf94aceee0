/**
 * An agent run against the deployment: each thought, plan, tool call, observation,
 * answer and error as it streams in. An error step shows where the run stopped,
 * with the server's numbers when the prompt did not fit the model's context.
 */
import { Alert, Badge, Button, Code, Group, MultiSelect, NumberInput, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { postStream } from '../../api';
import { ErrorNote } from '../../components/states';
import type { Deployment } from '../../types';

interface Step {
  type: 'thought' | 'plan' | 'tool-call' | 'observation' | 'answer' | 'error';
  step: number;
  text?: string;
  tool?: string;
  input?: unknown;
  result?: { ok: boolean; output?: unknown; error?: { message: string } };
  calls?: { id: string; tool: string; input: string }[];
  code?: string;
  message?: string;
  hint?: string;
  detail?: string;
  context?: { promptTokens: number; contextTokens: number; maxModelLen: number | null; kvCacheTokens: number | null; limit: 'maxModelLen' | 'kv-cache' };
}

const colors: Record<Step['type'], string> = { thought: 'gray', plan: 'violet', 'tool-call': 'blue', observation: 'teal', answer: 'green', error: 'red' };

function describe(step: Step): string {
  switch (step.type) {
    case 'tool-call':
      return `${step.tool}(${typeof step.input === 'string' ? step.input : JSON.stringify(step.input)})`;
    case 'observation':
      return step.result?.ok ? JSON.stringify(step.result.output) : `error: ${step.result?.error?.message ?? 'failed'}`;
    case 'plan':
      return (step.calls ?? []).map((call) => `${call.id} = ${call.tool}[${call.input}]`).join('\n');
    case 'error':
      return step.message ?? '';
    default:
      return step.text ?? '';
  }
}

function StepCard({ step }: { step: Step }) {
  return (
    <Paper withBorder p="xs" data-testid={`agent-step-${step.type}`}>
      <Group gap="xs" mb={2}>
        <Badge color={colors[step.type]} size="sm">
          {step.type}
        </Badge>
        <Text size="xs" c="dimmed">
          step {step.step}
        </Text>
      </Group>
      <Code block style={{ whiteSpace: 'pre-wrap' }}>
        {describe(step)}
      </Code>
    </Paper>
  );
}

/** An error step: which check stopped the run, the numbers, and what to change. */
function ErrorStep({ step }: { step: Step }) {
  const context = step.context;
  return (
    <Alert color="red" p="xs" title={`step ${step.step} · ${step.code ?? 'error'}`} data-testid="agent-error-step">
      <Text size="sm">{step.message}</Text>
      {context ? (
        <Group gap="xs" mt={4} data-testid="agent-context-overflow">
          <Badge color="red" variant="light" tt="none">
            prompt {context.promptTokens} tokens
          </Badge>
          <Badge color="gray" variant="light" tt="none">
            limit {context.contextTokens} tokens ({context.limit === 'kv-cache' ? 'KV cache' : 'maxModelLen'})
          </Badge>
        </Group>
      ) : null}
      {step.hint ? (
        <Text size="xs" c="dimmed" mt={4}>
          hint: {step.hint}
        </Text>
      ) : null}
      {step.detail ? (
        <Text size="xs" c="dimmed" mt={4} style={{ wordBreak: 'break-all' }}>
          server said: {step.detail}
        </Text>
      ) : null}
    </Alert>
  );
}

export function AgentView({ deployment }: { deployment: Deployment }) {
  const [task, setTask] = useState('What is 37 * 43?');
  // chainlm's own chat models (the demo's among them) learn OpenAI-style tool_calls, so function calling comes first.
  const [agent, setAgent] = useState<string | null>('function');
  const [tools, setTools] = useState<string[]>(['calculator', 'unit_convert', 'date_time']);
  const [maxSteps, setMaxSteps] = useState<number | string>(4);
  const [steps, setSteps] = useState<Step[]>([]);
  const [streaming, setStreaming] = useState('');
  const [done, setDone] = useState<{ answer: string | null; stopReason: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setSteps([]);
    setStreaming('');
    setDone(undefined);
    setError(undefined);
    setBusy(true);
    try {
      await postStream(`/api/deployments/${encodeURIComponent(deployment.id)}/agent`, { task, agent, tools, maxSteps: typeof maxSteps === 'number' ? maxSteps : 4 }, (event, data) => {
        const value = JSON.parse(data);
        if (event === 'step') {
          setSteps((previous) => [...previous, value as Step]);
          setStreaming('');
        } else if (event === 'delta') setStreaming((previous) => previous + (value as { text: string }).text);
        else if (event === 'done') setDone(value);
        else if (event === 'error') setError(new Error((value as { message: string }).message));
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <Group align="end" grow>
        <TextInput label="Task" value={task} onChange={(event) => setTask(event.currentTarget.value)} data-testid="agent-task" />
      </Group>
      <Group align="end">
        <Select label="Agent" data={['function', 'react', 'rewoo']} value={agent} onChange={setAgent} w={140} allowDeselect={false} data-testid="agent-kind" />
        <MultiSelect label="Tools" data={['calculator', 'unit_convert', 'date_time', 'javascript', 'python', 'dataset_sql']} value={tools} onChange={setTools} w={360} />
        <NumberInput label="Max steps" min={1} max={32} value={maxSteps} onChange={setMaxSteps} w={110} />
        <Button onClick={run} loading={busy} data-testid="agent-run">
          Run agent
        </Button>
      </Group>
      <ErrorNote error={error} />
      <Stack gap={6} data-testid="agent-steps">
        {steps.map((step, index) => (step.type === 'error' ? <ErrorStep key={index} step={step} /> : <StepCard key={index} step={step} />))}
        {streaming ? (
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
            {streaming}
          </Text>
        ) : null}
      </Stack>
      {done ? (
        <Text size="sm" data-testid="agent-done">
          stopped: {done.stopReason}
          {done.answer ? ` · answer: ${done.answer}` : ''}
          {done.stopReason === 'error' ? ' · the red step above says why' : ''}
        </Text>
      ) : null}
    </Stack>
  );
}
