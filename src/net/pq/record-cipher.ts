import { AES_256_GCM, type AeadKey, type CryptoProvider } from '../../crypto/index.ts';
import { MAX_RECORDS_PER_KEY } from './constants.ts';
import { PqHandshakeError } from './errors.ts';

/*
 * One direction of the record layer: AES-256-GCM under that direction's traffic key, the nonce a
 * counter (4 zero bytes ‖ 64-bit big-endian record number). Records arrive in order over one
 * reliable connection, so a record that is dropped, repeated, reordered or moved to the other
 * direction fails to open, and the connection ends.
 */
export class RecordCipher {
  readonly #key: AeadKey;
  readonly #nonce = new Uint8Array(AES_256_GCM.nonce);
  readonly #view = new DataView(this.#nonce.buffer);
  #count = 0;

  constructor(provider: CryptoProvider, key: Uint8Array) {
    this.#key = provider.aes256Gcm.key(key);
  }

  #next(): Uint8Array {
    if (this.#count >= MAX_RECORDS_PER_KEY) throw new PqHandshakeError('ERR_PQ_RECORD_LIMIT', 'record limit of the connection key reached');
    this.#view.setUint32(4, Math.floor(this.#count / 2 ** 32));
    this.#view.setUint32(8, this.#count >>> 0);
    this.#count += 1;
    return this.#nonce;
  }

  /** The next record's ciphertext ‖ tag. */
  seal(plaintext: Uint8Array): Uint8Array {
    return this.#key.seal(this.#next(), plaintext);
  }

  /** `seal` of a record whose plaintext sits in several buffers; the ciphertext ‖ tag in pieces. */
  sealParts(parts: readonly Uint8Array[]): Uint8Array[] {
    return this.#key.sealParts(this.#next(), parts);
  }

  /** `open` of a record that arrived in several buffers; the plaintext in pieces. */
  openParts(parts: readonly Uint8Array[]): Uint8Array[] {
    return opened(this.#key.openParts(this.#next(), parts));
  }

  /** The next record's plaintext; throws when it does not open (the connection must end). */
  open(sealed: Uint8Array): Uint8Array {
    return opened(this.#key.open(this.#next(), sealed));
  }
}

function opened<T>(plain: T | undefined): T {
  if (plain === undefined) throw new PqHandshakeError('ERR_PQ_DECRYPT', 'a record does not open: tampered, replayed or out of order');
  return plain;
}
