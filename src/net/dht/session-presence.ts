import type { KadDHT, QueryEvent } from '@libp2p/kad-dht';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { toHex, type CryptoProvider } from '../../crypto/index.ts';
import { nodeIdOf } from '../../identity/index.ts';
import { isAbortOrTimeout, NetOptionsError } from '../errors.ts';
import type { DhtLimits } from './dht-limits.ts';
import { encodePresenceRecord, presenceKey, type PresenceRecord, type PresenceSigner } from './presence-record.ts';
import type { PresenceVerifier } from './presence-verifier.ts';

/** Raw binary content, the codec of the CIDs session keys are carried in. */
const RAW_CODEC = 0x55;
/** Session ids are secrets derived elsewhere (`deriveSessionId`); anything shorter is a bug. */
const MIN_SESSION_ID_BYTES = 16;
const MAX_SESSION_ID_BYTES = 64;

/** A member of a session found in the DHT, from its verified, unexpired presence record. */
export interface SessionPeer {
  readonly peerId: string;
  readonly nodeId: Uint8Array;
  readonly nodeIdHex: string;
  /** Dialable multiaddrs, each ending in `/p2p/<peer id>`. */
  readonly addresses: readonly string[];
  /** Unix ms. */
  readonly expiresAt: number;
}

export interface SessionLookup {
  readonly peers: readonly SessionPeer[];
  /** Distinct peers the provider query sent a request to (Kademlia's cost; compare with log2 n). */
  readonly queriedPeers: number;
  /** Providers the DHT named (before their presence records were checked). */
  readonly providers: number;
  /** Providers whose presence record verifies but who are not members (or claim this node's id). */
  readonly refused: number;
  /**
   * Providers with no presence record that verifies now: none found before the lookup ended (timed
   * out, or it expired), or only forged or stale copies.
   */
  readonly unverified: number;
}

export interface AnnounceReport {
  /** Peers that took the provider entry. */
  readonly providerPeers: number;
  /** Peers that took the presence record in this call (0 when a fresh one was already out). */
  readonly recordPeers: number;
}

export interface FindOptions {
  /** Only these members (lower-case hex node ids) are returned; default every verified peer. */
  readonly members?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
}

export interface SessionPresenceOptions {
  readonly dht: KadDHT;
  readonly provider: CryptoProvider;
  readonly limits: DhtLimits;
  /** Checks presence records (shared with the DHT's validator). */
  readonly verifier: PresenceVerifier;
  /** Wall clock, Unix ms. */
  readonly now: () => number;
  readonly peerId: string;
  /** This node's dialable addresses now, without `/p2p/`. */
  readonly addresses: () => readonly string[];
  /** Signs this node's presence record; without it the node can look up but not announce. */
  readonly signer?: PresenceSigner;
}

/** The DHT key of a session: SHA-256(session id) as a multihash, in a raw CIDv1 (what provider records are keyed by). */
export async function sessionKey(sessionId: Uint8Array): Promise<CID> {
  if (!(sessionId instanceof Uint8Array) || sessionId.length < MIN_SESSION_ID_BYTES || sessionId.length > MAX_SESSION_ID_BYTES) {
    throw new NetOptionsError(`a session id is ${MIN_SESSION_ID_BYTES}..${MAX_SESSION_ID_BYTES} bytes`);
  }
  return CID.createV1(RAW_CODEC, await sha256.digest(sessionId));
}

/**
 * Session discovery over the DHT (PIP-4 "DHT for Session Discovery"). A member announces itself
 * twice: a provider entry under SHA-256(session id) — many members under one key, natively — and
 * one signed presence record of its own under `/pars-presence/<peer id>`, which binds the peer id
 * and addresses to its ML-DSA identity. A lookup takes the providers of the session key and keeps
 * those whose presence record verifies and is unexpired (and who are members, when the member set
 * is given): a provider entry alone proves nothing, anyone who knows the session id can add one.
 */
export class SessionPresence {
  readonly #o: SessionPresenceOptions;
  readonly #selfHex: string | undefined;
  #lastPut: { readonly at: number; readonly addresses: string; readonly peers: number } | undefined;

  constructor(options: SessionPresenceOptions) {
    this.#o = options;
    this.#selfHex = options.signer === undefined ? undefined : toHex(nodeIdOf(options.signer.signingPublicKey, options.provider));
  }

