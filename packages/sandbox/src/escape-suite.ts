/**
 * Attacks that escape a weak Python sandbox, and a witness on the host that sees
 * whether they did. Shared by the sandbox's own tests, the agent's python tool tests
 * and the HumanEval tests, so every path that runs untrusted Python is judged on the
 * same list, by side effects rather than by what the sandbox says about itself:
 * a secret file outside the jail, marker files that must not appear, a loopback TCP
 * listener that counts connections, an environment variable of ours.
 * Each attack exits 0 only if it got what it wanted.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EscapeWitness {
  folder: string;
  secretPath: string;
  secret: string;
  envName: string;
  port: number;
  /** TCP connections the listener accepted so far. */
  connections(): number;
  /** Files in the witness folder other than the secret (markers written from the jail). */
  markers(): string[];
  close(): Promise<void>;
}

export interface EscapeAttack {
  name: string;
  code: string;
}

export async function startEscapeWitness(): Promise<EscapeWitness> {
  const folder = mkdtempSync(join(tmpdir(), 'chainlm-escape-'));
  // World-readable and -writable, so that only the jail (not file modes) can stop a jailed uid.
  chmodSync(folder, 0o777);
  const secret = `secret-${process.pid}-${Date.now()}`;
  const secretPath = join(folder, 'secret.txt');
  writeFileSync(secretPath, secret, { mode: 0o644 });
  const envName = 'CHAINLM_ESCAPE_WITNESS';
  process.env[envName] = secret;
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    folder,
    secretPath,
    secret,
    envName,
    port,
    connections: () => connections,
    markers: () => readdirSync(folder).filter((name) => name !== 'secret.txt'),
    close: async () => {
      delete process.env[envName];
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export function escapeAttacks(witness: Pick<EscapeWitness, 'folder' | 'secretPath' | 'secret' | 'envName' | 'port'>): EscapeAttack[] {
  const marker = (name: string) => JSON.stringify(join(witness.folder, `marker-${name}`));
  const touch = (name: string) => JSON.stringify(`touch ${join(witness.folder, `marker-${name}`)}`);
  return [
    { name: 'read a host file', code: `data = open(${JSON.stringify(witness.secretPath)}).read()\nprint(data)\nassert data == ${JSON.stringify(witness.secret)}` },
    { name: 'read the host environment', code: `import os\nprint(os.environ.get(${JSON.stringify(witness.envName)}))\nassert os.environ.get(${JSON.stringify(witness.envName)})` },
    { name: 'write with open()', code: `open(${marker('open')}, 'w').write('x')` },
    { name: 'write with os.rename', code: `import os\nopen('x', 'w').write('x')\nos.rename('x', ${marker('rename')})` },
    { name: 'write with shutil.copy', code: `import shutil\nopen('x', 'w').write('x')\nshutil.copy('x', ${marker('shutil')})` },
    { name: 'spawn with os.system', code: `import os\nassert os.system(${touch('os-system')}) == 0` },
    { name: 'spawn with posix.system', code: `import posix\nassert posix.system(${touch('posix-system')}) == 0` },
    { name: 'spawn with ctypes libc.system', code: `import ctypes\nassert ctypes.CDLL(None).system(${touch('ctypes')}.encode()) == 0` },
    {
      name: 'spawn with _posixsubprocess.fork_exec',
      code: [
        'import _posixsubprocess, os',
        'r, w = os.pipe()',
        `pid = _posixsubprocess.fork_exec([b'/usr/bin/touch', ${marker('posixsubprocess')}.encode()], [b'/usr/bin/touch'], True, (), None, None, -1, -1, -1, -1, -1, -1, r, w, True, False, 0, None, None, None, -1, None, False)`,
        'assert os.waitpid(pid, 0)[1] == 0',
      ].join('\n'),
    },
    { name: 'spawn with subprocess after importlib.reload', code: `import importlib, subprocess\nimportlib.reload(subprocess)\nsubprocess.run(['touch', ${marker('reload')}], check=True)` },
    { name: 'connect with a raw _socket', code: `import _socket\ns = _socket.socket()\ns.connect(('127.0.0.1', ${witness.port}))` },
    { name: 'connect with socket.create_connection', code: `import socket\nsocket.create_connection(('127.0.0.1', ${witness.port}), timeout=2)` },
  ];
}
