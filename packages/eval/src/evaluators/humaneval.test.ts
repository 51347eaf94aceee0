import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeAttacks, overrideSandboxProbe, probeSandbox, startEscapeWitness } from '@chainlm/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../builtins.js';
import { createComponent } from '../config/component.js';
import { evaluators, type EvalSample, type Evaluator } from './evaluator.js';
import { runPythonSandboxed } from './python-sandbox.js';

const probe = probeSandbox();
if (!probe.available) {
  // CI installs bubblewrap (.ci/run); there a missing jail is a failure, not a skip.
  if (process.env.CI === 'true') throw new Error(`no jail on the CI machine: ${probe.reason}`);
  console.warn(`skipping the HumanEval sandbox tests: ${probe.reason}`);
}

const limits = { timeoutMs: 3000, memoryMb: 256 };

describe.skipIf(!probe.available)('python sandbox', () => {
  it('passes a program that exits 0 and fails one that raises', async () => {
    expect((await runPythonSandboxed('assert 1 + 1 == 2\n', limits)).status).toBe('passed');
    const failed = await runPythonSandboxed('raise ValueError("nope")\n', limits);
    expect(failed.status).toBe('failed');
    expect(failed.stderr).toMatch(/ValueError: nope/);
  });

  it('has no network', async () => {
    const result = await runPythonSandboxed('import socket\nsocket.create_connection(("127.0.0.1", 9))\n', limits);
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/PermissionError: \[Errno 1\] Operation not permitted/);
    const raw = await runPythonSandboxed('import socket\nsocket.socket()\n', limits);
    expect(raw.stderr).toMatch(/PermissionError/);
  });

  it('cannot spawn processes', async () => {
    const result = await runPythonSandboxed('import subprocess\nsubprocess.run(["echo", "hi"])\n', limits);
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/PermissionError: \[Errno 1\] Operation not permitted/);
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

  it('runs in a fresh work folder, as nobody, with a minimal environment and no host folders', async () => {
    const result = await runPythonSandboxed(
      'import os\nassert os.getcwd() == "/work" and os.listdir(".") == ["main.py"]\nassert os.getuid() == 65534\nassert sorted(os.environ) == ["HOME", "LANG", "PATH", "PWD", "TMPDIR"], sorted(os.environ)\nassert not os.path.exists("/root") and not os.path.exists("/home") and not os.path.exists("/etc")\n',
      limits,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe('passed');
  });
});

describe.skipIf(!probe.available)('the HumanEval path against the escape list (judged on the host)', () => {
  let witness: Awaited<ReturnType<typeof startEscapeWitness>>;
  beforeAll(async () => {
    witness = await startEscapeWitness();
  });
  afterAll(async () => {
    await witness.close();
  });

  it('no attack passes, reads the secret, leaves a marker or reaches the listener', async () => {
    const attacks = escapeAttacks(witness);
    const row = { task_id: 'Escape/0', prompt: 'def f():\n', entry_point: 'f', test: 'def check(candidate):\n    pass\n' };
    const completions = attacks.map((attack) => `    pass\n${attack.code}\n`);
    const evaluator = createComponent<Evaluator, void>(evaluators, { type: 'humaneval', k: [1], timeoutMs: 5000, memoryMb: 256, concurrency: 2 } as never, undefined);
    const sample: EvalSample = { index: 0, prediction: completions, reference: 'Escape/0', record: { index: 0, prompt: row.prompt, prediction: completions[0], reference: 'Escape/0' }, row };
    const result = await evaluator.evaluate([sample]);
    expect(result.details[0]).toMatchObject({ passed: 0, n: attacks.length });
    expect(witness.markers()).toEqual([]);
    expect(witness.connections()).toBe(0);
  }, 120_000);
});

describe('humaneval without a jail on the machine', () => {
  it('fails the run up front with an EvalError naming bubblewrap', async () => {
    overrideSandboxProbe({ available: false, reason: '/usr/bin/bwrap is missing' });
    try {
      const evaluator = createComponent<Evaluator, void>(evaluators, { type: 'humaneval', k: [1] } as never, undefined);
      const sample: EvalSample = { index: 0, prediction: '    return 1\n', reference: null, record: { index: 0, prompt: '', prediction: '', reference: null }, row: { prompt: 'def f():\n', test: '', entry_point: 'f' } };
      await expect(evaluator.evaluate([sample])).rejects.toMatchObject({ code: 'eval-sandbox', message: expect.stringMatching(/bwrap is missing/), hint: expect.stringMatching(/apt-get install bubblewrap/) });
    } finally {
      overrideSandboxProbe(undefined);
    }
  });
});

const sharedHumaneval = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../../shared/datasets/humaneval/HumanEval.jsonl');
const hasHumaneval = existsSync(sharedHumaneval);
if (!hasHumaneval) {
  const reason = `${sharedHumaneval} is absent`;
  if (process.env.CI === 'true') throw new Error(`HumanEval reference run: ${reason} (CI has ../shared beside the clone)`);
  console.warn(`skipping the HumanEval reference run: ${reason}`);
}

describe.skipIf(!hasHumaneval || !probe.available)('HumanEval reference solutions through the jail', () => {
  it('pass@1 is 100 on all 164 problems', async () => {
    const rows = readFileSync(sharedHumaneval, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(rows).toHaveLength(164);
    const samples: EvalSample[] = rows.map((row, index) => ({ index, prediction: row.canonical_solution, reference: row.task_id, record: { index, prompt: row.prompt, prediction: row.canonical_solution, reference: row.task_id }, row }));
    const evaluator = createComponent<Evaluator, void>(evaluators, { type: 'humaneval', k: [1], timeoutMs: 10_000, memoryMb: 512, concurrency: 2 } as never, undefined);
    const result = await evaluator.evaluate(samples);
    const failed = result.details.filter((detail) => !detail.correct).map((detail) => detail.reference);
    expect(failed).toEqual([]);
    expect(result.score).toBe(100);
  }, 300_000);
});

describe('humaneval evaluator', () => {
  const row = {
    task_id: 'Toy/0',
    prompt: 'def add(a, b):\n    """Add two numbers."""\n',
    entry_point: 'add',
    test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n',
  };

  it.skipIf(!probe.available)('scores pass@1 with n = 5 samples, 2 correct, as 40', async () => {
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
