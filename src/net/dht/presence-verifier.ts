import { toHex, type CryptoProvider } from '../../crypto/index.ts';
import type { DhtLimits } from './dht-limits.ts';
import { checkPresenceRecord, notValidAt, wrongKey, type PresenceCheck, type PresenceRecord } from './presence-record.ts';

/** Verified records remembered (by SHA3-256 of their bytes). */
export const PRESENCE_CACHE_ENTRIES = 1_024;

/**
 * `checkPresenceRecord` with a memory of the records that verified. One lookup meets the same
 * record up to three times (kad-dht's validator on each answer, its selector, and the lookup
 * itself) and every peer holding it answers with the same bytes, so the ML-DSA verification —
 * the costly step — runs once per record instead. What depends on the key asked for and on the
 * time (expiry, issue time) is checked again at every use.
 */
export class PresenceVerifier {
  readonly #provider: CryptoProvider;
  readonly #limits: DhtLimits;
  readonly #now: () => number;
  readonly #verified = new Map<string, PresenceRecord>();

  constructor(provider: CryptoProvider, limits: DhtLimits, now: () => number) {
    this.#provider = provider;
    this.#limits = limits;
    this.#now = now;
  }

  check(key: Uint8Array, value: Uint8Array): PresenceCheck {
    const now = this.#now();
    if (value.length > this.#limits.maxRecordBytes) return checkPresenceRecord(this.#provider, key, value, now, this.#limits);
    const digest = toHex(this.#provider.sha3_256(value));
    const known = this.#verified.get(digest);
    if (known !== undefined) return wrongKey(key, known.peerId) ?? notValidAt(known.issuedAt, known.expiresAt, now, this.#limits) ?? { ok: true, record: known };
    const checked = checkPresenceRecord(this.#provider, key, value, now, this.#limits);
    if (checked.ok) {
      this.#verified.set(digest, checked.record);
      while (this.#verified.size > PRESENCE_CACHE_ENTRIES) this.#verified.delete(this.#verified.keys().next().value as string);
    }
    return checked;
  }
}
