import { Resolver } from 'node:dns/promises';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdOf } from '../addresses.ts';
import { NetError } from '../errors.ts';

/** Level 2 of the bootstrap hierarchy (PIP-4): a DNS name whose TXT records list bootstrap nodes. */
export interface DnsBootstrapOptions {
  /** The name queried for TXT records, e.g. `_dnsaddr.bootstrap.example.org`. */
  readonly name: string;
  /**
   * DNS servers asked (`"ip"` or `"ip:port"`, IPv6 as `"[ip]:port"`). Default: the system's
   * resolvers. Tests point it at a responder on 127.0.0.1.
   */
  readonly servers?: readonly string[];
  /** One query gives up after this long. Default 5,000 ms. */
  readonly timeoutMs?: number;
}

/** TXT strings read at most (a hostile or broken zone must not make the node dial thousands). */
export const MAX_DNS_BOOTSTRAP_ADDRESSES = 32;
const MAX_TXT_CHARS = 512;
const PREFIX = 'dnsaddr=';

/** The DNS bootstrap name could not be resolved (no answer, refused, timed out). */
export class DnsBootstrapError extends NetError {
  constructor(name: string, detail: string) {
    super('ERR_DNS_BOOTSTRAP', `bootstrap name ${name}: ${detail}`);
  }
}

/**
 * The multiaddrs the TXT records of `name` list as `dnsaddr=<multiaddr>` (the dnsaddr
 * convention), keeping only those that end in `/p2p/<peer id>`; other TXT strings are ignored.
 * Throws `DnsBootstrapError` when the query itself fails: the caller falls back to the other
 * levels (configured peers, the DHT, mDNS).
 */
export async function resolveDnsBootstrap(options: DnsBootstrapOptions): Promise<string[]> {
  const timeout = options.timeoutMs ?? 5_000;
  const resolver = new Resolver({ timeout, tries: 1 });
  if (options.servers !== undefined) resolver.setServers([...options.servers]);
  let records: string[][];
  try {
    records = await resolver.resolveTxt(options.name);
  } catch (error) {
    throw new DnsBootstrapError(options.name, (error as Error).message);
  }
  const out: string[] = [];
  for (const chunks of records) {
    // One TXT record may come in several strings; they form one value.
    const text = chunks.join('');
    if (text.length > MAX_TXT_CHARS || !text.startsWith(PREFIX)) continue;
    const address = text.slice(PREFIX.length);
    try {
      if (peerIdOf(multiaddr(address)) === undefined) continue;
    } catch {
      continue;
    }
    if (!out.includes(address)) out.push(address);
    if (out.length >= MAX_DNS_BOOTSTRAP_ADDRESSES) break;
  }
  return out;
}
