import { equalBytes, ML_DSA_65, type CryptoProvider } from '../crypto/index.ts';
import { decodeVertex, signedMessageOf, type DecodedLayout } from './codec.ts';
import type { KeyRing } from './keyring.ts';
import { VERTEX_SIGNATURE_CONTEXT } from './limits.ts';
import { reject, type Rejection } from './rejection.ts';
import { idKey, type DecodedVertex } from './vertex.ts';

export type VertexResult = { readonly ok: true; readonly vertex: DecodedVertex } | Rejection;

export interface VerifyOptions {
  /** The id the sender claimed (e.g. the id that was asked for); a different hash is `id-mismatch`. */
  readonly expectedId?: Uint8Array;
}

/** The id of bytes that passed every check, with where their fields sit. */
export type CheckedVertex = ({ readonly ok: true; readonly id: Uint8Array } & DecodedLayout) | Rejection;

/** Checks the id and the author's signature of a decoded vertex. */
function checkDecoded(layout: DecodedLayout, keys: KeyRing, provider: CryptoProvider, options: VerifyOptions): Rejection | Uint8Array {
  const { vertex } = layout;
  const id = provider.sha3_256(vertex.bytes);
  if (options.expectedId !== undefined && !equalBytes(id, options.expectedId)) {
    return reject('id-mismatch', `content hashes to ${idKey(id)}, expected ${idKey(options.expectedId)}`);
  }
  const lookup = keys.verifierFor(vertex.author);
  if (!lookup.ok) return lookup;
  if (vertex.sig.length !== ML_DSA_65.signature) {
    return reject('bad-signature', `signature is ${vertex.sig.length} bytes, ML-DSA-65 signatures are ${ML_DSA_65.signature}`);
  }
  if (!lookup.verifier.verify(signedMessageOf(layout), vertex.sig, VERTEX_SIGNATURE_CONTEXT)) {
    return reject('bad-signature', `signature of ${idKey(id)} does not verify`);
  }
  return id;
}

/**
 * Every check of `validateVertex`, returning the id and the field layout rather than a decoded
 * vertex: what a verify worker sends back (see `packLayout`).
 */
export function checkVertex(bytes: Uint8Array, keys: KeyRing, provider: CryptoProvider, options: VerifyOptions = {}): CheckedVertex {
  const decoded = decodeVertex(bytes);
  if (!decoded.ok) return decoded;
  const id = checkDecoded(decoded, keys, provider, options);
  return id instanceof Uint8Array ? { ok: true, id, vertex: decoded.vertex, sigEnd: decoded.sigEnd } : id;
}

/**
 * Full validation of received bytes short of DAG placement: size limits, canonical decoding, id,
 * and signature. Never throws on bad input.
 */
export function validateVertex(
  bytes: Uint8Array,
  keys: KeyRing,
  provider: CryptoProvider,
  options: VerifyOptions = {},
): VertexResult {
  const checked = checkVertex(bytes, keys, provider, options);
  if (!checked.ok) return checked;
  return { ok: true, vertex: { ...checked.vertex, id: checked.id, key: idKey(checked.id) } };
}
