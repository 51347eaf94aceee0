import { describe, expect, it } from 'vitest';
import { bwrapArguments, isPlainFileName, rlimitArguments } from './jail-arguments.js';
import { resolveLimits } from './limits.js';

const limits = resolveLimits({ memoryLimitBytes: 1000, maxFileBytes: 2000, maxOpenFiles: 30, maxProcesses: 7, workFolderBytes: 4000 });
const command = { program: '/usr/bin/python3', args: ['-I', 'main.py'], fileNames: ['main.py', 'data.csv'], seccomp: true, limitProcesses: true, env: { PATH: '/usr/bin' } };

describe('jail arguments', () => {
  it('mounts nothing of the host but /usr, read-only', () => {
    const args = bwrapArguments(command, limits);
    const mounts = args.flatMap((arg, index) => (/^--(ro-)?bind(-try)?$|^--dev-bind/.test(arg) ? [[arg, args[index + 1], args[index + 2]]] : []));
    expect(mounts).toEqual([['--ro-bind', '/usr', '/usr']]);
    expect(args).toEqual(expect.arrayContaining(['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']));
    expect(args.join(' ')).toContain('--uid 65534 --gid 65534 --cap-drop ALL');
    expect(args.join(' ')).toContain('--size 4000 --perms 0700 --tmpfs /work');
    expect(args.join(' ')).not.toMatch(/--share-net|\/root|\/home/);
  });

  it('copies files from fds 4, 5, … and reads the filter from fd 3, then runs the program', () => {
    const args = bwrapArguments(command, limits);
    expect(args.join(' ')).toContain('--file 4 /work/main.py --file 5 /work/data.csv --seccomp 3 --remount-ro / -- /usr/bin/python3 -I main.py');
    expect(bwrapArguments({ ...command, seccomp: false }, limits)).not.toContain('--seccomp');
  });

  it('sets the rlimits, RLIMIT_NPROC only when asked', () => {
    expect(rlimitArguments(limits, 1500, true)).toEqual(['--as=1000', '--cpu=3:4', '--fsize=2000', '--nofile=30', '--core=0', '--nproc=7']);
    expect(rlimitArguments(limits, 1500, false)).not.toContain('--nproc=7');
  });

  it('accepts plain file names only', () => {
    for (const name of ['data.csv', 'a_b-1.txt']) expect(isPlainFileName(name), name).toBe(true);
    for (const name of ['../x', 'a/b', '.hidden', '', 'x..y', '/etc/passwd']) expect(isPlainFileName(name), name).toBe(false);
  });

  it('rejects unknown and non-positive limits', () => {
    expect(() => resolveLimits({ timeLimitMs: 0 })).toThrow(/timeLimitMs/);
    expect(() => resolveLimits({ cpuSeconds: 1 } as never)).toThrow(/unknown key "cpuSeconds"/);
  });
});
