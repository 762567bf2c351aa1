import { ML_DSA_65 } from '../crypto/index.ts';
import { compareIds, VERTEX_LIMITS } from '../dag/index.ts';
import { BUNDLE_LIMITS } from './limits.ts';

/** Frame types of the plaintext stream (docs/BUNDLE.md "Frames"). */
export const FRAME = Object.freeze({
  open: 0x01,
  key: 0x02,
  marker: 0x03,
  vertex: 0x04,
  snapshot: 0x05,
  signature: 0x7f,
});
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

/** type u8 ‖ body length u32 big-endian. */
export const FRAME_HEADER_BYTES = 5;
export const TOPIC_BYTES = VERTEX_LIMITS.topicBytes;
export const ID_BYTES = VERTEX_LIMITS.idBytes;
/** topic (16) ‖ sealing (1) before a snapshot frame's data. */
export const SNAPSHOT_HEADER_BYTES = TOPIC_BYTES + 1;
/** format u8 ‖ created u64 (ms since the epoch) ‖ device ML-DSA-65 public key. */
export const OPEN_BODY_BYTES = 1 + 8 + ML_DSA_65.publicKey;
export const OPEN_FORMAT = 1;

/** Why a frame header is unacceptable, or undefined. Checked before the body is allocated. */
export function frameLengthProblem(type: number, length: number): string | undefined {
  switch (type) {
    case FRAME.open:
      return length === OPEN_BODY_BYTES ? undefined : `an open frame is ${OPEN_BODY_BYTES} bytes, not ${length}`;
    case FRAME.key:
      return length === ML_DSA_65.publicKey ? undefined : `a key frame is ${ML_DSA_65.publicKey} bytes, not ${length}`;
    case FRAME.marker: {
      const ids = (length - TOPIC_BYTES - 4) / ID_BYTES;
      return Number.isInteger(ids) && ids >= 0 && ids <= BUNDLE_LIMITS.maxMarkerIds ? undefined : `a marker frame of ${length} bytes is not a topic and up to ${BUNDLE_LIMITS.maxMarkerIds} ids`;
    }
    case FRAME.vertex:
      return length >= 1 && length <= BUNDLE_LIMITS.maxVertexBytes ? undefined : `a vertex frame of ${length} bytes is outside 1..${BUNDLE_LIMITS.maxVertexBytes}`;
    case FRAME.snapshot:
      return length > SNAPSHOT_HEADER_BYTES && length <= SNAPSHOT_HEADER_BYTES + BUNDLE_LIMITS.maxSnapshotBytes ? undefined : `a snapshot frame of ${length} bytes is outside its limits`;
    case FRAME.signature:
      return length === BUNDLE_LIMITS.signatureBytes ? undefined : `a signature frame is ${BUNDLE_LIMITS.signatureBytes} bytes, not ${length}`;
    default:
      return `unknown frame type 0x${type.toString(16).padStart(2, '0')}`;
  }
}

export function encodeFrame(type: FrameType, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, body.length);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

export interface OpenFrame {
  readonly created: number;
  readonly devicePublicKey: Uint8Array;
}

export function encodeOpen(open: OpenFrame): Uint8Array {
  const body = new Uint8Array(OPEN_BODY_BYTES);
  body[0] = OPEN_FORMAT;
  new DataView(body.buffer).setBigUint64(1, BigInt(open.created));
  body.set(open.devicePublicKey, 9);
  return body;
}

export function decodeOpen(body: Uint8Array): OpenFrame | string {
  if (body[0] !== OPEN_FORMAT) return `open frame format ${body[0]} is unknown`;
  const created = new DataView(body.buffer, body.byteOffset, body.byteLength).getBigUint64(1);
  if (created > BigInt(Number.MAX_SAFE_INTEGER)) return 'open frame time is out of range';
  return { created: Number(created), devicePublicKey: body.slice(9) };
}

/** A topic's frontier as the exporter held it: what the receiver will then have. */
export interface Marker {
  readonly topic: Uint8Array;
  readonly frontier: readonly Uint8Array[];
}

export function encodeMarker(marker: Marker): Uint8Array {
  const body = new Uint8Array(TOPIC_BYTES + 4 + ID_BYTES * marker.frontier.length);
  body.set(marker.topic, 0);
  new DataView(body.buffer).setUint32(TOPIC_BYTES, marker.frontier.length);
  marker.frontier.forEach((id, i) => body.set(id, TOPIC_BYTES + 4 + i * ID_BYTES));
  return body;
}

/** Checks count and order (ascending, unique); the length was checked with the header. */
export function decodeMarker(body: Uint8Array): Marker | string {
  const count = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(TOPIC_BYTES);
  if (TOPIC_BYTES + 4 + count * ID_BYTES !== body.length) return `marker frame says ${count} ids but holds ${(body.length - TOPIC_BYTES - 4) / ID_BYTES}`;
  const frontier: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const id = body.slice(TOPIC_BYTES + 4 + i * ID_BYTES, TOPIC_BYTES + 4 + (i + 1) * ID_BYTES);
    const prev = frontier[i - 1];
    if (prev !== undefined && compareIds(prev, id) >= 0) return 'marker ids are not ascending and unique';
    frontier.push(id);
  }
  return { topic: body.slice(0, TOPIC_BYTES), frontier };
}
