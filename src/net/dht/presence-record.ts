import * as dagCbor from '@ipld/dag-cbor';
import { multiaddr } from '@multiformats/multiaddr';
import { equalBytes, ML_DSA_65, utf8, type CryptoProvider } from '../../crypto/index.ts';
import { decodeBoundedCbor, hasExactKeys, isPlainMap } from '../../dag/index.ts';
import { NODE_ID_LENGTH, nodeIdOf } from '../../identity/index.ts';
import type { DhtLimits } from './dht-limits.ts';

/**
 * A presence record: "the node with this ML-DSA identity is reachable as this libp2p peer at
 * these addresses, from `issuedAt` until `expiresAt`". It is stored as a DHT value under
 * `/pars-presence/<peer id>`; the signature covers the peer id, so a record cannot be replayed
 * under another peer's key, and the node id must be SHA3-256 of the public key it carries.
 */
export interface PresenceRecord {
  /** 32-byte node id, SHA3-256 of `publicKey`. */
  readonly nodeId: Uint8Array;
  /** 1,952-byte ML-DSA-65 public key. */
  readonly publicKey: Uint8Array;
  /** libp2p peer id string the node announces itself as. */
  readonly peerId: string;
  /** Multiaddrs without the `/p2p/` suffix. */
  readonly addresses: readonly string[];
  /** Unix ms. */
  readonly issuedAt: number;
  /** Unix ms; the record is refused at and after it. */
  readonly expiresAt: number;
}

/** What signs this node's presence records: its identity (the node id is SHA3-256 of the public key). */
export interface PresenceSigner {
  readonly signingPublicKey: Uint8Array;
  sign(message: Uint8Array, context?: Uint8Array): Uint8Array;
}

export const PRESENCE_VERSION = 1;
/** The DHT key namespace of presence records (a validator and a selector are registered for it). */
export const PRESENCE_NAMESPACE = 'pars-presence';
/** FIPS 204 context string of presence signatures: no other signed object of the mesh verifies as one. */
export const PRESENCE_SIGNATURE_CONTEXT = utf8('pars-mesh/presence/v1');

const FIELDS = ['v', 'node', 'key', 'peer', 'addrs', 'iat', 'exp', 'sig'] as const;
const MAX_DEPTH = 2;

/** Why a presence record is refused. */
export type PresenceProblemReason = 'too-large' | 'malformed' | 'wrong-key' | 'node-id-mismatch' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'ttl-too-long';

export type PresenceCheck = { readonly ok: true; readonly record: PresenceRecord } | PresenceRefusal;
export type PresenceRefusal = { readonly ok: false; readonly reason: PresenceProblemReason; readonly detail: string };

/** The DHT key of `peerId`'s presence record. */
export function presenceKey(peerId: string): Uint8Array {
  return utf8(`/${PRESENCE_NAMESPACE}/${peerId}`);
}

function unsignedMap(r: PresenceRecord): Record<string, unknown> {
  return { v: PRESENCE_VERSION, node: r.nodeId, key: r.publicKey, peer: r.peerId, addrs: [...r.addresses], iat: r.issuedAt, exp: r.expiresAt };
}

/** Signs and encodes a presence record (deterministic DAG-CBOR map; the signature covers every other field). */
export function encodePresenceRecord(provider: CryptoProvider, signer: PresenceSigner, record: Omit<PresenceRecord, 'nodeId' | 'publicKey'>): Uint8Array {
  const publicKey = signer.signingPublicKey;
  const full: PresenceRecord = { ...record, nodeId: nodeIdOf(publicKey, provider), publicKey };
  const unsigned = unsignedMap(full);
  const sig = signer.sign(dagCbor.encode(unsigned), PRESENCE_SIGNATURE_CONTEXT);
  return dagCbor.encode({ ...unsigned, sig });
}

const fail = (reason: PresenceProblemReason, detail: string): PresenceRefusal => ({ ok: false, reason, detail });

/*
 * What depends on where a record was found and when it is read. `PresenceVerifier` runs these two
 * again on every use of a record it remembers; `checkPresenceRecord` runs them in its own order.
 */

