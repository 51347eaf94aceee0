/**
 * Streaming chat through the console's proxy to the deployment's
 * /v1/chat/completions: sampling controls, a system prompt, and token counts
 * (prompt/completion from the final usage chunk) with the decode speed.
 */
import { Button, Grid, Group, NumberInput, Paper, ScrollArea, Slider, Stack, Text, Textarea } from '@mantine/core';
import { useRef, useState } from 'react';
import { postStream } from '../../api';
import { ErrorNote } from '../../components/states';
import type { Deployment } from '../../types';

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

interface Usage {
  promptTokens: number;
  completionTokens: number;
  seconds: number;
  firstTokenSeconds: number | null;
}

function Control({ label, value, onChange, min, max, step }: { label: string; value: number; onChange: (value: number) => void; min: number; max: number; step: number }) {
  return (
    <div>
      <Text size="xs">
        {label}: {value}
      </Text>
      <Slider size="sm" min={min} max={max} step={step} value={value} onChange={onChange} label={null} />
    </div>
  );
}

export function ChatView({ deployment }: { deployment: Deployment }) {
  const [system, setSystem] = useState('You are a helpful assistant.');
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState('');
  const [temperature, setTemperature] = useState(0.7);
  const [topP, setTopP] = useState(0.95);
  const [topK, setTopK] = useState(40);
  const [maxTokens, setMaxTokens] = useState<number | string>(64);
  const [usage, setUsage] = useState<Usage>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController>(undefined);
  const send = async () => {
    const history: Message[] = [...messages, { role: 'user', content: input }];
    setMessages([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setError(undefined);
    setBusy(true);
    abort.current = new AbortController();
    const started = performance.now();
    let first: number | null = null;
    const body = { messages: [...(system.trim() ? [{ role: 'system', content: system }] : []), ...history], stream: true, temperature, top_p: topP, top_k: topK, max_tokens: typeof maxTokens === 'number' ? maxTokens : 64 };
    try {
      await postStream(`/api/deployments/${encodeURIComponent(deployment.id)}/chat`, body, (_event, data) => {
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; usage?: { prompt_tokens: number; completion_tokens: number } };
        const delta = chunk.choices?.[0]?.delta?.content ?? '';
        if (delta) {
          first ??= (performance.now() - started) / 1000;
          setMessages((previous) => [...previous.slice(0, -1), { role: 'assistant', content: previous.at(-1)!.content + delta }]);
        }
        if (chunk.usage) setUsage({ promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens, seconds: (performance.now() - started) / 1000, firstTokenSeconds: first });
      }, abort.current.signal);
    } catch (caught) {
      if ((caught as Error).name !== 'AbortError') setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <ScrollArea h={360} type="auto" data-testid="chat-messages">
          <Stack gap="xs">
            {messages.length === 0 ? <Text c="dimmed" size="sm">Say something to {deployment.name}.</Text> : null}
            {messages.map((message, index) => (
              <Paper key={index} p="xs" withBorder bg={message.role === 'user' ? 'var(--mantine-color-blue-light)' : undefined} data-testid={`chat-${message.role}`}>
                <Text size="xs" c="dimmed">
                  {message.role}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {message.content || (busy && index === messages.length - 1 ? '…' : '')}
                </Text>
              </Paper>
            ))}
          </Stack>
        </ScrollArea>
        <ErrorNote error={error} />
        <Group align="end" mt="xs">
          <Textarea style={{ flex: 1 }} autosize minRows={1} value={input} onChange={(event) => setInput(event.currentTarget.value)} placeholder="Message" data-testid="chat-input"
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && input.trim() && !busy) {
                event.preventDefault();
                void send();
              }
            }}
          />
          {busy ? <Button color="red" variant="light" onClick={() => abort.current?.abort()}>Stop</Button> : <Button onClick={send} disabled={!input.trim()} data-testid="chat-send">Send</Button>}
          <Button
            variant="subtle"
            onClick={() => {
              setMessages([]);
              setUsage(undefined);
            }}
          >
            Clear
          </Button>
        </Group>
        {usage ? (
          <Text size="xs" c="dimmed" mt={4} data-testid="chat-usage">
            prompt {usage.promptTokens} tokens · completion {usage.completionTokens} tokens · {(usage.completionTokens / usage.seconds).toFixed(1)} tokens/s
            {usage.firstTokenSeconds !== null ? ` · first token after ${usage.firstTokenSeconds.toFixed(2)} s` : ''}
          </Text>
        ) : null}
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Stack gap="xs">
          <Textarea label="System prompt" autosize minRows={2} value={system} onChange={(event) => setSystem(event.currentTarget.value)} />
          <Control label="temperature" value={temperature} onChange={setTemperature} min={0} max={2} step={0.05} />
          <Control label="top_p" value={topP} onChange={setTopP} min={0.05} max={1} step={0.05} />
          <Control label="top_k" value={topK} onChange={setTopK} min={0} max={200} step={1} />
          <NumberInput label="max_tokens" min={1} max={4096} value={maxTokens} onChange={setMaxTokens} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
