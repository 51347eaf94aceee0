import { escapeAttacks, overrideSandboxProbe, startEscapeWitness } from '@chainlm/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeTool, type ToolResult } from './tool.js';
import { createJsInterpreterTool } from './js-interpreter.js';
import { createPythonInterpreterTool, findPython, pythonToolUnavailableReason } from './python-interpreter.js';

function failureOf(result: ToolResult) {
  if (result.ok) throw new Error(`expected a tool error, got ${JSON.stringify(result.output)}`);
  return result.error;
}

describe('javascript sandbox (QuickJS)', () => {
  const js = createJsInterpreterTool({ timeLimitMs: 300, memoryLimitBytes: 8 * 1024 * 1024 });
  // Memory tests get a long clock so a loaded machine cannot turn them into time-limit cases.
  const roomyClock = createJsInterpreterTool({ timeLimitMs: 20_000, memoryLimitBytes: 8 * 1024 * 1024 });

  it('returns the last value and console output', async () => {
    const result = await invokeTool(js, { code: 'console.log("hi", 1+1); [1,2,3].map(x => x * 2)' });
    expect(result).toEqual({ ok: true, output: { result: [2, 4, 6], stdout: 'hi 2' } });
  });

  it('stops an endless loop at the time limit', async () => {
    const error = failureOf(await invokeTool(js, { code: 'while (true) {}' }));
    expect(error.code).toBe('time-limit');
    expect(error.message).toMatch(/longer than 300 ms/);
  });

  it('stops unbounded allocation at the memory limit', async () => {
    const error = failureOf(await invokeTool(roomyClock, { code: 'const a = []; while (true) a.push({ x: a.length, y: [a.length] })' }));
    expect(error.code).toBe('memory-limit');
    expect(error.message).toMatch(/more than 8 MiB/);
    expect(failureOf(await invokeTool(roomyClock, { code: 'let s = "x"; while (true) s = s + s' })).code).toBe('memory-limit');
  });

  it('stops big-block allocation too (QuickJS retries after GC, so the clock may stop it first)', async () => {
    const error = failureOf(await invokeTool(js, { code: 'const a = []; while (true) a.push(new Array(100000).fill(a.length))' }));
    expect(['memory-limit', 'time-limit']).toContain(error.code);
  });

  it('stops runaway recursion without crashing the host', async () => {
    expect(failureOf(await invokeTool(roomyClock, { code: 'function f() { return f() } f()' })).code).toBe('memory-limit');
  });

  it('has no filesystem or network', async () => {
    const file = failureOf(await invokeTool(js, { code: 'require("fs").readFileSync("/etc/passwd", "utf8")' }));
    expect(file.code).toBe('sandbox-violation');
    const socket = failureOf(await invokeTool(js, { code: 'fetch("http://127.0.0.1:1")' }));
    expect(socket.code).toBe('sandbox-violation');
    const imported = failureOf(await invokeTool(js, { code: 'import("fs")' }));
    expect(imported.code).not.toBe(undefined);
  });

  it('reports a thrown error and keeps working afterwards', async () => {
    expect(failureOf(await invokeTool(js, { code: 'throw new TypeError("bad")' }))).toMatchObject({ code: 'execution-error', message: 'TypeError: bad' });
    expect(await invokeTool(js, { code: '6 * 7' })).toEqual({ ok: true, output: { result: 42, stdout: '' } });
  });
});

const python = findPython();
if (!python) {
  // CI installs bubblewrap (.ci/run); there a missing jail is a failure, not a skip.
  if (process.env.CI === 'true') throw new Error(`no jail on the CI machine: ${pythonToolUnavailableReason()}`);
  console.warn(`skipping the Python sandbox tests: ${pythonToolUnavailableReason()}`);
}

