// SSRF guard for webhook targets: resolves the host itself and refuses it when any address is
// loopback, link-local, private, unique-local, multicast or otherwise not public, unless an admin
// allowed it (WEBHOOK_ALLOW_PRIVATE: true, or a comma list of host names, addresses and CIDRs).
// The checked address is then the one connected to, so a second DNS answer cannot swap it.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { FluxgateError } from '../../contract/errors.ts';

const NOT_PUBLIC_V4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3'];
// IPv4-mapped IPv6 (::ffff:0:0/96) is refused too; it is its own list because BlockList also matches
// IPv4 addresses against it.
const NOT_PUBLIC_V6 = ['::/128', '::1/128', '64:ff9b::/96', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8'];

function blockListOf(cidrs: readonly string[], type: 'ipv4' | 'ipv6', into = new BlockList()): BlockList {
  for (const cidr of cidrs) {
    const [net = '', bits = type === 'ipv4' ? '32' : '128'] = cidr.split('/');
    into.addSubnet(net, Number(bits), type);
  }
  return into;
}

const notPublicV4 = blockListOf(NOT_PUBLIC_V4, 'ipv4');
const notPublicV6 = blockListOf(NOT_PUBLIC_V6, 'ipv6');
const mappedV4 = blockListOf(['::ffff:0:0/96'], 'ipv6');

const isNotPublic = (address: string, type: 'ipv4' | 'ipv6') =>
  type === 'ipv4' ? notPublicV4.check(address, 'ipv4') : notPublicV6.check(address, 'ipv6') || mappedV4.check(address, 'ipv6');

/** What WEBHOOK_ALLOW_PRIVATE allows: everything, or these hosts and networks. */
export interface PrivateAllowance {
  all: boolean;
  hosts: ReadonlySet<string>;
  networks: BlockList;
}

export function parseAllowPrivate(value: string): PrivateAllowance {
  const v = value.trim().toLowerCase();
  const networks = new BlockList();
  const hosts = new Set<string>();
  if (['true', '1', 'yes'].includes(v)) return { all: true, hosts, networks };
  for (const entry of v.split(',').map((e) => e.trim()).filter((e) => e && !['false', '0', 'no'].includes(e))) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr);
    if (family === 0) hosts.add(entry);
    else networks.addSubnet(addr, Number(bits ?? (family === 4 ? 32 : 128)), family === 4 ? 'ipv4' : 'ipv6');
  }
  return { all: false, hosts, networks };
}

/** Whether a single allow-list entry is valid (for config validation). */
export function isAllowEntry(entry: string): boolean {
  const [addr = '', bits] = entry.split('/');
  const family = isIP(addr);
  if (family === 0) return bits === undefined && /^[a-z0-9.-]+$/i.test(addr);
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

export interface CheckedTarget {
  url: URL;
  /** The address connected to. */
  address: string;
  family: 4 | 6;
}

const refused = (url: string, why: string) => new FluxgateError('WEBHOOK_TARGET_REFUSED', `Webhook target ${url} refused: ${why}`, { url });

/** Resolves the URL's host and checks every address; throws WEBHOOK_TARGET_REFUSED when one is not allowed. */
export async function checkWebhookTarget(raw: string, allow: PrivateAllowance): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(raw, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(raw, 'only http and https are allowed');
  if (url.username || url.password) throw refused(raw, 'credentials in the URL are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const literal = isIP(host);
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = literal ? [{ address: host, family: literal }] : await lookup(host, { all: true, verbatim: true });
  } catch (err) {
    throw refused(raw, `its host does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (addresses.length === 0) throw refused(raw, 'its host does not resolve');
  const hostAllowed = allow.all || allow.hosts.has(host);
  for (const { address, family } of addresses) {
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (!hostAllowed && isNotPublic(address, type) && !allow.networks.check(address, type)) {
      throw refused(raw, `${host} resolves to ${address}, a loopback, link-local or private address (allow it with WEBHOOK_ALLOW_PRIVATE)`);
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
