/** What one run of untrusted code came to. Shared by every language. */
export type RunStatus =
  /** Exited 0 (Python) or finished without throwing (JavaScript). */
  | 'ok'
  /** Exited non-zero or threw; see stderr / `error`. */
  | 'error'
  /** Stopped at the wall-clock deadline or the CPU-seconds limit. */
  | 'timeout'
  /** Ran out of its memory limit (MemoryError, QuickJS out of memory, stack overflow). */
  | 'memory-limit'
  /** Failed on something the jail refuses (a host path, the network, a process). */
  | 'violation';

export type Isolation = 'bwrap+seccomp' | 'bwrap' | 'quickjs-worker' | 'unsafe-host';

export interface UntrustedResult {
  status: RunStatus;
  /** Exit status of the interpreter; null when killed by a signal or for JavaScript. */
  exitCode: number | null;
  /** Head of stdout (Python) or the console lines (JavaScript), at most maxOutputChars. */
  stdout: string;
  /** Tail of stderr, at most maxOutputChars (a traceback ends there). */
  stderr: string;
  timedOut: boolean;
  /** Wall-clock milliseconds from start to the last byte. */
  durationMs: number;
  /** JavaScript: the value of the last expression, as plain data. */
  value?: unknown;
  /** JavaScript: the thrown error; Python: the traceback's last line. */
  error?: { name: string; message: string };
  /** Why the jail is the reason it failed, when status is 'violation'. */
  violation?: string;
  isolation: Isolation;
}

/** Keeps the first `maxChars` characters of a stream. */
export function headCollector(maxChars: number) {
  let text = '';
  return {
    push: (chunk: Buffer) => {
      if (text.length < maxChars) text += chunk.toString('utf8').slice(0, maxChars - text.length);
    },
    text: () => text,
  };
}

/** Keeps the last `maxChars` characters of a stream. */
export function tailCollector(maxChars: number) {
  let text = '';
  return {
    push: (chunk: Buffer) => {
      text = (text + chunk.toString('utf8')).slice(-maxChars);
    },
    text: () => text,
  };
}