describe.skipIf(!python)('python sandbox (bubblewrap jail)', () => {
  const py = createPythonInterpreterTool({ timeLimitMs: 1_000, memoryLimitBytes: 256 * 1024 * 1024 });

  it('returns stdout and the final expression value, and may use its own folder', async () => {
    const code = 'print("hello")\nopen("notes.txt", "w").write("abc")\nimport math\nlen(open("notes.txt").read()) + math.floor(2.5)';
    expect(await invokeTool(py, { code })).toEqual({ ok: true, output: { result: '5', stdout: 'hello\n', stderr: '' } });
  });

  it('kills an endless loop', async () => {
    const error = failureOf(await invokeTool(py, { code: 'while True:\n    pass' }));
    expect(error.code).toBe('time-limit');
  });

  it('kills a long sleep at the wall-clock deadline', async () => {
    expect(failureOf(await invokeTool(py, { code: 'import time\ntime.sleep(30)' })).code).toBe('time-limit');
  });

  it('stops unbounded allocation', async () => {
    // A generous time limit, so that on a loaded machine (slow page faults) the memory limit is still what stops it.
    const roomy = createPythonInterpreterTool({ timeLimitMs: 30_000, memoryLimitBytes: 256 * 1024 * 1024 });
    const error = failureOf(await invokeTool(roomy, { code: 'chunks = []\nwhile True:\n    chunks.append(bytearray(50_000_000))' }, { timeoutMs: 60_000 }));
    expect(error.code).toBe('memory-limit');
  });

  it('blocks reading /etc/passwd', async () => {
    const error = failureOf(await invokeTool(py, { code: 'print(open("/etc/passwd").read())' }));
    expect(error.code).toBe('sandbox-violation');
    expect(error.message).toMatch(/'\/etc\/passwd' does not exist in the sandbox/);
  });

  it('blocks opening a socket', async () => {
    const error = failureOf(await invokeTool(py, { code: 'import socket\ns = socket.socket()\ns.connect(("127.0.0.1", 9))' }));
    expect(error.code).toBe('sandbox-violation');
    expect(error.message).toMatch(/no network/);
  });

  it('blocks starting processes', async () => {
    const error = failureOf(await invokeTool(py, { code: 'import subprocess\nsubprocess.run(["cat", "/etc/passwd"])' }));
    expect(error.code).toBe('sandbox-violation');
  });

  it('reports a Python exception with its traceback line', async () => {
    const error = failureOf(await invokeTool(py, { code: '1/0' }));
    expect(error.code).toBe('execution-error');
    expect(error.message).toMatch(/ZeroDivisionError/);
  });
});

describe('python tool without a jail on the machine', () => {
  it('is off and says what to install; there is no unjailed fallback', async () => {
    overrideSandboxProbe({ available: false, reason: 'bwrap could not build a jail (exit 1); user namespaces may be off' });
    try {
      const result = await invokeTool(createPythonInterpreterTool(), { code: '6 * 7' });
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/the python tool is off: no safe sandbox/) } });
      expect(failureOf(result).hint).toMatch(/apt-get install bubblewrap/);
    } finally {
      overrideSandboxProbe(undefined);
    }
  });
});

describe.skipIf(!python)('python tool against the escape list (judged on the host)', () => {
  const py = createPythonInterpreterTool({ timeLimitMs: 5_000, memoryLimitBytes: 256 * 1024 * 1024 });
  let witness: Awaited<ReturnType<typeof startEscapeWitness>>;
  beforeAll(async () => {
    witness = await startEscapeWitness();
  });
  afterAll(async () => {
    await witness.close();
  });

  it('no attack reads the secret, leaves a marker or reaches the listener', async () => {
    for (const attack of escapeAttacks(witness)) {
      const result = await invokeTool(py, { code: attack.code }, { timeoutMs: 10_000 });
      expect(result.ok, attack.name).toBe(false);
      expect(JSON.stringify(result)).not.toContain(witness.secret);
    }
    expect(witness.markers()).toEqual([]);
    expect(witness.connections()).toBe(0);
  }, 120_000);
});
