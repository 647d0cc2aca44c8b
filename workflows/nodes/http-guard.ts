// SSRF guard for the HTTP node: workflow authors choose URLs, so without it a workflow could reach
// the server's own services, the private network or the cloud metadata endpoint. Every hop (the
// first request and each redirect) is checked: http(s) only, and every address the host resolves
// to must be public unless WEFT_HTTP_ALLOWLIST lets it through (read at call time so tests and
// operators can change it without a restart).
//
// The check runs twice: before the request (a clear refusal without connecting) and again inside
// the connection's own DNS lookup (`guardedLookup`), so the address actually connected to is the
// one checked: a DNS server answering differently the second time (rebinding) gains nothing.
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { StepError } from '@/workflows/interpreter/types';

export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: LookupAll = (host) => lookup(host, { all: true, verbatim: true });

type Bytes = number[];

function parseIPv4(text: string): Bytes | null {
  if (isIP(text) !== 4) return null;
  return text.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (zone ids such as %eth0 ignored), or null. */
function parseIPv6(text: string): Bytes | null {
  const address = text.replace(/%.*$/, '');
  if (isIP(address) !== 6) return null;
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = parseIPv4(group) ?? [0, 0, 0, 0];
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        out.push(Number.parseInt(group, 16));
      }
    }
    return out;
  };
  const [head = '', tail] = address.split('::');
  const first = groups(head);
  const last = tail === undefined ? [] : groups(tail);
  const all = [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

export function parseIp(text: string): { family: 4 | 6; bytes: Bytes } | null {
  const bare = text.replace(/^\[|\]$/g, '');
  const v4 = parseIPv4(bare);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(bare);
  return v6 ? { family: 6, bytes: v6 } : null;
}

function inPrefix(bytes: Bytes, prefix: Bytes, bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

const FORBIDDEN_V4: { prefix: Bytes; bits: number; name: string }[] = [
  // Checked first so the refusal names it: the endpoint that hands out cloud credentials.
  { prefix: [169, 254, 169, 254], bits: 32, name: 'cloud metadata' },
  { prefix: [0, 0, 0, 0], bits: 8, name: '"this network"' },
  { prefix: [10, 0, 0, 0], bits: 8, name: 'private' },
  { prefix: [100, 64, 0, 0], bits: 10, name: 'carrier-grade NAT' },
  { prefix: [127, 0, 0, 0], bits: 8, name: 'loopback' },
  { prefix: [169, 254, 0, 0], bits: 16, name: 'link-local' },
  { prefix: [172, 16, 0, 0], bits: 12, name: 'private' },
  { prefix: [192, 168, 0, 0], bits: 16, name: 'private' },
  // Not reachable as unicast destinations anyway; refused so broadcast tricks go nowhere.
  { prefix: [224, 0, 0, 0], bits: 4, name: 'multicast' },
  { prefix: [240, 0, 0, 0], bits: 4, name: 'reserved' },
];

function forbiddenV4(bytes: Bytes): string | null {
  return FORBIDDEN_V4.find((r) => inPrefix(bytes, r.prefix, r.bits))?.name ?? null;
}

/** Why an address must not be contacted (e.g. 'loopback'), or null when it is public. */
export function forbiddenRange(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return 'not an IP address';
  if (ip.family === 4) return forbiddenV4(ip.bytes);
  const b = ip.bytes;
  const zeros = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeros(16)) return 'unspecified';
  if (zeros(15) && b[15] === 1) return 'loopback';
  if (inPrefix(b, [0xfe, 0x80], 10)) return 'link-local';
  if (inPrefix(b, [0xfc], 7)) return 'unique-local';
  if (inPrefix(b, [0xff], 8)) return 'multicast';
  // Forms that carry an IPv4 address, which reaches that address: mapped (::ffff:a.b.c.d),
  // compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
  if ((zeros(10) && b[10] === 0xff && b[11] === 0xff) || zeros(12)) return forbiddenV4(b.slice(12));
  if (inPrefix(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return forbiddenV4(b.slice(12));
  if (inPrefix(b, [0x20, 0x02], 16)) return forbiddenV4(b.slice(2, 6));
  return null;
}

type AllowEntry = { kind: 'host'; host: string } | { kind: 'net'; bytes: Bytes; bits: number; family: 4 | 6 };

/** Parses WEFT_HTTP_ALLOWLIST: hostnames, IP addresses and CIDR ranges, comma-separated. */
export function parseAllowlist(text: string | undefined): AllowEntry[] {
  const entries: AllowEntry[] = [];
  for (const raw of (text ?? '').split(',')) {
    const item = raw.trim().toLowerCase();
    if (!item) continue;
    const [addr = '', bitsText] = item.split('/');
    const ip = parseIp(addr);
    if (ip) {
      const max = ip.family === 4 ? 32 : 128;
      const bits = bitsText === undefined ? max : Number(bitsText);
      // A malformed prefix length must not widen the entry: skip it.
      if (Number.isInteger(bits) && bits >= 0 && bits <= max) entries.push({ kind: 'net', ...ip, bits });
    } else if (bitsText === undefined) {
      entries.push({ kind: 'host', host: item.replace(/\.$/, '') });
    }
  }
  return entries;
}

function hostAllowed(host: string, entries: AllowEntry[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return entries.some((e) => e.kind === 'host' && e.host === name);
}

function addressAllowed(address: string, entries: AllowEntry[]): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  return entries.some(
    (e) => e.kind === 'net' && e.family === ip.family && inPrefix(ip.bytes, e.bytes, e.bits),
  );
}

function refuse(message: string): StepError {
  return new StepError({ message, code: 'http_forbidden_address', retryable: false });
}

/**
 * Throws a non-retryable StepError (http_forbidden_address) unless `url` may be fetched; DNS
 * failures throw a retryable http_network error. Returns the addresses the host resolved to.
 */
export async function assertAllowedUrl(url: URL, resolve: LookupAll = defaultLookup): Promise<string[]> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refuse(`refusing ${url.protocol}// URL: only http and https are allowed`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowlist = parseAllowlist(process.env.WEFT_HTTP_ALLOWLIST);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await resolve(host)).map((a) => a.address);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new StepError({
        message: `could not resolve ${host}${typeof code === 'string' ? ` (${code})` : ''}`,
        code: 'http_network',
        retryable: true,
      });
    }
    if (addresses.length === 0) {
      throw new StepError({ message: `could not resolve ${host}`, code: 'http_network', retryable: true });
    }
  }
  if (hostAllowed(host, allowlist)) return addresses;
  for (const address of addresses) {
    const range = forbiddenRange(address);
    if (range && !addressAllowed(address, allowlist)) {
      const via = address === host ? '' : ` (resolved from ${host})`;
      throw refuse(`refusing to connect to ${range} address ${address}${via}`);
    }
  }
  return addresses;
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets (undici's `connect.lookup`): resolves with `resolve`, then refuses the
 * connection unless every address passes the same check as `assertAllowedUrl`.
 */
export function createGuardedLookup(resolve: LookupAll = defaultLookup) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    const host = hostname.includes(':') ? `[${hostname}]` : hostname;
    assertAllowedUrl(new URL(`http://${host}/`), resolve).then(
      (addresses) => {
        const list = addresses.map((address) => ({ address, family: isIP(address) || 4 }));
        if ((options as LookupAllOptions).all) callback(null, list);
        else callback(null, list[0]?.address ?? '', list[0]?.family ?? 4);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };
}
