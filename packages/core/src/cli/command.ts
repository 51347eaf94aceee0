/**
 * The CLI convention every chainlm binary follows:
 *  - `PROGRAM COMMAND [args] [--flags]`, `--help` on the program and on every command;
 *  - `--json`: the command's result is printed as one JSON object on stdout, and
 *    nothing else is (progress and logs go to stderr);
 *  - exit codes 0 ok, 1 failed, 2 bad usage;
 *  - errors on stderr as one readable line plus a `hint:` line.
 * Flags are declared in camelCase and spelled kebab-case on the command line.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ChainlmError, UsageError, formatError } from '../errors.js';
import { EventBus } from '../events/events.js';
import { createProgressRenderer } from '../events/progress-renderer.js';

export interface OptionSpec {
  type: 'string' | 'boolean' | 'number' | 'list';
  description: string;
  short?: string;
  /** Placeholder shown in help, e.g. FILE. */
  valueName?: string;
  default?: string | number | boolean | string[];
  required?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

type OptionValue<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'number'
    ? number
    : S['type'] extends 'list'
      ? string[]
      : string;

export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { required: true } | { default: unknown } ? OptionValue<O[K]> : OptionValue<O[K]> | undefined;
};

export interface CommandContext<O extends Record<string, OptionSpec>> {
  options: OptionValues<O>;
  positionals: string[];
  json: boolean;
  events: EventBus;
  /** Writes human-readable output to stdout; silenced under --json. */
  print(text: string): void;
  /** Ends with this exit code after the result is printed (e.g. 1 when a pipeline stage failed). */
  setExitCode(code: 0 | 1 | 2): void;
}

export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  summary: string;
  description?: string;
  positionals?: PositionalSpec[];
  options?: O;
  examples?: string[];
  /** Returns the result: printed as JSON under --json, else passed to `render`. */
  run(context: CommandContext<O>): Promise<unknown>;
  render?(result: unknown, print: (text: string) => void): void;
}

export function defineCommand<O extends Record<string, OptionSpec>>(command: Command<O>): Command<O> {
  return command;
}

export interface Program {
  name: string;
  summary: string;
  version?: string;
  commands: Command<any>[];
  /** Command run when the first argument is not a command name (e.g. `chainlm-serve MODEL`). */
  defaultCommand?: string;
  /** Extra help text after the command list. */
  epilog?: string;
}

const globalOptions: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show help' },
  json: { type: 'boolean', description: 'print the result as one JSON object on stdout' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress output' },
};

