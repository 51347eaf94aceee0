import { describe, expect, it } from 'vitest';
import { consoleCommand as umbrellaCommand } from '../../../../packages/cli/src/commands/console.js';
import { consoleCommand } from './console-command.js';

describe('console command', () => {
  it('has the same flags in `chainlm console` and `chainlm-console`', () => {
    expect(umbrellaCommand.options).toEqual(consoleCommand.options);
    expect(umbrellaCommand.name).toBe(consoleCommand.name);
  });

  it('refuses a short --token before starting anything', async () => {
    const context = { options: { port: 0, host: '127.0.0.1', token: 'short' }, positionals: [], json: true, events: { emit: () => undefined }, print: () => undefined, setExitCode: () => undefined };
    await expect(consoleCommand.run(context as never)).rejects.toThrow(/--token must have at least 16 characters/);
  });
});
