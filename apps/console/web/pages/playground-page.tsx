/** Playground: streaming chat with a deployment, or an agent run whose steps show as they happen. */
import { Paper, Select, Tabs, Title } from '@mantine/core';
import { useState } from 'react';
import { Empty, ErrorNote } from '../components/states';
import { useDeployments } from './deployments-page';
import { AgentView } from './playground/agent-view';
import { ChatView } from './playground/chat-view';

export function PlaygroundPage() {
  const list = useDeployments();
  const running = (list.data?.deployments ?? []).filter((entry) => entry.status === 'running');
  const [picked, setPicked] = useState<string | null>(null);
  const current = running.find((entry) => entry.id === picked) ?? running.find((entry) => entry.ready) ?? running[0];
  return (
    <>
      <Title order={3} mb="sm">
        Playground
      </Title>
      <ErrorNote error={list.error} />
      {list.data && running.length === 0 ? <Empty title="No running deployment">Deploy a model on the Deployments page, then chat with it here.</Empty> : null}
      {current ? (
        <Paper withBorder p="sm">
          <Select label="Deployment" data={running.map((entry) => ({ value: entry.id, label: `${entry.name} — ${entry.url}/v1${entry.ready ? '' : ' (loading)'}` }))} value={current.id} onChange={setPicked} allowDeselect={false} maw={480} mb="sm" data-testid="playground-deployment" />
          <Tabs defaultValue="chat">
            <Tabs.List>
              <Tabs.Tab value="chat">Chat</Tabs.Tab>
              <Tabs.Tab value="agent">Agent</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="chat" pt="sm">
              <ChatView deployment={current} />
            </Tabs.Panel>
            <Tabs.Panel value="agent" pt="sm">
              <AgentView deployment={current} />
            </Tabs.Panel>
          </Tabs>
        </Paper>
      ) : null}
    </>
  );
}
