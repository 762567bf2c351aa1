import { AES_256_GCM, concatBytes, utf8, type CryptoProvider } from '../crypto/index.ts';
import type { Identity } from '../identity/index.ts';
import { NodeError } from './errors.ts';

/** HKDF info of the key that seals group rows at rest. */
export const STORAGE_KEY_DOMAIN = 'pars-mesh/store/group-key/v1';

const NONCE_BYTES = AES_256_GCM.nonce;
const TAG_BYTES = AES_256_GCM.tag;

/** What a sealed row is (the AAD prefix): a row moved to another table or key does not open. */
export type SealedKind = 'group-descriptor' | 'group-secrets' | 'group-log' | 'group-pending' | 'group-invite' | 'group-join';

/** A sealed row that does not open: the store was tampered with, or belongs to another identity. */
export class SealedRowError extends NodeError {
  constructor(kind: SealedKind, detail: string) {
    super('ERR_SEALED_ROW', `a ${kind} row of the store does not open (${detail}); is this data directory's store from another identity?`);
  }
}

/**
 * Seals the secret columns of the group tables (group secrets, names inside descriptors, member
 * key seeds, message text) under a key derived from the identity's master seed, so a seized disk
 * without the passphrase reveals none of them. Each value gets a random nonce; the AAD names the
 * kind of row and its id, so rows cannot be swapped for one another.
 *
 *   key    = HKDF-SHA3-256(ikm = master seed, salt = empty, info = "pars-mesh/store/group-key/v1", 32)
 *   sealed = nonce(12) ‖ AES-256-GCM(key, nonce, value, aad = "pars-mesh/store/" ‖ kind ‖ "/" ‖ row id)
 */
export class StorageSealer {
  readonly #provider: CryptoProvider;
  readonly #key: Uint8Array;
  readonly #random: (n: number) => Uint8Array;

  constructor(provider: CryptoProvider, identity: Identity, random?: (n: number) => Uint8Array) {
    this.#provider = provider;
    this.#random = random ?? ((n) => provider.randomBytes(n));
    this.#key = identity.deriveKey(new Uint8Array(0), utf8(STORAGE_KEY_DOMAIN), 32);
  }

  seal(kind: SealedKind, rowId: Uint8Array, value: Uint8Array): Uint8Array {
    const nonce = this.#random(NONCE_BYTES);
    return concatBytes(nonce, this.#provider.aes256Gcm.seal(this.#key, nonce, value, aad(kind, rowId)));
  }

  /** Opens a sealed value; throws SealedRowError when it does not open (tampered, or another identity's). */
  open(kind: SealedKind, rowId: Uint8Array, sealed: Uint8Array): Uint8Array {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new SealedRowError(kind, 'too short');
    const plain = this.#provider.aes256Gcm.open(this.#key, sealed.subarray(0, NONCE_BYTES), sealed.subarray(NONCE_BYTES), aad(kind, rowId));
    if (plain === undefined) throw new SealedRowError(kind, 'authentication failed');
    return plain;
  }

  /** Zero-fills the key; the sealer is unusable afterwards. */
  wipe(): void {
    this.#key.fill(0);
  }
}

function aad(kind: SealedKind, rowId: Uint8Array): Uint8Array {
  return concatBytes(utf8(`pars-mesh/store/${kind}/`), rowId);
}
