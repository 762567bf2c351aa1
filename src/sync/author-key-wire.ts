import { utf8, varintSize, type ByteWriter } from '../crypto/index.ts';
import type { AuthorKey } from '../dag/index.ts';
import { SyncDecodeFailure } from './errors.ts';
import { SYNC_LIMITS } from './limits.ts';
import type { ByteReader } from './wire-bytes.ts';

/*
 * One author key on the wire, as a sync KEYS record lists them and a keyed gossip PUSH or REPLY
 * carries one: u8 label length ‖ algorithm label ‖ varint key length ‖ public key. The label is
 * 1..maxAlgorithmBytes bytes of [a-z0-9-] (`ml-dsa-65`), the key 1..maxKeyBytes bytes.
 */

const ALGORITHM_LABEL = /^[a-z0-9-]+$/;

/** Largest encoded author key. */
export const MAX_AUTHOR_KEY_WIRE_BYTES = 1 + SYNC_LIMITS.maxAlgorithmBytes + varintSize(SYNC_LIMITS.maxKeyBytes) + SYNC_LIMITS.maxKeyBytes;

/** Encoded size of `key`. */
export function authorKeyWireBytes(key: AuthorKey): number {
  return 1 + utf8(key.algorithm).length + varintSize(key.publicKey.length) + key.publicKey.length;
}

export function writeAuthorKey(w: ByteWriter, key: AuthorKey): void {
  const label = utf8(key.algorithm);
  w.u8(label.length);
  w.bytes(label);
  w.varint(key.publicKey.length);
  w.bytes(key.publicKey);
}

/**
 * Reads one author key, its public key copied out of the input. Throws SyncDecodeFailure:
 * `truncated` when the input ends inside it, `bad-key` or `limit-exceeded` for a label or a key
 * out of range, `non-canonical` or `malformed` for a bad varint.
 */
export function readAuthorKey(r: ByteReader): AuthorKey {
  const labelLength = r.u8('key algorithm length');
  if (labelLength === 0 || labelLength > SYNC_LIMITS.maxAlgorithmBytes) throw new SyncDecodeFailure('bad-key', `algorithm label of ${labelLength} bytes`);
  const algorithm = String.fromCharCode(...r.view(labelLength, 'key algorithm'));
  if (!ALGORITHM_LABEL.test(algorithm)) throw new SyncDecodeFailure('bad-key', 'algorithm label is not [a-z0-9-]');
  const size = r.count('key length', SYNC_LIMITS.maxKeyBytes);
  if (size === 0) throw new SyncDecodeFailure('bad-key', 'empty public key');
  return { algorithm, publicKey: r.copy(size, 'public key') };
}
