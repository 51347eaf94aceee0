/**
 * The jail judged by side effects on the host (see escape-suite.ts), with a control:
 * the same attacks run without the jail (`unsafeHostPython`) must succeed, which proves
 * each attack is real rather than broken code that fails anyway.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeAttacks, startEscapeWitness, type EscapeWitness } from './escape-suite.js';
import { bwrapArguments, rlimitArguments } from './jail-arguments.js';
import { resolveLimits } from './limits.js';
import { bwrapPath, jailPython, prlimitPath, probeSandbox } from './probe.js';
import { runUntrusted } from './run-untrusted.js';

const probe = probeSandbox();
if (!probe.available) {
  // CI installs bubblewrap (.ci/run); there a missing jail is a failure, not a skip.
  if (process.env.CI === 'true') throw new Error(`no jail on the CI machine: ${probe.reason}`);
  console.warn(`skipping the jail escape tests: ${probe.reason}`);
}

let witness: EscapeWitness;
beforeAll(async () => {
  witness = await startEscapeWitness();
});
afterAll(async () => {
  await witness.close();
});

const limits = { timeLimitMs: 5_000, memoryLimitBytes: 256 * 1024 * 1024 };

describe.skipIf(!probe.available)('the jail holds against the escape list', () => {
  // One `it` per attack, so a failure names the attack.
  for (const index of escapeAttacks({ folder: '/x', secretPath: '/x/s', secret: 's', envName: 'E', port: 1 }).keys()) {
    it(`attack ${index}`, async () => {
      const attack = escapeAttacks(witness)[index];
      const result = await runUntrusted({ language: 'python', code: attack.code, limits });
      expect(result.status, `${attack.name}: ${result.stderr}`).not.toBe('ok');
      expect(`${result.stdout}${result.stderr}`).not.toContain(witness.secret);
      expect(witness.markers(), attack.name).toEqual([]);
      expect(witness.connections(), attack.name).toBe(0);
    });
  }
});

describe.skipIf(!probe.available)('control: the same attacks escape without the jail', () => {
  it('every attack but the environment read succeeds on the host (and warns)', async () => {
    const escaped: string[] = [];
    for (const attack of escapeAttacks(witness)) {
      const result = await runUntrusted({ language: 'python', code: attack.code, limits, unsafeHostPython: true });
      expect(result.isolation).toBe('unsafe-host');
      if (result.status === 'ok') escaped.push(attack.name);
    }
    expect(escaped).toEqual(escapeAttacks(witness).map((attack) => attack.name).filter((name) => name !== 'read the host environment'));
    expect(witness.markers().length).toBe(8);
    expect(witness.connections()).toBe(2);
  }, 120_000);
});

/** Host processes running as the jail's uid whose command line carries `tag`. */
function jailedProcesses(tag: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tag);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(!probe.available)('limits, judged from outside', () => {
  it('an endless loop returns within the deadline plus slack, and leaves no process behind', async () => {
    const tag = `loop-${Date.now()}`;
    const started = Date.now();
    const result = await runUntrusted({ language: 'python', code: 'while True:\n    pass', args: [tag], limits: { timeLimitMs: 1_000 } });
    expect(result.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_000 + 2_000);
    expect(jailedProcesses(tag)).toEqual([]);
  });

  it('a sleeping thread is killed with the jail at the wall-clock deadline', async () => {
    const tag = `sleep-${Date.now()}`;
    const code = 'import threading, time\nthreading.Thread(target=time.sleep, args=(60,)).start()\ntime.sleep(60)';
    const result = await runUntrusted({ language: 'python', code, args: [tag], limits: { timeLimitMs: 500 } });
    expect(result).toMatchObject({ status: 'timeout', timedOut: true });
    expect(jailedProcesses(tag)).toEqual([]);
  });

  it('a fork bomb is bounded: it ends by the deadline and no process survives', async () => {
    const tag = `bomb-${Date.now()}`;
    const code = 'import os\nn = 0\nwhile True:\n    try:\n        os.fork()\n        n += 1\n    except OSError:\n        pass';
    const started = Date.now();
    const result = await runUntrusted({ language: 'python', code, args: [tag], limits: { timeLimitMs: 1_500 } });
    expect(result.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500 + 3_000);
    expect(jailedProcesses(tag)).toEqual([]);
  });

  it('a memory bomb is stopped at the address-space limit; the host goes on', async () => {
    const before = process.memoryUsage().rss;
    const code = 'chunks = []\nwhile True:\n    chunks.append(bytearray(50_000_000))';
    const result = await runUntrusted({ language: 'python', code, limits: { timeLimitMs: 30_000, memoryLimitBytes: 256 * 1024 * 1024 } });
    expect(result.status).toBe('memory-limit');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('only /work and /tmp are writable: the uncapped tmpfs root and /dev are read-only', async () => {
    const code = [
      'import os',
      "for folder in ['/', '/dev', '/dev/shm', '/usr', '/proc', '/bin']:",
      '    try:',
      "        open(os.path.join(folder, 'fill'), 'w').write('x')",
      "        print('wrote', folder)",
      '    except OSError as error:',
      "        print('refused', folder, error.errno)",
      "open('/dev/null', 'w').write('devices still work')",
    ].join('\n');
    const result = await runUntrusted({ language: 'python', code });
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(/^wrote/m);
    expect(result.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('a file larger than maxFileBytes is refused, and the work folder is capped', async () => {
    const big = await runUntrusted({ language: 'python', code: 'open("big", "w").write("x" * 3_000_000)', limits: { maxFileBytes: 1_000_000 } });
    expect(big.stderr).toMatch(/File too large/);
    const many = await runUntrusted({ language: 'python', code: 'for i in range(100):\n    open(f"f{i}", "w").write("x" * 900_000)', limits: { maxFileBytes: 1_000_000, workFolderBytes: 4_000_000 } });
    expect(many.stderr).toMatch(/No space left on device/);
  });

  // The second layer under the seccomp filter: with fork allowed, RLIMIT_NPROC still
  // bounds a fork bomb — measured to hold only when the jail runs as its own host uid
  // (as root, uid 65534 inside maps to host root, whom the kernel exempts).
  it.skipIf(!probe.available || !probe.dropsToNobody)('without the seccomp filter RLIMIT_NPROC bounds fork()', () => {
    // 40, not less: jails of other test files running now count against the same host uid.
    const limits = resolveLimits({ maxProcesses: 40 });
    const code = 'import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n            time.sleep(3)\n            os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(n)';
    const command = { program: jailPython, args: ['-I', '-c', code], fileNames: [], seccomp: false, limitProcesses: true, env: {} };
    const outcome = spawnSync(prlimitPath, [...rlimitArguments(limits, 5_000, true), '--', bwrapPath, ...bwrapArguments(command, limits)], { encoding: 'utf8', uid: 65534, gid: 65534, timeout: 20_000 });
    expect(outcome.status, outcome.stderr).toBe(0);
    expect(Number(outcome.stdout)).toBeLessThan(40);
  });
});
