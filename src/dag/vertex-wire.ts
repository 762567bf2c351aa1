import { VERTEX_CID_PREFIX } from './cid.ts';
import { VERTEX_LIMITS } from './limits.ts';

/*
 * The canonical byte layout of a vertex, as the general parser (codec.ts), the fast path
 * (vertex-scan.ts) and the field layout a verify worker sends back (vertex-layout.ts) all read it.
 */

/** Map keys in canonical order: DAG-CBOR sorts keys by length, then bytes. */
export const FIELD_ORDER = ['sig', 'topic', 'author', 'lamport', 'parents', 'payload', 'version'] as const;

/** Length of a parent link's byte string: multibase identity prefix 0x00, then the binary CID. */
export const LINK_STRING_BYTES = 1 + VERTEX_CID_PREFIX.length + VERTEX_LIMITS.idBytes;

/** What precedes a parent's id in canonical bytes: tag 42, the byte string's head, 0x00, the CID prefix. */
export const LINK_HEAD = Uint8Array.from([0xd8, 0x2a, 0x58, LINK_STRING_BYTES, 0x00, ...VERTEX_CID_PREFIX]);

/** Encoded bytes of one parent link; in a canonical vertex the parent ids sit this far apart. */
export const LINK_BYTES = LINK_HEAD.length + VERTEX_LIMITS.idBytes;