/** Runs a program on argv (without node and script) and returns the exit code. */
export async function runProgram(program: Program, argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    stdout.write(programHelp(program));
    return first === undefined && !program.defaultCommand ? 2 : 0;
  }
  if (first === '--version') {
    stdout.write(`${program.version ?? '0.0.0'}\n`);
    return 0;
  }
  let command = program.commands.find((candidate) => candidate.name === first);
  let args = rest;
  if (!command && program.defaultCommand && !first.startsWith('-')) {
    command = program.commands.find((candidate) => candidate.name === program.defaultCommand);
    args = argv;
  }
  if (!command) {
    stderr.write(`${formatError(new UsageError(`unknown command "${first}" for ${program.name}`, `run \`${program.name} --help\` to list the commands`))}\n`);
    return 2;
  }
  let json = argv.includes('--json');
  try {
    const parsed = parseCommandArgs(command, args);
    if (parsed.help) {
      stdout.write(commandHelp(program, command));
      return 0;
    }
    json = parsed.json;
    const events = new EventBus();
    const renderer = parsed.quiet ? undefined : createProgressRenderer({ stream: stderr as NodeJS.WriteStream });
    if (renderer) events.on(renderer.listener);
    const print = (text: string) => {
      if (!json) stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    };
    let exitCode: 0 | 1 | 2 = 0;
    const setExitCode = (code: 0 | 1 | 2) => {
      exitCode = code;
    };
    try {
      const result = await command.run({ options: parsed.options as never, positionals: parsed.positionals, json, events, print, setExitCode });
      if (json) stdout.write(`${JSON.stringify(result ?? {}, null, 2)}\n`);
      else if (command.render && result !== undefined) command.render(result, print);
    } finally {
      renderer?.close();
    }
    return exitCode;
  } catch (error) {
    stderr.write(`${formatError(error)}\n`);
    if (process.env.CHAINLM_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    return error instanceof ChainlmError ? error.exitCode : 1;
  }
}

interface ParsedArgs {
  options: Record<string, unknown>;
  positionals: string[];
  help: boolean;
  json: boolean;
  quiet: boolean;
}

export function parseCommandArgs(command: Command<any>, args: string[]): ParsedArgs {
  const specs: Record<string, OptionSpec> = { ...globalOptions, ...(command.options ?? {}) };
  const config: ParseArgsConfig['options'] = {};
  for (const [key, spec] of Object.entries(specs)) {
    config[kebab(key)] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      multiple: spec.type === 'list',
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: config, allowPositionals: true, strict: true }));
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  if (values.help) return { options: {}, positionals, help: true, json: false, quiet: false };
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(command.options ?? {}) as [string, OptionSpec][]) {
    const raw = values[kebab(key)];
    if (raw === undefined) {
      if (spec.required) throw new UsageError(`${command.name}: missing required flag --${kebab(key)}`);
      options[key] = spec.default;
      continue;
    }
    if (spec.type === 'number') {
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new UsageError(`${command.name}: --${kebab(key)} expects a number, got "${raw}"`);
      options[key] = value;
    } else if (spec.type === 'list') {
      options[key] = (raw as string[]).flatMap((item) => item.split(',')).filter((item) => item.length > 0);
    } else {
      options[key] = raw;
    }
  }
  const required = (command.positionals ?? []).filter((positional) => positional.required);
  if (positionals.length < required.length) {
    throw new UsageError(`${command.name}: missing argument ${required[positionals.length].name.toUpperCase()}`);
  }
  const variadic = (command.positionals ?? []).some((positional) => positional.variadic);
  if (!variadic && positionals.length > (command.positionals ?? []).length) {
    throw new UsageError(`${command.name}: unexpected argument "${positionals[(command.positionals ?? []).length]}"`);
  }
  return { options, positionals, help: false, json: Boolean(values.json), quiet: Boolean(values.quiet) };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export function programHelp(program: Program): string {
  const width = Math.max(...program.commands.map((command) => command.name.length)) + 2;
  const lines = [
    `${program.name} — ${program.summary}`,
    '',
    `Usage: ${program.name} ${program.defaultCommand ? '[COMMAND]' : 'COMMAND'} [ARGS] [--json] [--help]`,
    '',
    'Commands:',
    ...program.commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    `Run \`${program.name} COMMAND --help\` for a command's flags. Exit codes: 0 ok, 1 failed, 2 bad usage.`,
  ];
  if (program.epilog) lines.push('', program.epilog);
  return `${lines.join('\n')}\n`;
}

export function commandHelp(program: Program, command: Command<any>): string {
  const positionals = (command.positionals ?? [])
    .map((positional) => {
      const name = `${positional.name.toUpperCase()}${positional.variadic ? '...' : ''}`;
      return positional.required ? name : `[${name}]`;
    })
    .join(' ');
  const prefix = program.defaultCommand === command.name ? program.name : `${program.name} ${command.name}`;
  const lines = [`${prefix}${positionals ? ` ${positionals}` : ''} [flags]`, '', command.summary];
  if (command.description) lines.push('', command.description);
  if (command.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const positional of command.positionals) lines.push(`  ${positional.name.toUpperCase().padEnd(22)}${positional.description}`);
  }
  lines.push('', 'Flags:');
  for (const [key, spec] of Object.entries({ ...(command.options ?? {}), ...globalOptions }) as [string, OptionSpec][]) {
    const value = spec.type === 'boolean' ? '' : ` ${spec.valueName ?? spec.type.toUpperCase()}`;
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${kebab(key)}${value}`;
    const extra = spec.required ? ' (required)' : spec.default !== undefined ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${flag.padEnd(30)}${spec.description}${extra}`);
  }
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}

/** Entry point for a bin script: runs the program on process.argv and exits with its code. */
export async function main(program: Program): Promise<void> {
  const code = await runProgram(program, process.argv.slice(2));
  process.exitCode = code;
}
