import { BlockList, isIP, type LookupFunction } from 'node:net';
import { UsageError } from '../errors.js';
import { load } from '../util/load.js';

/**
 * Where a remote $ref may be fetched from. A spec is someone else's text: its http(s) $refs
 * must not make this machine fetch from itself or its network (a local admin page, a cloud
 * metadata service at 169.254.169.254) and store the answer in the registry and in exports.
 *
 * The check runs inside the socket's own DNS lookup (node's `lookup` option), so the
 * address checked is the address connected to: a name that answers a public address once
 * and 127.0.0.1 the next time (DNS rebinding) is checked again on the next connection and
 * refused there. An IP-literal host gets the same check (the HTTP client calls the lookup
 * for it too).
 */
export interface RefNet {
  /** Every address a name resolves to (the default: the system resolver, all families). */
  resolve(host: string): Promise<{ address: string; family: number }[]>;
  /** Why an address is refused ('loopback', 'private', ...), or undefined when it may be used. */
  blocked(address: string): string | undefined;
}

/** [kind, network, prefix length, family]. IPv4-mapped IPv6 is refused as such (it would reach any IPv4 address). */
const RANGES: [string, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'], // benchmarking
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'], // and the broadcast address
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['IPv4-mapped', '::ffff:0:0', 96, 'ipv6'],
  ['IPv4-translated', '64:ff9b::', 96, 'ipv6'], // NAT64 can reach private IPv4 too
  ['IPv4-translated', '64:ff9b:1::', 48, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'], // discard
  ['IPv4-translated', '2002::', 16, 'ipv6'], // 6to4
  ['unique-local', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'], // deprecated site-local
  ['multicast', 'ff00::', 8, 'ipv6'],
];

let lists: [string, 'ipv4' | 'ipv6', BlockList][] | undefined;

function blocked(address: string): string | undefined {
  const family = isIP(address);
  if (!family) return 'unparsable';
  lists ??= RANGES.map(([kind, net, prefix, fam]) => {
    const b = new BlockList();
    b.addSubnet(net, prefix, fam);
    return [kind, fam, b];
  });
  const fam = family === 4 ? 'ipv4' : 'ipv6';
  // BlockList matches IPv4 against IPv4-mapped IPv6 rules and back: each rule applies to its own family only,
  // and an IPv4-mapped address is refused as such whatever IPv4 address it maps.
  for (const [kind, f, list] of lists) if (f === fam && list.check(address, fam)) return kind;
  return undefined;
}

export const defaultRefNet: RefNet = {
  async resolve(host) {
    return load<typeof import('node:dns')>('node:dns').promises.lookup(host, { all: true, verbatim: true });
  },
  blocked,
};

/**
 * node's `lookup` for a remote $ref's connection: resolve, refuse when any answer is refused
 * (a name answering [public, private] is not trusted with either), else hand node exactly the
 * checked addresses. `exemptHost`: the host of the URL the user named for `import`, when that is
 * their own loopback/private address (a local dev server may $ref itself).
 */
export function checkedLookup(net: RefNet, exemptHost?: string): LookupFunction {
  return (hostname, options, callback) => {
    const literal = isIP(hostname);
    const answers = literal ? Promise.resolve([{ address: hostname, family: literal }]) : net.resolve(hostname);
    answers.then(
      (all) => {
        if (hostname !== exemptHost) {
          for (const a of all) {
            const why = net.blocked(a.address);
            if (why) {
              const what = literal ? `${hostname} is ${article(why)} address` : `${hostname} resolves to ${a.address}, ${article(why)} address`;
              return callback(refused(what), '', 0);
            }
          }
        }
        const fam = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = fam === 4 || fam === 6 ? all.filter((a) => a.family === fam) : all;
        if (!usable.length) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as (e: null, a: { address: string; family: number }[]) => void)(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (e) => callback(e, '', 0),
    );
  };
}

/** True when a URL host the user typed is their own machine or network (the exemption above). */
export function isOwnHost(hostname: string, net: RefNet = defaultRefNet): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h.toLowerCase() === 'localhost' || (isIP(h) !== 0 && net.blocked(h) !== undefined);
}

const article = (kind: string) => `${/^[aeiouIU]/.test(kind) && kind !== 'unique-local' ? 'an' : 'a'} ${kind}`;

/** A remote $ref's host is this machine or its network: refused before any connection. */
export class RefusedAddressError extends UsageError {}

function refused(what: string): RefusedAddressError {
  return new RefusedAddressError(`${what}; a remote $ref is never fetched from this machine or its private network`);
}
