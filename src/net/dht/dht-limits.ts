import { NetOptionsError } from '../errors.ts';

/**
 * Limits and timings of the Kademlia DHT and of presence records. They bound what strangers can
 * make this node hold through the DHT (records, provider entries, peer entries) and how long one
 * lookup may run. None of them is part of the wire format except `maxRecordBytes`,
 * `maxAddresses`, `maxAddressChars` and `maxTtlMs`, which every node must agree on for its
 * records to be accepted by the others.
 */
export interface DhtLimits {
  /** Largest presence record value accepted, checked before it is decoded. Default 8,192 bytes. */
  readonly maxRecordBytes: number;
  /** Addresses in one presence record. Default 8. */
  readonly maxAddresses: number;
  /** Characters of one multiaddr in a presence record. Default 256. */
  readonly maxAddressChars: number;
  /** Longest lifetime (`expiresAt - issuedAt`) a presence record may claim. Default 24 hours. */
  readonly maxTtlMs: number;
  /** How far in the future a record's `issuedAt` may lie (clock skew between nodes). Default 10 minutes. */
  readonly maxClockSkewMs: number;
  /** DHT values (presence records) held for others; the oldest stored is dropped first. Default 2,048. */
  readonly maxRecords: number;
  /** Provider entries (session key, peer) held for others; the oldest stored is dropped first. Default 16,384. */
  readonly maxProviderEntries: number;
  /** Every other datastore entry (libp2p's peer store); the oldest stored is dropped first. Default 8,192. */
  readonly maxOtherEntries: number;
  /**
   * Requests a query keeps in flight (Kademlia's α). Default 3, the paper's value: kad-dht's own
   * default of 10 multiplies the requests of every lookup for little gain in a network of this size.
   */
  readonly alpha: number;
  /** Disjoint paths a query follows (S/Kademlia), so one Sybil region cannot capture it. Default 3. */
  readonly disjointPaths: number;
  /** One announce or one lookup (a whole DHT query) gives up after this long. Default 30 s. */
  readonly queryTimeoutMs: number;
  /** Providers of one session whose presence is fetched per lookup. Default 64. */
  readonly maxSessionPeers: number;
  /** Presence records fetched at once during one lookup. Default 8. */
  readonly lookupConcurrency: number;
  /** Lifetime written into this node's presence records and provider entries. Default 30 minutes. */
  readonly presenceTtlMs: number;
  /** This node re-announces every session this often (well inside `presenceTtlMs`). Default 10 minutes. */
  readonly refreshMs: number;
  /** Expired provider entries held for others are removed this often. Default 5 minutes. */
  readonly cleanupIntervalMs: number;
}

export const DHT_LIMITS: DhtLimits = Object.freeze({
  maxRecordBytes: 8_192,
  maxAddresses: 8,
  maxAddressChars: 256,
  maxTtlMs: 24 * 3_600_000,
  maxClockSkewMs: 10 * 60_000,
  maxRecords: 2_048,
  maxProviderEntries: 16_384,
  maxOtherEntries: 8_192,
  alpha: 3,
  disjointPaths: 3,
  queryTimeoutMs: 30_000,
  maxSessionPeers: 64,
  lookupConcurrency: 8,
  presenceTtlMs: 30 * 60_000,
  refreshMs: 10 * 60_000,
  cleanupIntervalMs: 5 * 60_000,
});

/** The defaults with `overrides` applied, checked: every value a positive integer, and consistent. */
export function dhtLimitsOf(overrides: Partial<DhtLimits> = {}): DhtLimits {
  const limits: DhtLimits = { ...DHT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new NetOptionsError(`DHT limit ${name} must be a positive integer, got ${String(value)}`);
  }
  // A record refreshed no sooner than it expires leaves its node unfindable between the two.
  if (limits.refreshMs >= limits.presenceTtlMs) throw new NetOptionsError('DHT refreshMs must be shorter than presenceTtlMs');
  if (limits.presenceTtlMs > limits.maxTtlMs) throw new NetOptionsError('DHT presenceTtlMs must not exceed maxTtlMs (other nodes would refuse the records)');
  return Object.freeze(limits);
}
