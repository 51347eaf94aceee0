import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { contentSql, recordId, recordText, type ChatMessage } from './kinds.js';

describe('chat record content', () => {
  const call = JSON.stringify([{ name: 'calculator', arguments: { expression: '3 * 4' } }]);
  const messages: ChatMessage[] = [
    { role: 'user', content: 'Calculate 3 * 4.' },
    { role: 'assistant', content: '', tool_calls: call },
    { role: 'tool', content: '12' },
  ];

  it('includes tool calls, and DuckDB computes the same string as recordText', async () => {
    const text = recordText('chat', { messages });
    expect(text).toBe(`Calculate 3 * 4.\n\n${call}\n12`);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const literal = (message: ChatMessage) => `{'role': '${message.role}', 'content': '${message.content}', 'tool_calls': ${message.tool_calls ? `'${message.tool_calls}'` : 'NULL'}}`;
    const reader = await connection.runAndReadAll(`SELECT ${contentSql('chat')} AS text FROM (SELECT [${messages.map(literal).join(', ')}] AS messages)`);
    expect(reader.getRowObjects()[0].text).toBe(text);
    connection.closeSync();
    instance.closeSync();
  });

  it('hashes a plain chat the same whether tool_calls is absent or null (as read back)', () => {
    const plain = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }];
    expect(recordId('chat', { messages: plain })).toBe(recordId('chat', { messages: plain.map((message) => ({ ...message, tool_calls: null })), tools: null }));
    expect(recordId('chat', { messages: plain })).not.toBe(recordId('chat', { messages: plain, tools: '[]' }));
  });
});
