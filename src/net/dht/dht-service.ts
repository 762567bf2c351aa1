import { kadDHT, passthroughMapper, type KadDHT, type KadDHTComponents } from '@libp2p/kad-dht';
import { NetError } from '../errors.ts';
import type { DhtLimits } from './dht-limits.ts';
import { PRESENCE_NAMESPACE, type PresenceProblemReason } from './presence-record.ts';
import type { PresenceVerifier } from './presence-verifier.ts';

/** The private Kademlia protocol of Pars Mesh: never mixed with the public IPFS DHT. */
export const PARS_KAD_PROTOCOL = '/pars/kad/1.0.0';
/** Where the DHT keeps its records and provider entries in the libp2p datastore. */
export const DHT_DATASTORE_PREFIX = '/dht';

/** A DHT record that does not pass the presence validator; the DHT drops it (PUT refused, lookup answer ignored). */
export class PresenceRecordError extends NetError {
  readonly reason: PresenceProblemReason | 'namespace';
  constructor(reason: PresenceProblemReason | 'namespace', detail: string) {
    super('ERR_PRESENCE_RECORD', `${reason}: ${detail}`);
    this.reason = reason;
  }
}

export interface DhtServiceOptions {
  readonly limits: DhtLimits;
  /** Checks presence records (shared with the lookups of `SessionPresence`). */
  readonly verifier: PresenceVerifier;
}

/**
 * The kad-dht service of a node, as the libp2p `services` entry takes it:
 * - the private protocol `/pars/kad/1.0.0`, in server mode (every full node answers queries;
 *   kad-dht would otherwise stay a client until it saw a public address);
 * - a passthrough peer-info mapper: kad-dht drops loopback and private addresses by default,
 *   and a mesh lives on LANs;
 * - only presence records (`/pars-presence/…`) are accepted as values; the built-in `/pk/`
 *   namespace is refused (Ed25519 peer ids carry their key, and a namespace nobody reads is
 *   free storage for strangers);
 * - provider entries live `presenceTtlMs` and expired ones are cleaned every `cleanupIntervalMs`,
 *   both by kad-dht's reprovider (its `providers` options are read by nothing in kad-dht 16); the
 *   reprovider republishes this node's own entries only if they lapsed (the presence schedule
 *   refreshes them before that).
 */
export function dhtService(o: DhtServiceOptions): (components: KadDHTComponents) => KadDHT {
  const { limits, verifier } = o;
  const validate = (key: Uint8Array, value: Uint8Array): void => {
    const checked = verifier.check(key, value);
    if (!checked.ok) throw new PresenceRecordError(checked.reason, checked.detail);
  };
  const refuse = (): void => {
    throw new PresenceRecordError('namespace', 'only presence records are stored in this DHT');
  };
  // Newest issuedAt wins; a record that no longer checks out ranks below every one that does.
  const select = (key: Uint8Array, records: Uint8Array[]): number => {
    let best = 0;
    let bestAt = -1;
    records.forEach((value, i) => {
      const checked = verifier.check(key, value);
      if (checked.ok && checked.record.issuedAt > bestAt) {
        best = i;
        bestAt = checked.record.issuedAt;
      }
    });
    return best;
  };
  return kadDHT({
    protocol: PARS_KAD_PROTOCOL,
    clientMode: false,
    peerInfoMapper: passthroughMapper,
    datastorePrefix: DHT_DATASTORE_PREFIX,
    alpha: limits.alpha,
    disjointPaths: limits.disjointPaths,
    validators: { [PRESENCE_NAMESPACE]: validate, pk: refuse },
    selectors: { [PRESENCE_NAMESPACE]: select },
    reprovide: { validity: limits.presenceTtlMs, interval: limits.cleanupIntervalMs, threshold: 1 },
    incomingMessageTimeout: limits.queryTimeoutMs,
  });
}
