import { afterEach, describe, expect, it } from 'vitest';
import { overrideSandboxProbe, probeSandbox } from './probe.js';
import { runUntrusted } from './run-untrusted.js';

const probe = probeSandbox();

describe('javascript (QuickJS in a worker)', () => {
  it('returns the last value and the console lines', async () => {
    expect(await runUntrusted({ language: 'javascript', code: 'console.log("a", {b: 1}); [1, 2].map((x) => x * 3)' })).toMatchObject({ status: 'ok', value: [3, 6], stdout: 'a {"b":1}', isolation: 'quickjs-worker' });
  });

  it('stops an endless loop near the deadline', async () => {
    const started = Date.now();
    const result = await runUntrusted({ language: 'javascript', code: 'for (;;) {}', limits: { timeLimitMs: 300 } });
    expect(result).toMatchObject({ status: 'timeout', timedOut: true });
    expect(Date.now() - started).toBeLessThan(300 + 2_000);
  });

  it('has no host: require, process and fetch do not exist', async () => {
    for (const code of ['require("fs")', 'process.exit(1)', 'fetch("http://127.0.0.1:1")']) {
      expect((await runUntrusted({ language: 'javascript', code })).status, code).toBe('violation');
    }
    expect(await runUntrusted({ language: 'javascript', code: 'typeof globalThis.process + typeof globalThis.require' })).toMatchObject({ value: 'undefinedundefined' });
  });

  it('caps the QuickJS heap and ends when aborted', async () => {
    expect((await runUntrusted({ language: 'javascript', code: 'let s = "x"; for (;;) s += s', limits: { memoryLimitBytes: 8 * 1024 * 1024 } })).status).toBe('memory-limit');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const aborted = await runUntrusted({ language: 'javascript', code: 'for (;;) {}', limits: { timeLimitMs: 30_000 }, signal: controller.signal });
    expect(aborted.error).toEqual({ name: 'InternalError', message: 'aborted' });
  });

  it('shares nothing between calls on a kept worker, and a timed-out worker is replaced', async () => {
    await runUntrusted({ language: 'javascript', code: 'globalThis.leak = 42; Object.prototype.polluted = 1' });
    expect((await runUntrusted({ language: 'javascript', code: 'typeof leak + " " + typeof ({}).polluted' })).value).toBe('undefined undefined');
    expect((await runUntrusted({ language: 'javascript', code: 'for (;;) {}', limits: { timeLimitMs: 100 } })).status).toBe('timeout');
    expect((await runUntrusted({ language: 'javascript', code: '2 + 2' })).value).toBe(4);
  });

  it('refuses files and args (there is no filesystem)', async () => {
    await expect(runUntrusted({ language: 'javascript', code: '1', files: { 'a.txt': 'x' } })).rejects.toMatchObject({ code: 'sandbox-invalid-request' });
  });
});

describe.skipIf(!probe.available)('python (the jail)', () => {
  it('runs main.py with extra files and args in /work, and reports the traceback line', async () => {
    const code = 'import sys\nprint(open("data.txt").read(), sys.argv[1:])\nopen("out.txt", "w").write("ok")\nraise ValueError("done")';
    const result = await runUntrusted({ language: 'python', code, files: { 'data.txt': 'hello' }, args: ['x'] });
    expect(result).toMatchObject({ status: 'error', exitCode: 1, stdout: "hello ['x']\n", error: { name: 'ValueError', message: 'done' }, isolation: 'bwrap+seccomp' });
  });

  it('refuses file names with folders', async () => {
    await expect(runUntrusted({ language: 'python', code: 'pass', files: { '../x': '' } })).rejects.toMatchObject({ code: 'sandbox-invalid-request' });
  });

  it('is killed when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await runUntrusted({ language: 'python', code: 'import time\ntime.sleep(30)', limits: { timeLimitMs: 30_000 }, signal: controller.signal });
    expect(result.status).not.toBe('ok');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('without a jail', () => {
  afterEach(() => overrideSandboxProbe(undefined));

  it('refuses Python with the fix, and never falls back to the host', async () => {
    overrideSandboxProbe({ available: false, reason: 'bwrap could not build a jail (exit 1); user namespaces may be off' });
    await expect(runUntrusted({ language: 'python', code: 'print(1)' })).rejects.toMatchObject({
      code: 'sandbox-unavailable',
      message: expect.stringMatching(/no safe sandbox for untrusted Python: bwrap could not build a jail/),
      hint: expect.stringMatching(/apt-get install bubblewrap/),
    });
  });

  it('still runs JavaScript (QuickJS needs no jail)', async () => {
    overrideSandboxProbe({ available: false, reason: 'missing' });
    expect((await runUntrusted({ language: 'javascript', code: '1 + 1' })).value).toBe(2);
  });
});
