// The Kademlia DHT of the mesh: presence records, session discovery and DNS bootstrap.
export { DHT_LIMITS, dhtLimitsOf, type DhtLimits } from './dht-limits.ts';
export type { DhtOptions } from './dht-options.ts';
export { BoundedDatastore, DatastoreNotFoundError, type DatastoreClass, type Libp2pDatastore } from './bounded-datastore.ts';
export { PresenceVerifier, PRESENCE_CACHE_ENTRIES } from './presence-verifier.ts';
export { DHT_DATASTORE_PREFIX, dhtService, PARS_KAD_PROTOCOL, PresenceRecordError, type DhtServiceOptions } from './dht-service.ts';
export {
  checkPresenceRecord,
  encodePresenceRecord,
  presenceKey,
  PRESENCE_NAMESPACE,
  PRESENCE_SIGNATURE_CONTEXT,
  PRESENCE_VERSION,
  type PresenceCheck,
  type PresenceProblemReason,
  type PresenceRecord,
  type PresenceSigner,
} from './presence-record.ts';
export { SessionPresence, sessionKey, type AnnounceReport, type FindOptions, type SessionLookup, type SessionPeer, type SessionPresenceOptions } from './session-presence.ts';
export { DnsBootstrapError, MAX_DNS_BOOTSTRAP_ADDRESSES, resolveDnsBootstrap, type DnsBootstrapOptions } from './dns-bootstrap.ts';
