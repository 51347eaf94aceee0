import { describe, expect, it } from 'vitest';
import { buildSeccompFilter } from './seccomp.js';

/** Decodes the sock_filter array back into instructions. */
function decode(filter: Buffer) {
  return Array.from({ length: filter.length / 8 }, (_, index) => ({
    code: filter.readUInt16LE(index * 8),
    jt: filter.readUInt8(index * 8 + 2),
    jf: filter.readUInt8(index * 8 + 3),
    k: filter.readUInt32LE(index * 8 + 4),
  }));
}

/** Runs the classic-BPF program on one seccomp_data (the subset of opcodes we emit). */
function evaluate(filter: Buffer, nr: number, arg0 = 0, arch = 0xc000003e): number {
  const program = decode(filter);
  let accumulator = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc];
    if (code === 0x20) accumulator = k === 0 ? nr : k === 4 ? arch : k === 16 ? arg0 : Number.NaN;
    else if (code === 0x15) pc += accumulator === k ? jt : jf;
    else if (code === 0x35) pc += accumulator >= k ? jt : jf;
    else if (code === 0x45) pc += (accumulator & k) !== 0 ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`opcode ${code} at ${pc}`);
  }
  throw new Error('fell off the end');
}

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;
const KILL = 0x80000000;

describe('seccomp filter', () => {
  const filter = buildSeccompFilter('x64')!;

  it('is whole sock_filter records and only built for x86_64', () => {
    expect(filter.length % 8).toBe(0);
    expect(buildSeccompFilter('arm64')).toBeNull();
  });

  it('allows ordinary calls and threads, refuses processes, non-unix sockets and admin calls', () => {
    expect(evaluate(filter, 0)).toBe(ALLOW); // read
    expect(evaluate(filter, 59)).toBe(ALLOW); // execve (bwrap execs the interpreter after loading the filter)
    expect(evaluate(filter, 56, 0x3d0f00)).toBe(ALLOW); // clone with CLONE_THREAD (pthread_create)
    expect(evaluate(filter, 56, 0x01200011)).toBe(EPERM); // clone as fork() does it
    expect(evaluate(filter, 57)).toBe(EPERM); // fork
    expect(evaluate(filter, 435)).toBe(ENOSYS); // clone3: libc falls back to clone
    expect(evaluate(filter, 41, 1)).toBe(ALLOW); // socket(AF_UNIX)
    expect(evaluate(filter, 41, 2)).toBe(EPERM); // socket(AF_INET)
    expect(evaluate(filter, 41, 16)).toBe(EPERM); // socket(AF_NETLINK)
    for (const nr of [101, 165, 250, 272, 298, 308, 321, 425]) expect(evaluate(filter, nr), `syscall ${nr}`).toBe(EPERM);
  });

  it('kills another architecture and the x32 ABI', () => {
    expect(evaluate(filter, 0, 0, 0x40000003)).toBe(KILL); // i386
    expect(evaluate(filter, 0x40000000 + 41)).toBe(KILL);
  });
});
