/**
 * Loopback decisions from addresses, never from name prefixes: `127.evil.example` is a
 * hostname that anyone's DNS may point anywhere, so only IP literals are judged
 * (127.0.0.0/8, ::1, and IPv4-mapped ::ffff:127.x.y.z), and a hostname is first
 * resolved (before binding) and then judged by the address the socket really bound.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether `ip` is an IP literal in a loopback range (a hostname is never loopback here). */
export function isLoopbackAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 0) return false;
  // BlockList matches IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) against the IPv4 range.
  return loopback.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether a Host header names this machine: `localhost` or a loopback IP literal, any
 * port. A web page that rebinds its own name to 127.0.0.1 still sends its own name,
 * so a loopback server that refuses other names cannot be driven from a browser.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim());
  if (!match) return false;
  const name = match[1].toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || isLoopbackAddress(name);
}

/** Every address `host` resolves to (an IP literal is its own single address). */
export async function resolveBindAddresses(host: string): Promise<string[]> {
  if (host === '') return ['::'];
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return [host.replace(/^\[|\]$/g, '')];
  const found = await lookup(host, { all: true });
  return found.map((entry) => entry.address);
}
