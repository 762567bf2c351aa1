import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

/** Multicodec of DAG-CBOR, the codec of every vertex. */
export const DAG_CBOR_CODE = 0x71;
/** Multihash code of SHA3-256. */
export const SHA3_256_CODE = 0x16;
/** Binary prefix of a vertex CIDv1: version 1, dag-cbor, sha3-256, 32-byte digest. */
export const VERTEX_CID_PREFIX = Uint8Array.of(0x01, DAG_CBOR_CODE, SHA3_256_CODE, 0x20);

/** The CIDv1 (dag-cbor, sha3-256) of a vertex with this 32-byte id. */
export function vertexCid(id: Uint8Array): CID {
  return CID.create(1, DAG_CBOR_CODE, Digest.create(SHA3_256_CODE, id));
}

/** The text form of a vertex id: its CIDv1 in base32 (`bafy…`-style, as IPFS tooling prints it). */
export function idToString(id: Uint8Array): string {
  return vertexCid(id).toString();
}

/**
 * Parses a vertex CID (text or binary) back to the 32-byte id; returns undefined for anything that
 * is not a CIDv1 with the dag-cbor codec and a 32-byte SHA3-256 digest.
 */
export function parseVertexCid(input: string | Uint8Array): Uint8Array | undefined {
  try {
    const cid = typeof input === 'string' ? CID.parse(input) : CID.decode(input);
    if (cid.version !== 1 || cid.code !== DAG_CBOR_CODE) return undefined;
    if (cid.multihash.code !== SHA3_256_CODE || cid.multihash.digest.length !== 32) return undefined;
    return Uint8Array.from(cid.multihash.digest);
  } catch {
    return undefined;
  }
}
