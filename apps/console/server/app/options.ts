/**
 * The console's options: one strict schema, validated once and frozen. The CLI
 * flags and `createConsoleApp()` both go through it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deepFreeze, resolveHome, validateConfig } from '@chainlm/core';
import { z } from 'zod';

/** apps/console, whether this module runs from server/ (tests) or dist/server/ (built). */
export const consoleRoot = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'server')}`) ? resolve(here, '../../..') : resolve(here, '../..');
})();

export const consoleOptionsSchema = z.strictObject({
  /** CHAINLM_HOME folder; default: resolveHome() (CHAINLM_HOME or ./.chainlm). */
  home: z.string().min(1).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(3000),
  /** Session token every /api call must carry; default: 24 random bytes, base64url. */
  token: z.string().min(16, 'a token must have at least 16 characters').optional(),
  /** Built front end (index.html + assets); default apps/console/dist-web. */
  webRoot: z.string().min(1).optional(),
  /** SIGTERM → SIGKILL grace when cancelling a job, ms. */
  killGraceMs: z.number().int().positive().default(5000),
  /** How often job states, logs and metrics files are polled, ms. */
  pollMs: z.number().int().positive().default(300),
  /** Redis of a BullMQ deployment (`chainlm-eval run --runner queue`): the Evaluation page shows its queues and workers. */
  redisUrl: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  /** The SQL box stops a query after this many milliseconds. */
  sqlTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Folders besides the home that job specs may name as input (files to ingest, a
   * model to serve or evaluate). Everything else is refused: a request can only
   * reach the files the operator allowed when starting the console.
   */
  allowedDirs: z.array(z.string().min(1)).default([]),
  /**
   * Host names (besides localhost, IP literals and --host) the console answers to.
   * Other names are refused, so a web page that rebinds its domain to this machine
   * cannot talk to the console.
   */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /** Extra environment for job processes (e.g. CHAINLM_EVAL_DATA_DIR). */
  jobEnv: z.record(z.string(), z.string()).default({}),
  /**
   * Servers this console did not start but shows as deployments (chat, agent, metrics):
   * `chainlm start`'s demo server, or any chainlm-serve / OpenAI-compatible URL.
   */
  attach: z
    .array(
      z.strictObject({
        /** What clients send as `model`. */
        name: z.string().min(1),
        /** The server's root or its /v1 URL. */
        url: z.url(),
        /** Shown under the name (a path or registry id); default: the name. */
        model: z.string().min(1).optional(),
      }),
    )
    .default([]),
});

export type ConsoleOptionsInput = z.input<typeof consoleOptionsSchema>;

export interface ConsoleOptions {
  home: string;
  host: string;
  port: number;
  token: string;
  webRoot: string;
  killGraceMs: number;
  pollMs: number;
  redisUrl?: string;
  sqlTimeoutMs: number;
  allowedDirs: string[];
  allowedHosts: string[];
  jobEnv: Record<string, string>;
  attach: { name: string; url: string; model?: string }[];
}

export function resolveConsoleOptions(input: ConsoleOptionsInput = {}): Readonly<ConsoleOptions> {
  const parsed = validateConfig(input, consoleOptionsSchema, 'console options');
  return deepFreeze({
    ...parsed,
    home: parsed.home ? resolve(parsed.home) : resolveHome().root,
    token: parsed.token ?? randomBytes(24).toString('base64url'),
    webRoot: resolve(parsed.webRoot ?? join(consoleRoot, 'dist-web')),
    allowedDirs: parsed.allowedDirs.map((dir) => resolve(dir)),
    allowedHosts: parsed.allowedHosts.map((host) => host.toLowerCase()),
    // One spelling for the root: deployments call `${url}/v1/...` and `${url}/health`.
    attach: parsed.attach.map((entry) => ({ ...entry, url: entry.url.replace(/\/+$/, '').replace(/\/v1$/, '') })),
  });
}

export function webBuilt(webRoot: string): boolean {
  return existsSync(join(webRoot, 'index.html'));
}
