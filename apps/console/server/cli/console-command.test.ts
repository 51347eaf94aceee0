import { describe, expect, it } from 'vitest';
import { consoleCommand } from './console-command.js';

describe('console command', () => {
  it('refuses a short --token before starting anything', async () => {
    const context = { options: { port: 0, host: '127.0.0.1', token: 'short' }, positionals: [], json: true, events: { emit: () => undefined }, print: () => undefined, setExitCode: () => undefined };
    await expect(consoleCommand.run(context as never)).rejects.toThrow(/--token: the token must have at least 16 characters/);
  });

  it('refuses an --attach that is not NAME=URL before starting anything', async () => {
    const context = (attach: string[]) => ({ options: { port: 0, host: '127.0.0.1', attach }, positionals: [], json: true, events: { emit: () => undefined }, print: () => undefined, setExitCode: () => undefined });
    await expect(consoleCommand.run(context(['http://127.0.0.1:1/v1']) as never)).rejects.toThrow('--attach: "http://127.0.0.1:1/v1" is not NAME=URL');
    await expect(consoleCommand.run(context(['demo=127.0.0.1:1']) as never)).rejects.toThrow('--attach: "127.0.0.1:1" is not an http(s) URL');
  });
});
