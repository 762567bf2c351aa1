import { concatBytes, utf8 } from '../crypto/index.ts';
import { SYNC_SIZES } from './limits.ts';
import type { OrderedVertices } from './replica.ts';

export type Hash = (data: Uint8Array) => Uint8Array;

const SALT_LABEL = utf8('pars-mesh/sync/v1/salt');
const FRONTIER_LABEL = utf8('pars-mesh/sync/v1/frontier');
const BASE_LABEL = utf8('pars-mesh/sync/v1/base');

/**
 * The session salt: both sides' nonces go in, so neither side alone — and no third party that
 * ground vertex ids in advance — can pick the item hashes that fingerprints are made of.
 */
export function sessionSalt(hash: Hash, initiatorNonce: Uint8Array, responderNonce: Uint8Array): Uint8Array {
  return hash(concatBytes(SALT_LABEL, initiatorNonce, responderNonce)).slice(0, SYNC_SIZES.fingerprint);
}

function digestOf(hash: Hash, label: Uint8Array, nonce: Uint8Array, topic: Uint8Array, ids: readonly Uint8Array[]): Uint8Array {
  return hash(concatBytes(label, nonce, topic, ...ids)).slice(0, SYNC_SIZES.digest);
}

/** Courier summary entry: a digest of a topic's frontier (ascending ids), salted by the initiator's nonce. */
export function frontierDigest(hash: Hash, nonce: Uint8Array, topic: Uint8Array, frontier: readonly Uint8Array[]): Uint8Array {
  return digestOf(hash, FRONTIER_LABEL, nonce, topic, frontier);
}

/** Digest naming a proposed base (ascending ids), salted by the initiator's nonce. */
export function baseDigest(hash: Hash, nonce: Uint8Array, topic: Uint8Array, base: readonly Uint8Array[]): Uint8Array {
  return digestOf(hash, BASE_LABEL, nonce, topic, base);
}

/**
 * Range fingerprints of one session: the XOR of per-item hashes SHA3-256(salt ‖ id) truncated to
 * 16 bytes, together with the item count. XOR is safe here because the per-item values are keyed
 * by a salt fixed only when both nonces are known: ids chosen before the session cannot be made to
 * cancel out. Each item is hashed at most once per session (cached by key).
 */
export class SaltedFingerprints {
  readonly #hash: Hash;
  readonly #input: Uint8Array;
  readonly #slots = new Map<string, number>();
  #lanes = new Uint32Array(4 * 1024);
  /** Items hashed so far (a benchmark and test figure). */
  hashed = 0;

  constructor(hash: Hash, salt: Uint8Array) {
    this.#hash = hash;
    this.#input = new Uint8Array(SYNC_SIZES.fingerprint + SYNC_SIZES.id);
    this.#input.set(salt.subarray(0, SYNC_SIZES.fingerprint));
  }

  #slot(key: string, id: Uint8Array): number {
    const known = this.#slots.get(key);
    if (known !== undefined) return known;
    const slot = this.#slots.size;
    if (4 * (slot + 1) > this.#lanes.length) {
      const grown = new Uint32Array(this.#lanes.length * 2);
      grown.set(this.#lanes);
      this.#lanes = grown;
    }
    this.#input.set(id, SYNC_SIZES.fingerprint);
    const h = this.#hash(this.#input);
    const view = new DataView(h.buffer, h.byteOffset, SYNC_SIZES.fingerprint);
    for (let k = 0; k < 4; k++) this.#lanes[4 * slot + k] = view.getUint32(4 * k, true);
    this.#slots.set(key, slot);
    this.hashed++;
    return slot;
  }

  /** Fingerprint of the items at positions [from, to) of `view`. */
  of(view: OrderedVertices, from: number, to: number): Uint8Array {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    const lanes = (): Uint32Array => this.#lanes;
    for (let i = from; i < to; i++) {
      const item = view.at(i);
      const s = 4 * this.#slot(item.key, item.id);
      const l = lanes();
      a ^= l[s] as number;
      b ^= l[s + 1] as number;
      c ^= l[s + 2] as number;
      d ^= l[s + 3] as number;
    }
    const out = new Uint8Array(SYNC_SIZES.fingerprint);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, a >>> 0, true);
    dv.setUint32(4, b >>> 0, true);
    dv.setUint32(8, c >>> 0, true);
    dv.setUint32(12, d >>> 0, true);
    return out;
  }
}
