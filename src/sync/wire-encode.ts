import { ByteWriter, utf8, varintSize } from '../crypto/index.ts';
import { writeAuthorKey } from './author-key-wire.ts';
import { SYNC_LIMITS, SYNC_VERSION, SYNC_VERSIONS } from './limits.ts';
import type { SyncFailureCode } from './errors.ts';
import { FAILURE_WIRE_CODE, FRAME_FLAG, FRAME_KIND, MODE_CODE, RANGE_MODE, RECORD_TYPE, type Bound, type Frame, type FrameFlags, type FrameHeader, type SyncRecord } from './wire.ts';

function flagsByte(f: FrameFlags): number {
  return (f.more ? FRAME_FLAG.more : 0) | (f.await ? FRAME_FLAG.await : 0) | (f.owe ? FRAME_FLAG.owe : 0);
}

/** A count, then fixed-size items (ids, author ids) back to back. */
function writeFixed(w: ByteWriter, items: readonly Uint8Array[]): void {
  w.varint(items.length);
  for (const item of items) w.bytes(item);
}

function writeBound(w: ByteWriter, b: Bound): void {
  // Clocks start at 1, so 0 is free to mean "the end of the order".
  w.varint(b.lamport === Infinity ? 0 : b.lamport);
  w.u8(b.prefix.length);
  w.bytes(b.prefix);
}

/** Appends one record. */
export function writeRecord(w: ByteWriter, record: SyncRecord): void {
  switch (record.type) {
    case 'frontier':
      w.u8(RECORD_TYPE.frontier);
      w.bytes(record.topic);
      w.varint(record.count);
      w.u8(record.tooWide ? 1 : 0);
      writeFixed(w, record.ids);
      return;
    case 'base':
      w.u8(RECORD_TYPE.base);
      w.bytes(record.topic);
      w.bytes(record.digest);
      return;
    case 'summary':
      w.u8(RECORD_TYPE.summary);
      w.u8((record.after !== undefined ? 1 : 0) | (record.upTo !== undefined ? 2 : 0));
      if (record.after !== undefined) w.bytes(record.after);
      if (record.upTo !== undefined) w.bytes(record.upTo);
      w.varint(record.entries.length);
      for (const e of record.entries) {
        w.bytes(e.topic);
        w.bytes(e.digest);
        w.u8(e.base !== undefined ? 1 : 0);
        if (e.base !== undefined) w.bytes(e.base);
      }
      return;
    case 'ranges':
      w.u8(RECORD_TYPE.ranges);
      w.bytes(record.topic);
      w.varint(record.ranges.length);
      for (const r of record.ranges) {
        writeBound(w, r.upper);
        w.u8(RANGE_MODE[r.mode]);
        if (r.mode === 'fingerprint') {
          w.varint(r.count);
          w.bytes(r.fingerprint);
        } else if (r.mode === 'ids') writeFixed(w, r.ids);
      }
      return;
    case 'want':
      w.u8(RECORD_TYPE.want);
      w.bytes(record.topic);
      writeFixed(w, record.ids);
      return;
    case 'vertices':
      w.u8(RECORD_TYPE.vertices);
      w.bytes(record.topic);
      w.varint(record.vertices.length);
      for (const v of record.vertices) {
        w.varint(v.length);
        w.bytes(v);
      }
      return;
    case 'covered':
      w.u8(RECORD_TYPE.covered);
      w.bytes(record.topic);
      return;
    case 'not-carried':
      w.u8(RECORD_TYPE.notCarried);
      w.bytes(record.topic);
      return;
    case 'key-want':
      w.u8(RECORD_TYPE.keyWant);
      writeFixed(w, record.authors);
      return;
    case 'keys':
      w.u8(RECORD_TYPE.keys);
      w.varint(record.keys.length);
      for (const k of record.keys) writeAuthorKey(w, k);
      return;
    case 'courier-bound':
      w.u8(RECORD_TYPE.courierBound);
      w.bytes(record.upTo);
      return;
  }
}

/** Exact size of a VERTICES record, so the flight builder writes its bytes (up to a frame's worth) once, straight into their frame. */
export function verticesRecordSize(record: Extract<SyncRecord, { type: 'vertices' }>): number {
  let size = 1 + record.topic.length + varintSize(record.vertices.length);
  for (const v of record.vertices) size += varintSize(v.length) + v.length;
  return size;
}

/** The bytes of one record (the flight builder packs these into frames). */
export function encodeRecord(record: SyncRecord): Uint8Array {
  const w = new ByteWriter(64);
  writeRecord(w, record);
  return w.finish();
}

/** Bytes `writeFrameHeader` writes for `frame`. */
export function frameHeaderSize(frame: FrameHeader): number {
  let size = 3;
  if (frame.kind === 'hello') size += 1;
  if (frame.kind === 'hello' || frame.kind === 'welcome') {
    const filter = frame.authorFilter?.length ?? 0;
    size += frame.nonce.length + varintSize(filter) + filter;
  }
  return size;
}

/** Frame header: version ‖ kind ‖ flags, then the hello / welcome fields. */
export function writeFrameHeader(w: ByteWriter, frame: FrameHeader, version = SYNC_VERSION): void {
  w.u8(version);
  w.u8(FRAME_KIND[frame.kind]);
  w.u8(flagsByte(frame));
  if (frame.kind === 'hello') w.u8(MODE_CODE[frame.mode]);
  if (frame.kind === 'hello' || frame.kind === 'welcome') {
    w.bytes(frame.nonce);
    const filter = frame.authorFilter;
    w.varint(filter === undefined ? 0 : filter.length);
    if (filter !== undefined) w.bytes(filter);
  }
}

/** The bytes of a whole frame. */
export function encodeFrame(frame: Frame, version = SYNC_VERSION): Uint8Array {
  const w = new ByteWriter();
  writeFrameHeader(w, frame, version);
  for (const r of frame.records) writeRecord(w, r);
  return w.finish();
}

/**
 * An ERROR frame. Its layout is the same in every wire version so that any version can read it:
 * u8 version ‖ 0xff ‖ u8 code ‖ u8 n ‖ n supported versions (u8 each) ‖ u8 length ‖ UTF-8 detail.
 */
export function encodeErrorFrame(code: SyncFailureCode, detail: string, supported: readonly number[] = SYNC_VERSIONS): Uint8Array {
  let text = utf8(detail);
  if (text.length > SYNC_LIMITS.maxErrorDetailBytes) text = utf8(detail.slice(0, SYNC_LIMITS.maxErrorDetailBytes / 4));
  const w = new ByteWriter(8 + supported.length + text.length);
  w.u8(SYNC_VERSION);
  w.u8(FRAME_KIND.error);
  w.u8(FAILURE_WIRE_CODE[code]);
  w.u8(supported.length);
  for (const v of supported) w.u8(v);
  w.u8(text.length);
  w.bytes(text);
  return w.finish();
}
