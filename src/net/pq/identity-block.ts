import { ByteWriter, ML_DSA_65 } from '../../crypto/index.ts';
import { LIBP2P_ED25519_KEY_BYTES, LIBP2P_ED25519_SIGNATURE_BYTES, MAX_IDENTITY_BYTES, MAX_MUXER_NAME_BYTES, MAX_MUXERS } from './constants.ts';
import { PqHandshakeError } from './errors.ts';

/*
 * What each side proves about itself, sealed inside messages 2 and 3:
 *
 *   ML-DSA-65 public key (1952) ‖ u8 length ‖ libp2p public key (protobuf, Ed25519: 36)
 *   ‖ u8 muxer count ‖ (u8 length ‖ UTF-8 muxer protocol id)* ‖ ML-DSA-65 signature (3309)
 *   ‖ Ed25519 signature (64)
 *
 * Both signatures cover the transcript so far and the fields before them (see `signedDigest`).
 */

/** The fields an identity block carries, signatures aside. */
export interface IdentityClaim {
  readonly signingPublicKey: Uint8Array;
  /** The libp2p public key as protobuf (the peer id is derived from it). */
  readonly libp2pPublicKey: Uint8Array;
  /** Stream muxers offered for early negotiation, preferred first; empty to negotiate after. */
  readonly muxers: readonly string[];
}

export interface IdentityBlock extends IdentityClaim {
  readonly signature: Uint8Array;
  readonly libp2pSignature: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function muxerNames(muxers: readonly string[]): Uint8Array[] {
  if (muxers.length > MAX_MUXERS) throw new PqHandshakeError('ERR_PQ_MALFORMED', `at most ${MAX_MUXERS} muxers can be offered`);
  return muxers.map((m) => {
    const bytes = encoder.encode(m);
    if (bytes.length === 0 || bytes.length > MAX_MUXER_NAME_BYTES) throw new PqHandshakeError('ERR_PQ_MALFORMED', `muxer id of ${bytes.length} bytes (1..${MAX_MUXER_NAME_BYTES})`);
    return bytes;
  });
}

/** The claim's bytes: the part of an identity block the signatures cover. */
export function encodeClaim(claim: IdentityClaim): Uint8Array {
  if (claim.signingPublicKey.length !== ML_DSA_65.publicKey) throw new PqHandshakeError('ERR_PQ_MALFORMED', 'ML-DSA-65 public key of the wrong size');
  if (claim.libp2pPublicKey.length !== LIBP2P_ED25519_KEY_BYTES) throw new PqHandshakeError('ERR_PQ_KEY_TYPE', 'the libp2p key must be Ed25519');
  const names = muxerNames(claim.muxers);
  const size = ML_DSA_65.publicKey + 1 + LIBP2P_ED25519_KEY_BYTES + 1 + names.reduce((n, b) => n + 1 + b.length, 0);
  const w = new ByteWriter(size);
  w.bytes(claim.signingPublicKey);
  w.u8(claim.libp2pPublicKey.length);
  w.bytes(claim.libp2pPublicKey);
  w.u8(names.length);
  for (const name of names) {
    w.u8(name.length);
    w.bytes(name);
  }
  return w.finish();
}

/** A whole identity block: the claim's bytes followed by both signatures. */
export function encodeIdentityBlock(claimBytes: Uint8Array, signature: Uint8Array, libp2pSignature: Uint8Array): Uint8Array {
  if (signature.length !== ML_DSA_65.signature || libp2pSignature.length !== LIBP2P_ED25519_SIGNATURE_BYTES) {
    throw new PqHandshakeError('ERR_PQ_MALFORMED', 'signature of the wrong size');
  }
  const w = new ByteWriter(claimBytes.length + signature.length + libp2pSignature.length);
  w.bytes(claimBytes);
  w.bytes(signature);
  w.bytes(libp2pSignature);
  return w.finish();
}

/** Parses an identity block; every length is checked before it is used. Returns the claim's bytes too. */
export function decodeIdentityBlock(bytes: Uint8Array): { block: IdentityBlock; claimBytes: Uint8Array } {
  if (bytes.length > MAX_IDENTITY_BYTES) throw new PqHandshakeError('ERR_PQ_MALFORMED', `identity of ${bytes.length} bytes (at most ${MAX_IDENTITY_BYTES})`);
  let at = 0;
  const take = (n: number, what: string): Uint8Array => {
    if (at + n > bytes.length) throw new PqHandshakeError('ERR_PQ_MALFORMED', `identity ends inside its ${what}`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const byte = (what: string): number => take(1, what)[0] as number;
  const signingPublicKey = take(ML_DSA_65.publicKey, 'ML-DSA public key');
  const keyLength = byte('libp2p key length');
  if (keyLength !== LIBP2P_ED25519_KEY_BYTES) throw new PqHandshakeError('ERR_PQ_KEY_TYPE', 'the libp2p key must be Ed25519');
  const libp2pPublicKey = take(keyLength, 'libp2p key');
  const count = byte('muxer count');
  if (count > MAX_MUXERS) throw new PqHandshakeError('ERR_PQ_MALFORMED', `${count} muxers offered (at most ${MAX_MUXERS})`);
  const muxers: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = byte('muxer length');
    if (length === 0 || length > MAX_MUXER_NAME_BYTES) throw new PqHandshakeError('ERR_PQ_MALFORMED', `muxer id of ${length} bytes`);
    try {
      muxers.push(decoder.decode(take(length, 'muxer id')));
    } catch (err) {
      if (err instanceof PqHandshakeError) throw err;
      throw new PqHandshakeError('ERR_PQ_MALFORMED', 'muxer id is not UTF-8');
    }
  }
  const claimBytes = bytes.subarray(0, at);
  const signature = take(ML_DSA_65.signature, 'ML-DSA signature');
  const libp2pSignature = take(LIBP2P_ED25519_SIGNATURE_BYTES, 'libp2p signature');
  if (at !== bytes.length) throw new PqHandshakeError('ERR_PQ_MALFORMED', `${bytes.length - at} bytes after the identity`);
  return { block: { signingPublicKey, libp2pPublicKey, muxers, signature, libp2pSignature }, claimBytes };
}