/** Refusal of a record of `peerId` found under `key` when that is not the peer's own key. */
export function wrongKey(key: Uint8Array, peerId: string): PresenceRefusal | undefined {
  return equalBytes(key, presenceKey(peerId)) ? undefined : fail('wrong-key', `record of peer ${peerId} stored under another key`);
}

/** Refusal of a record that is not valid at `now` (issued too far ahead, or expired). */
export function notValidAt(issuedAt: number, expiresAt: number, now: number, limits: DhtLimits): PresenceRefusal | undefined {
  if (issuedAt > now + limits.maxClockSkewMs) return fail('not-yet-valid', `issued ${issuedAt - now} ms in the future`);
  if (now >= expiresAt) return fail('expired', `expired ${now - expiresAt} ms ago`);
  return undefined;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks a presence record stored under the DHT key `key` at time `now` (Unix ms): size before
 * anything is decoded, then a bounded decode, the exact shape, the key it sits under, lifetime,
 * node id and last the signature (the costly step). Never throws.
 */
export function checkPresenceRecord(provider: CryptoProvider, key: Uint8Array, value: Uint8Array, now: number, limits: DhtLimits): PresenceCheck {
  if (value.length > limits.maxRecordBytes) return fail('too-large', `presence record of ${value.length} bytes, more than ${limits.maxRecordBytes}`);
  const decoded = decodeBoundedCbor(value, { maxDepth: MAX_DEPTH });
  if (!decoded.ok) return fail('malformed', decoded.detail);
  const m = decoded.value;
  if (!isPlainMap(m) || !hasExactKeys(m, FIELDS)) return fail('malformed', `a presence record is a map of exactly ${FIELDS.join(', ')}`);
  const { v, node, key: publicKey, peer, addrs, iat, exp, sig } = m;
  if (v !== PRESENCE_VERSION) return fail('malformed', `unknown presence record version ${String(v)}`);
  if (!(node instanceof Uint8Array) || node.length !== NODE_ID_LENGTH) return fail('malformed', `node id must be ${NODE_ID_LENGTH} bytes`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ML_DSA_65.publicKey) return fail('malformed', `public key must be ${ML_DSA_65.publicKey} bytes`);
  if (!(sig instanceof Uint8Array) || sig.length !== ML_DSA_65.signature) return fail('malformed', `signature must be ${ML_DSA_65.signature} bytes`);
  if (typeof peer !== 'string' || peer.length === 0 || peer.length > 128) return fail('malformed', 'peer id must be a string of 1..128 characters');
  if (!isTime(iat) || !isTime(exp)) return fail('malformed', 'issuedAt and expiresAt must be non-negative integers (Unix ms)');
  if (!Array.isArray(addrs) || addrs.length > limits.maxAddresses) return fail('malformed', `addresses must be a list of at most ${limits.maxAddresses}`);
  for (const a of addrs) {
    if (typeof a !== 'string' || a.length === 0 || a.length > limits.maxAddressChars) return fail('malformed', `an address must be a string of 1..${limits.maxAddressChars} characters`);
    try {
      multiaddr(a);
    } catch {
      return fail('malformed', `address ${JSON.stringify(a.slice(0, 64))} is not a multiaddr`);
    }
  }
  const misplaced = wrongKey(key, peer);
  if (misplaced !== undefined) return misplaced;
  if (exp <= iat) return fail('malformed', 'expiresAt must be after issuedAt');
  if (exp - iat > limits.maxTtlMs) return fail('ttl-too-long', `lifetime of ${exp - iat} ms, more than ${limits.maxTtlMs}`);
  const untimely = notValidAt(iat, exp, now, limits);
  if (untimely !== undefined) return untimely;
  if (!equalBytes(nodeIdOf(publicKey, provider), node)) return fail('node-id-mismatch', 'node id is not SHA3-256 of the public key');
  const record: PresenceRecord = { nodeId: node, publicKey, peerId: peer, addresses: addrs as string[], issuedAt: iat, expiresAt: exp };
  if (!provider.mlDsa65.verify(publicKey, dagCbor.encode(unsignedMap(record)), sig, PRESENCE_SIGNATURE_CONTEXT)) return fail('bad-signature', 'signature does not verify');
  return { ok: true, record };
}
