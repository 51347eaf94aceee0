/**
 * One error catalogue for chainlm. Every error a user can cause carries a stable
 * `code`, a message that names the field, file and line where known, and a `hint`
 * that says how to fix it. CLIs map `exitCode` to the process exit status:
 * 1 = the operation failed, 2 = bad usage (flags, config, input the user must fix).
 */
export class ChainlmError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: 1 | 2;

  constructor(code: string, message: string, options: { hint?: string; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChainlmError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad command-line usage: unknown flag, missing argument, wrong value. Exit code 2. */
export class UsageError extends ChainlmError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint: hint ?? 'run the command with --help to see its usage', exitCode: 2 });
    this.name = 'UsageError';
  }
}

/** One problem found in a config file, located by key path and (when known) line. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `optimizer.lr`; empty for the document root. */
  path: string;
  /** 1-based line in the file, when the key could be located. */
  line?: number;
  expected?: string;
  found?: string;
  message: string;
}

/** A config file (or override) that does not match its schema. Exit code 2. */
export class ConfigError extends ChainlmError {
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    super('config-invalid', ConfigError.describe(file, issues), {
      hint: 'fix the keys named above; `--help` of the command lists the config schema',
      exitCode: 2,
    });
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }

  private static describe(file: string, issues: ConfigIssue[]): string {
    return issues
      .map((issue) => {
        const where = `${file}${issue.line === undefined ? '' : `:${issue.line}`}`;
        const key = issue.path === '' ? '(root)' : issue.path;
        return `${where}: ${key}: ${issue.message}`;
      })
      .join('\n');
  }
}

/** Formats any thrown value as the one-line error + hint the CLIs print on stderr. */
export function formatError(error: unknown): string {
  if (error instanceof ChainlmError) {
    return `error: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`;
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
