import { ByteWriter } from '../crypto/index.ts';
import { VERTEX_LIMITS, type AuthorKey } from '../dag/index.ts';
import { authorKeyWireBytes, MAX_AUTHOR_KEY_WIRE_BYTES, readAuthorKey, writeAuthorKey } from './author-key-wire.ts';
import { SyncDecodeFailure } from './errors.ts';
import { SYNC_LIMITS } from './limits.ts';
import { ByteReader } from './wire-bytes.ts';

/*
 * Wire form of push-gossip messages (docs/PROTOCOL.md, "Push gossip and anti-entropy"):
 *
 *   u8 version (= 1) ‖ u8 type ‖ body
 *
 *   PUSH  (1)  id (32) ‖ vertex bytes        eager forward along the broadcast tree
 *   REPLY (2)  id (32) ‖ vertex bytes        answer to IWANT / GRAFT (never causes a PRUNE)
 *   IHAVE (3)  u16 count ‖ count × id (32)   lazy announcement
 *   IWANT (4)  u16 count ‖ count × id (32)   request, link mode unchanged
 *   GRAFT (5)  u16 count ‖ count × id (32)   request that also makes the link eager
 *   PRUNE (6)  (empty)                       make the link lazy
 *   PUSH_KEYED (7), REPLY_KEYED (8)
 *              id (32) ‖ author key ‖ vertex bytes
 *                                            PUSH / REPLY with the author's public key, for a
 *                                            peer that may not hold it yet; the key is encoded
 *                                            as in a sync KEYS record (author-key-wire.ts)
 *
 * The decoder checks the length against the limits before it copies anything and returns a typed
 * rejection, never throws.
 */

export const GOSSIP_VERSION = 1;

export const GOSSIP_TYPES = Object.freeze({ push: 1, reply: 2, ihave: 3, iwant: 4, graft: 5, prune: 6, pushKeyed: 7, replyKeyed: 8 });

export const GOSSIP_WIRE_LIMITS = Object.freeze({
  /** Ids in one IHAVE. */
  maxAnnounceIds: 1024,
  /** Ids in one IWANT or GRAFT: each may be answered with a vertex of up to 72 KiB. */
  maxRequestIds: 256,
  /** Longest key algorithm label in a keyed PUSH or REPLY (as in a sync KEYS record). */
  maxAlgorithmBytes: SYNC_LIMITS.maxAlgorithmBytes,
  /** Largest author public key in a keyed PUSH or REPLY (as in a sync KEYS record). */
  maxKeyBytes: SYNC_LIMITS.maxKeyBytes,
  /** Largest message: a keyed PUSH or REPLY of the largest vertex, with the largest key. */
  maxMessageBytes: 2 + VERTEX_LIMITS.idBytes + MAX_AUTHOR_KEY_WIRE_BYTES + VERTEX_LIMITS.maxVertexBytes,
});

const ID = VERTEX_LIMITS.idBytes;

/**
 * A PUSH or REPLY. `authorKey`, when present, is the vertex author's public key, sent along to a
 * peer that may not hold it (the keyed types on the wire); the receiver checks that it is the key
 * of the vertex's author before it keeps it.
 */
export interface GossipVertexMessage {
  readonly type: 'push' | 'reply';
  readonly id: Uint8Array;
  readonly vertex: Uint8Array;
  readonly authorKey?: AuthorKey;
}

export type GossipMessage =
  | GossipVertexMessage
  | { readonly type: 'ihave' | 'iwant' | 'graft'; readonly ids: Uint8Array[] }
  | { readonly type: 'prune' };

export type GossipWireRejectionReason =
  | 'empty'
  | 'unknown-version'
  | 'unknown-type'
  | 'truncated'
  | 'too-long'
  | 'too-many-ids'
  | 'no-ids'
  | 'bad-length'
  | 'bad-key';

export interface GossipWireRejection {
  readonly ok: false;
  readonly reason: GossipWireRejectionReason;
  readonly detail: string;
}

export type GossipDecodeResult = { readonly ok: true; readonly message: GossipMessage } | GossipWireRejection;

function refuse(reason: GossipWireRejectionReason, detail: string): GossipWireRejection {
  return { ok: false, reason, detail };
}

