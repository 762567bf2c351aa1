import { ML_DSA_65, ML_KEM_768, utf8, type CryptoProvider } from '../crypto/index.ts';
import { checkArgumentBytes, groupArgumentError, groupOk, groupReject, type GroupResult } from './errors.ts';

/*
 * Public keys in group operations carry a one-byte algorithm tag, so a field that expects a
 * signing key refuses a KEM key by its type rather than by the accident of a size check or a
 * failed parse:
 *
 *   0x01 ‖ ML-DSA-65 public key (1952 bytes)
 *   0x02 ‖ ML-KEM-768 public key (1184 bytes)
 */

export type KeyAlgorithm = 'ml-dsa-65' | 'ml-kem-768';

const TAGS: Readonly<Record<KeyAlgorithm, { readonly tag: number; readonly size: number }>> = Object.freeze({
  'ml-dsa-65': Object.freeze({ tag: 0x01, size: ML_DSA_65.publicKey }),
  'ml-kem-768': Object.freeze({ tag: 0x02, size: ML_KEM_768.publicKey }),
});

const KEY_ID_LABEL = utf8('pars-mesh/group/key-id/v1');
/** Bytes of a key id. */
export const KEY_ID_BYTES = 16;

/** tag ‖ key; throws GroupError `ERR_GROUP_ARGUMENT` for an unknown algorithm or a key of the wrong size. */
export function encodeTaggedKey(alg: KeyAlgorithm, key: Uint8Array): Uint8Array {
  const spec = Object.hasOwn(TAGS, alg) ? TAGS[alg] : undefined;
  if (spec === undefined) throw groupArgumentError(`unknown key algorithm ${JSON.stringify(alg)}`);
  checkArgumentBytes(key, spec.size, `${alg} public key`);
  const out = new Uint8Array(1 + spec.size);
  out[0] = spec.tag;
  out.set(key, 1);
  return out;
}

/**
 * The key (a copy) of a tagged encoding whose tag is `expected`: 'wrong-key-type' when the tag
 * names the other algorithm, 'bad-key' for an unknown tag or a wrong length.
 */
export function decodeTaggedKey(bytes: Uint8Array, expected: KeyAlgorithm): GroupResult<Uint8Array> {
  const spec = TAGS[expected];
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return groupReject('bad-key', 'tagged key is empty');
  const tag = bytes[0] as number;
  if (tag !== spec.tag) {
    const other = (Object.keys(TAGS) as KeyAlgorithm[]).find((alg) => TAGS[alg].tag === tag);
    if (other !== undefined) return groupReject('wrong-key-type', `expected an ${expected} key, got an ${other} key`);
    return groupReject('bad-key', `unknown key tag 0x${tag.toString(16).padStart(2, '0')}`);
  }
  if (bytes.length !== 1 + spec.size) return groupReject('bad-key', `${expected} key is ${bytes.length - 1} bytes, expected ${spec.size}`);
  return groupOk(bytes.slice(1));
}

/** SHA3-256("pars-mesh/group/key-id/v1" ‖ publicKey)[0..16]: names a key without carrying it. */
export function keyId(provider: CryptoProvider, publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array)) throw groupArgumentError('public key must be a Uint8Array');
  const input = new Uint8Array(KEY_ID_LABEL.length + publicKey.length);
  input.set(KEY_ID_LABEL, 0);
  input.set(publicKey, KEY_ID_LABEL.length);
  return provider.sha3_256(input).slice(0, KEY_ID_BYTES);
}
