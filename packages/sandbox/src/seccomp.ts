/**
 * A seccomp filter for the jail, emitted as classic BPF (what `bwrap --seccomp FD`
 * reads: an array of 8-byte `struct sock_filter { u16 code; u8 jt; u8 jf; u32 k }`,
 * little-endian). The namespaces are the boundary; this narrows the kernel surface
 * the code can reach through them, and makes refusals plain errors the code sees:
 *  - any arch but x86_64, or the x32 ABI: the process is killed;
 *  - socket() of any family but AF_UNIX: EPERM (there is no network to reach anyway);
 *  - clone() without CLONE_THREAD, fork, vfork: EPERM — no child processes (threads
 *    stay allowed); clone3: ENOSYS so libc falls back to clone(), which is checked;
 *  - ptrace, mount and the new mount API, namespaces (unshare, setns), keyrings, bpf,
 *    perf_event_open, io_uring, userfaultfd, modules, kexec, reboot, swap, cross-process
 *    memory access and a few more: EPERM.
 * Everything else is allowed. On other architectures no filter is built (null) and the
 * jail runs without one; the result's `isolation` says so.
 */
import { arch } from 'node:os';

// Linux x86_64 syscall numbers (asm/unistd_64.h).
const syscalls = {
  socket: 41, clone: 56, fork: 57, vfork: 58, clone3: 435,
  ptrace: 101, syslog: 103, uselib: 134, vhangup: 153, pivot_root: 155, chroot: 161, acct: 163,
  mount: 165, umount2: 166, swapon: 167, swapoff: 168, reboot: 169, iopl: 172, ioperm: 173,
  init_module: 175, delete_module: 176, quotactl: 179, lookup_dcookie: 212, kexec_load: 246,
  add_key: 248, request_key: 249, keyctl: 250, unshare: 272, perf_event_open: 298,
  name_to_handle_at: 303, open_by_handle_at: 304, setns: 308, process_vm_readv: 310,
  process_vm_writev: 311, kcmp: 312, finit_module: 313, kexec_file_load: 320, bpf: 321,
  userfaultfd: 323, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
  open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433,
  mount_setattr: 442,
} as const;

const denied: readonly (keyof typeof syscalls)[] = [
  'fork', 'vfork', 'ptrace', 'syslog', 'uselib', 'vhangup', 'pivot_root', 'chroot', 'acct', 'mount', 'umount2',
  'swapon', 'swapoff', 'reboot', 'iopl', 'ioperm', 'init_module', 'delete_module', 'quotactl', 'lookup_dcookie',
  'kexec_load', 'add_key', 'request_key', 'keyctl', 'unshare', 'perf_event_open', 'name_to_handle_at',
  'open_by_handle_at', 'setns', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'finit_module', 'kexec_file_load',
  'bpf', 'userfaultfd', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'open_tree', 'move_mount',
  'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr',
];

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const AF_UNIX = 1;
const CLONE_THREAD = 0x00010000;
const EPERM = 1;
const ENOSYS = 38;

// BPF opcodes (linux/bpf_common.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const retErrno = (errno: number) => 0x00050000 | errno;

// Offsets into struct seccomp_data: nr (u32), arch (u32), ip (u64), args[6] (u64, low word first).
const NR = 0;
const ARCH = 4;
const ARG0_LOW = 16;

type Label = 'allow' | 'eperm' | 'enosys' | 'kill' | 'socket' | 'clone';
interface Instruction {
  code: number;
  k: number;
  jt?: Label;
  jf?: Label;
}

/** The filter as bytes, or null where no filter is defined for this architecture. */
export function buildSeccompFilter(machine: string = arch()): Buffer | null {
  if (machine !== 'x64') return null;
  const body: Instruction[] = [
    { code: LD_W_ABS, k: ARCH },
    { code: JEQ_K, k: AUDIT_ARCH_X86_64, jf: 'kill' },
    { code: LD_W_ABS, k: NR },
    { code: JGE_K, k: X32_SYSCALL_BIT, jt: 'kill' },
    { code: JEQ_K, k: syscalls.socket, jt: 'socket' },
    { code: JEQ_K, k: syscalls.clone, jt: 'clone' },
    { code: JEQ_K, k: syscalls.clone3, jt: 'enosys' },
    ...denied.map((name): Instruction => ({ code: JEQ_K, k: syscalls[name], jt: 'eperm' })),
  ];
  // Classic BPF only jumps forward: the argument checks come first, the returns last.
  const blocks: [Label, Instruction[]][] = [
    ['socket', [{ code: LD_W_ABS, k: ARG0_LOW }, { code: JEQ_K, k: AF_UNIX, jt: 'allow', jf: 'eperm' }]],
    ['clone', [{ code: LD_W_ABS, k: ARG0_LOW }, { code: JSET_K, k: CLONE_THREAD, jt: 'allow', jf: 'eperm' }]],
    ['allow', [{ code: RET_K, k: RET_ALLOW }]],
    ['eperm', [{ code: RET_K, k: retErrno(EPERM) }]],
    ['enosys', [{ code: RET_K, k: retErrno(ENOSYS) }]],
    ['kill', [{ code: RET_K, k: RET_KILL_PROCESS }]],
  ];
  // A syscall on none of the lists falls off the end of the body: allow it.
  const program = [...body, { code: RET_K, k: RET_ALLOW }];
  const at = new Map<Label, number>();
  for (const [label, instructions] of blocks) {
    at.set(label, program.length);
    program.push(...instructions);
  }
  const out = Buffer.alloc(program.length * 8);
  program.forEach((instruction, index) => {
    const jump = (label: Label | undefined) => {
      if (label === undefined) return 0;
      const offset = at.get(label)! - (index + 1);
      if (offset < 0 || offset > 255) throw new Error(`seccomp: jump to ${label} out of range (${offset})`);
      return offset;
    };
    out.writeUInt16LE(instruction.code, index * 8);
    out.writeUInt8(jump(instruction.jt), index * 8 + 2);
    out.writeUInt8(jump(instruction.jf), index * 8 + 3);
    out.writeUInt32LE(instruction.k >>> 0, index * 8 + 4);
  });
  return out;
}
