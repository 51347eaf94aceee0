import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { createComponent } from '../config/component.js';
import { evaluators, type EvalSample, type Evaluator } from './evaluator.js';
import { runPythonSandboxed } from './python-sandbox.js';

const limits = { timeoutMs: 3000, memoryMb: 256 };

describe('python sandbox', () => {
  it('passes a program that exits 0 and fails one that raises', async () => {
    expect((await runPythonSandboxed('assert 1 + 1 == 2\n', limits)).status).toBe('passed');
    const failed = await runPythonSandboxed('raise ValueError("nope")\n', limits);
    expect(failed.status).toBe('failed');
    expect(failed.stderr).toMatch(/ValueError: nope/);
  });

  it('blocks the network', async () => {
    const result = await runPythonSandboxed('import socket\nsocket.create_connection(("127.0.0.1", 9))\n', limits);
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/blocked by the chainlm eval sandbox/);
    const raw = await runPythonSandboxed('import socket\nsocket.socket()\n', limits);
    expect(raw.stderr).toMatch(/blocked by the chainlm eval sandbox/);
  });

  it('blocks spawning processes', async () => {
    const result = await runPythonSandboxed('import subprocess\nsubprocess.run(["echo", "hi"])\n', limits);
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/blocked/);
  });

  it('kills a program that runs past the timeout', async () => {
    const result = await runPythonSandboxed('while True:\n    pass\n', { timeoutMs: 500, memoryMb: 256 });
    expect(result.status).toBe('timeout');
  });

  it('enforces the memory limit', async () => {
    const result = await runPythonSandboxed('x = bytearray(1024 * 1024 * 1024)\n', { timeoutMs: 3000, memoryMb: 128 });
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/MemoryError/);
  });

  it('runs in a fresh temporary folder with an empty environment', async () => {
    const result = await runPythonSandboxed(
      'import os, sys\nassert os.path.basename(os.getcwd()).startswith("chainlm-sandbox-")\nassert "HOME" not in os.environ\nassert sorted(os.listdir(".")) == ["program.py", "sandbox.py"]\n',
      limits,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe('passed');
  });
});

describe('humaneval evaluator', () => {
  const row = {
    task_id: 'Toy/0',
    prompt: 'def add(a, b):\n    """Add two numbers."""\n',
    entry_point: 'add',
    test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n',
  };

  it('scores pass@1 with n = 5 samples, 2 correct, as 40', async () => {
    const completions = [
      '    return a + b\n',
      '    return a - b\n',
      '    while True:\n        pass\n',
      '    import socket\n    socket.create_connection(("example.com", 80))\n    return a + b\n',
      '    return b + a\n',
    ];
    const evaluator = createComponent<Evaluator, void>(evaluators, { type: 'humaneval', k: [1, 2], timeoutMs: 1000, memoryMb: 256, concurrency: 3 } as never, undefined);
    const sample: EvalSample = { index: 0, prediction: completions, reference: 'Toy/0', record: { index: 0, prompt: row.prompt, prediction: completions[0], reference: 'Toy/0' }, row };
    const result = await evaluator.evaluate([sample]);
    expect(result.metric).toBe('pass@1');
    expect(result.details[0]).toMatchObject({ passed: 2, n: 5, correct: true, reference: 'Toy/0', statuses: ['passed', 'failed', 'timeout', 'failed', 'passed'] });
    expect(result.score).toBeCloseTo(40, 10);
    // pass@2 = 1 − C(3,2)/C(5,2) = 0.7
    expect(result.extra!['pass@2']).toBeCloseTo(70, 10);
  });

  it('names the missing column of a malformed row', async () => {
    const evaluator = createComponent<Evaluator, void>(evaluators, { type: 'humaneval', k: [1], timeoutMs: 1000, memoryMb: 256, concurrency: 1 } as never, undefined);
    const sample: EvalSample = { index: 0, prediction: 'x', reference: null, record: { index: 0, prompt: '', prediction: 'x', reference: null }, row: { prompt: 'def f(): pass' } };
    await expect(evaluator.evaluate([sample])).rejects.toThrow(/no string column "test"/);
  });
});