  /**
   * Announces this node under `sessionId`: the provider entry, then the presence record when the
   * last one sent is older than half the refresh period, the addresses changed, or it reached fewer
   * than half as many peers as this provider entry did (half, so that one slow peer does not make
   * a node in many groups send its record again with every announcement).
   *
   * The last condition matters for a node's first announcements: a put made while the routing
   * table is still filling reaches few peers (4 of 20, seen in the DHT test), maybe not the ones
   * closest to the key that later lookups ask, and a record sent once was not sent again for five
   * minutes however many sessions the node announced meanwhile, so nobody found the node in any
   * of its groups. The provider entry goes first so the record takes the table it just warmed.
   */
  async announcePresence(sessionId: Uint8Array, signal?: AbortSignal): Promise<AnnounceReport> {
    const key = await sessionKey(sessionId);
    const s = this.#signal(signal);
    let providerPeers = 0;
    for await (const e of this.#o.dht.provide(key, { signal: s })) if (e.name === 'PEER_RESPONSE' && e.messageName === 'ADD_PROVIDER') providerPeers++;
    const recordPeers = await this.#putPresence(s, providerPeers);
    return { providerPeers, recordPeers };
  }

  /** Stops announcing `sessionId` (left the group): this node's own provider entry is dropped and not republished. */
  async withdraw(sessionId: Uint8Array): Promise<void> {
    await this.#o.dht.cancelReprovide(await sessionKey(sessionId));
  }

  /** The members of `sessionId` the DHT knows now: verified, unexpired presence records only, never this node. */
  async findSessionPeers(sessionId: Uint8Array, options: FindOptions = {}): Promise<SessionLookup> {
    const key = await sessionKey(sessionId);
    const signal = this.#signal(options.signal);
    const queried = new Set<string>();
    const providers = new Set<string>();
    try {
      for await (const e of this.#o.dht.findProviders(key, { signal })) {
        if (e.name === 'SEND_QUERY') queried.add(e.to.toString());
        if (e.name !== 'PROVIDER') continue;
        for (const p of e.providers) {
          const id = p.id.toString();
          if (id !== this.#o.peerId && providers.size < this.#o.limits.maxSessionPeers) providers.add(id);
        }
      }
    } catch (error) {
      // A timed-out or aborted query still found what it found so far.
      if (!isAbortOrTimeout(error)) throw error;
    }
    const found = await boundedMap([...providers], this.#o.limits.lookupConcurrency, (peer) => this.#presenceOf(peer, signal));
    const peers: SessionPeer[] = [];
    let unverified = 0;
    for (const r of found) {
      if (r === undefined) {
        unverified++;
        continue;
      }
      const nodeIdHex = toHex(r.nodeId);
      if (options.members !== undefined && !options.members.has(nodeIdHex)) continue;
      if (nodeIdHex === this.#selfHex) continue;
      peers.push({ peerId: r.peerId, nodeId: r.nodeId, nodeIdHex, addresses: r.addresses.map((a) => `${a}/p2p/${r.peerId}`), expiresAt: r.expiresAt });
    }
    return { peers, queriedPeers: queried.size, providers: providers.size, refused: providers.size - unverified - peers.length, unverified };
  }

  /** The first presence record of `peer` the DHT gives that verifies now, if it has one. */
  async #presenceOf(peer: string, signal: AbortSignal): Promise<PresenceRecord | undefined> {
    const key = presenceKey(peer);
    let found: PresenceRecord | undefined;
    try {
      // The first record that verifies ends the query: it is signed, so one honest copy is as
      // good as a quorum, and a node re-announcing with new addresses rewrites the copies at its
      // closest peers, where the query starts.
      for await (const e of this.#o.dht.get(key, { signal }) as AsyncIterable<QueryEvent>) {
        const value = e.name === 'PEER_RESPONSE' ? e.record?.value : e.name === 'VALUE' ? e.value : undefined;
        if (value === undefined) continue;
        const checked = this.#o.verifier.check(key, value);
        if (checked.ok) {
          found = checked.record;
          break;
        }
      }
    } catch {
      // kad-dht ends a lookup with an error when a holder of an older record refuses the
      // correction it sends; what was received before still counts.
    }
    return found;
  }

  /** Sends the presence record unless a fresh one with these addresses reached at least half of `reach` peers. */
  async #putPresence(signal: AbortSignal, reach: number): Promise<number> {
    const signer = this.#o.signer;
    if (signer === undefined) throw new NetOptionsError('announcing presence needs a signer (the node identity)');
    const now = this.#o.now();
    const addresses = [...new Set(this.#o.addresses())].slice(0, this.#o.limits.maxAddresses).filter((a) => a.length <= this.#o.limits.maxAddressChars);
    const joined = addresses.join(' ');
    const last = this.#lastPut;
    if (last !== undefined && last.addresses === joined && now - last.at < this.#o.limits.refreshMs / 2 && 2 * last.peers >= reach) return 0;
    const value = encodePresenceRecord(this.#o.provider, signer, { peerId: this.#o.peerId, addresses, issuedAt: now, expiresAt: now + this.#o.limits.presenceTtlMs });
    let peers = 0;
    for await (const e of this.#o.dht.put(presenceKey(this.#o.peerId), value, { signal })) {
      if (e.name === 'PEER_RESPONSE' && e.messageName === 'PUT_VALUE') peers++;
    }
    this.#lastPut = { at: now, addresses: joined, peers };
    return peers;
  }

  #signal(signal: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.#o.limits.queryTimeoutMs);
    return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  }
}

/** `fn` over `items`, at most `concurrency` at a time, results in input order. */
async function boundedMap<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
