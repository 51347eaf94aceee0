import { pino, type Logger } from 'pino';

/**
 * The project logger: pretty lines on a TTY, JSON lines otherwise (for files and
 * log collectors). Level from CHAINLM_LOG_LEVEL (default info). Logs go to stderr so
 * that stdout stays clean for `--json` output.
 */
export function createLogger(name: string, options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.CHAINLM_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    return pino({
      name,
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ name, level }, pino.destination(2));
}

export type { Logger };
