/**
 * Small socket probes on this machine: a free loopback port (for a server that must
 * be told its port before it starts — a console serve job, a private Redis) and
 * whether anything accepts connections on a port (how tests judge that a refused
 * server left no port open).
 */
import { connect, createServer } from 'node:net';

/** A port the OS reports free on `host` right now (another process may take it before you do). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}

/** Whether something accepts a TCP connection on host:port. */
export function acceptsConnections(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once('error', () => resolveAnswer(false));
  });
}