/** Encodes a message; ids and vertices are trusted local values (the caller holds them). */
export function encodeGossip(message: GossipMessage): Uint8Array {
  switch (message.type) {
    case 'push':
    case 'reply': {
      const key = message.authorKey;
      if (key !== undefined) {
        const w = new ByteWriter(2 + ID + authorKeyWireBytes(key) + message.vertex.length);
        w.u8(GOSSIP_VERSION);
        w.u8(message.type === 'push' ? GOSSIP_TYPES.pushKeyed : GOSSIP_TYPES.replyKeyed);
        w.bytes(message.id);
        writeAuthorKey(w, key);
        w.bytes(message.vertex);
        return w.finish();
      }
      const out = new Uint8Array(2 + ID + message.vertex.length);
      out[0] = GOSSIP_VERSION;
      out[1] = GOSSIP_TYPES[message.type];
      out.set(message.id, 2);
      out.set(message.vertex, 2 + ID);
      return out;
    }
    case 'ihave':
    case 'iwant':
    case 'graft': {
      const n = message.ids.length;
      const out = new Uint8Array(4 + n * ID);
      out[0] = GOSSIP_VERSION;
      out[1] = GOSSIP_TYPES[message.type];
      out[2] = n >>> 8;
      out[3] = n & 0xff;
      for (let i = 0; i < n; i++) out.set(message.ids[i] as Uint8Array, 4 + i * ID);
      return out;
    }
    case 'prune':
      return Uint8Array.of(GOSSIP_VERSION, GOSSIP_TYPES.prune);
  }
}

/**
 * Strict decoder: version, type, exact lengths and counts are checked before any id or vertex is
 * sliced. Ids and vertex bytes are views into `bytes` (no copies); the caller must not mutate it.
 */
export function decodeGossip(bytes: Uint8Array): GossipDecodeResult {
  if (bytes.length === 0) return refuse('empty', 'empty message');
  if (bytes.length > GOSSIP_WIRE_LIMITS.maxMessageBytes) {
    return refuse('too-long', `message is ${bytes.length} bytes, limit ${GOSSIP_WIRE_LIMITS.maxMessageBytes}`);
  }
  if (bytes[0] !== GOSSIP_VERSION) return refuse('unknown-version', `gossip version ${bytes[0]}, this node speaks ${GOSSIP_VERSION}`);
  if (bytes.length < 2) return refuse('truncated', 'no message type');
  const type = bytes[1] as number;
  switch (type) {
    case GOSSIP_TYPES.push:
    case GOSSIP_TYPES.reply: {
      if (bytes.length <= 2 + ID) return refuse('truncated', `vertex message of ${bytes.length} bytes has no vertex`);
      return {
        ok: true,
        message: { type: type === GOSSIP_TYPES.push ? 'push' : 'reply', id: bytes.subarray(2, 2 + ID), vertex: bytes.subarray(2 + ID) },
      };
    }
    case GOSSIP_TYPES.pushKeyed:
    case GOSSIP_TYPES.replyKeyed:
      return decodeKeyed(bytes, type === GOSSIP_TYPES.pushKeyed ? 'push' : 'reply');
    case GOSSIP_TYPES.ihave:
    case GOSSIP_TYPES.iwant:
    case GOSSIP_TYPES.graft: {
      if (bytes.length < 4) return refuse('truncated', 'id list without a count');
      const n = ((bytes[2] as number) << 8) | (bytes[3] as number);
      const max = type === GOSSIP_TYPES.ihave ? GOSSIP_WIRE_LIMITS.maxAnnounceIds : GOSSIP_WIRE_LIMITS.maxRequestIds;
      if (n === 0) return refuse('no-ids', 'id list is empty');
      if (n > max) return refuse('too-many-ids', `${n} ids, limit ${max}`);
      if (bytes.length !== 4 + n * ID) {
        return refuse(bytes.length < 4 + n * ID ? 'truncated' : 'bad-length', `${n} ids need ${4 + n * ID} bytes, got ${bytes.length}`);
      }
      const ids: Uint8Array[] = new Array<Uint8Array>(n);
      for (let i = 0; i < n; i++) ids[i] = bytes.subarray(4 + i * ID, 4 + (i + 1) * ID);
      const name = type === GOSSIP_TYPES.ihave ? 'ihave' : type === GOSSIP_TYPES.iwant ? 'iwant' : 'graft';
      return { ok: true, message: { type: name, ids } };
    }
    case GOSSIP_TYPES.prune:
      if (bytes.length !== 2) return refuse('bad-length', `PRUNE has no body, got ${bytes.length} bytes`);
      return { ok: true, message: { type: 'prune' } };
    default:
      return refuse('unknown-type', `gossip message type ${type}`);
  }
}

/** The keyed PUSH or REPLY in `bytes` (its type byte already read): every length checked first. */
function decodeKeyed(bytes: Uint8Array, type: 'push' | 'reply'): GossipDecodeResult {
  const r = new ByteReader(bytes, 2 + ID);
  let authorKey: AuthorKey;
  try {
    authorKey = readAuthorKey(r);
  } catch (error) {
    if (!(error instanceof SyncDecodeFailure)) throw error;
    return refuse(error.code === 'truncated' ? 'truncated' : 'bad-key', error.detail);
  }
  if (r.remaining === 0) return refuse('truncated', `keyed vertex message of ${bytes.length} bytes has no vertex`);
  return { ok: true, message: { type, id: bytes.subarray(2, 2 + ID), vertex: bytes.subarray(r.pos), authorKey } };
}
