import { INVITE_LIMITS, inviteAddressProblem } from '../group/index.ts';

/*
 * Which of the node's own multiaddrs go into an invite. An invite holds at most 8 addresses of at
 * most 200 bytes, and the joiner may be on the same LAN (the usual case: no internet), on the same
 * machine (two data directories, tests), or anywhere. So LAN addresses come first, then public
 * ones, then one loopback address is kept in any case; link-local addresses (which need an
 * interface name to dial) and addresses without a peer id are left out. TCP comes before
 * WebSocket at the same rank: it is the cheaper link for a node, the WebSocket is for browsers.
 */

type Rank = 0 | 1 | 2 | 3;

/** 0 LAN, 1 public or a name, 2 loopback, 3 unusable in an invite. */
function rankOf(address: string): Rank {
  const [, family, host] = address.split('/');
  if (!address.includes('/p2p/')) return 3;
  if (family === 'ip4' && host !== undefined) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    if (a === 127) return 2;
    if (a === 169 && b === 254) return 3;
    if (a === 0) return 3;
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 0;
    return 1;
  }
  if (family === 'ip6' && host !== undefined) {
    const h = host.toLowerCase();
    if (h === '::1') return 2;
    if (h.startsWith('fe80') || h === '::') return 3;
    if (h.startsWith('fc') || h.startsWith('fd')) return 0;
    return 1;
  }
  if (family === 'dns' || family === 'dns4' || family === 'dns6') return 1;
  return 3;
}

/** Up to `max` of `multiaddrs` for an invite, best first (see above). */
export function inviteAddresses(multiaddrs: readonly string[], max: number = INVITE_LIMITS.maxAddresses): string[] {
  const usable = [...new Set(multiaddrs)]
    .filter((a) => inviteAddressProblem(a) === undefined)
    .map((address, index) => ({ address, index, rank: rankOf(address), ws: address.includes('/ws') ? 1 : 0 }))
    .filter((a) => a.rank !== 3)
    .sort((x, y) => x.rank - y.rank || x.ws - y.ws || x.index - y.index);
  const chosen = usable.slice(0, max);
  const loopback = usable.find((a) => a.rank === 2);
  if (max > 0 && loopback !== undefined && !chosen.includes(loopback)) chosen[chosen.length - 1] = loopback;
  return chosen.map((a) => a.address);
}
