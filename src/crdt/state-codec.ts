import { ByteWriter, equalBytes, readVarint } from '../crypto/index.ts';
import type { CrdtTypeName } from './crdt-type.ts';
import { crdtOk, crdtReject, type CrdtRejectionReason, type CrdtResult } from './errors.ts';

/*
 * Snapshot bytes of the counters, sets and registers: a two-byte header (type code, format
 * version) and a body of unsigned LEB128 integers, fixed-size ids, length-prefixed byte strings
 * and scalars, with every collection sorted. A decoder reads with explicit limits (each count is
 * checked against its limit and against the bytes left before anything is allocated), then
 * re-encodes what it read and accepts the input only if the bytes are the same: one state has
 * exactly one encoding, so snapshots can be compared and hashed as bytes.
 */

/** Snapshot type codes (first byte). Wire values: never reuse one. */
export const SNAPSHOT_TYPE_CODES: Readonly<Record<CrdtTypeName, number>> = Object.freeze({
  'g-counter': 1,
  'pn-counter': 2,
  'g-set': 3,
  'or-set': 4,
  'lww-register': 5,
  'mv-register': 6,
  rga: 7,
});

/** The only snapshot format version this code reads and writes (second byte). */
export const SNAPSHOT_FORMAT_VERSION = 1;

/**
 * Writer of snapshot bodies, in the names the snapshot readers use: `bytes` is length-prefixed
 * here, `raw` writes bytes as they are. The buffer and varints are the shared ByteWriter's.
 */
export class StateWriter {
  readonly #out = new ByteWriter(64);

  byte(b: number): void {
    this.#out.u8(b);
  }

  /** Unsigned LEB128 of a safe integer. */
  uint(n: number): void {
    this.#out.varint(n);
  }

  /** Unsigned LEB128 of a non-negative bigint. */
  bigUint(n: bigint): void {
    this.#out.bigVarint(n);
  }

  raw(bytes: Uint8Array): void {
    this.#out.bytes(bytes);
  }

  /** Length-prefixed byte string. */
  bytes(bytes: Uint8Array): void {
    this.#out.varint(bytes.length);
    this.#out.bytes(bytes);
  }

  /** IEEE 754 binary64, big-endian. */
  f64(n: number): void {
    this.#out.f64(n);
  }

  finish(): Uint8Array {
    return this.#out.finish();
  }
}

/** A writer that has already written the snapshot header of `type`. */
export function snapshotWriter(type: CrdtTypeName): StateWriter {
  const w = new StateWriter();
  w.byte(SNAPSHOT_TYPE_CODES[type]);
  w.byte(SNAPSHOT_FORMAT_VERSION);
  return w;
}

/** Thrown inside a snapshot decoder to stop at the first problem; never escapes `decodeSnapshot`. */
export class SnapshotStop {
  readonly reason: CrdtRejectionReason;
  readonly detail: string;
  constructor(reason: CrdtRejectionReason, detail: string) {
    this.reason = reason;
    this.detail = detail;
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` read from a snapshot as strict UTF-8 (no BOM stripped); invalid UTF-8 stops the decoder. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new SnapshotStop('malformed', `${what} is not valid UTF-8`);
  }
}

/** Strict reader of snapshot bodies: every read is bounds-checked, every count limited. */
export class StateReader {
  readonly #bytes: Uint8Array;
  #pos: number;

  constructor(bytes: Uint8Array, start = 0) {
    this.#bytes = bytes;
    this.#pos = start;
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  #need(n: number, what: string): void {
    if (n > this.remaining) throw new SnapshotStop('malformed', `snapshot ends inside ${what}`);
  }

  byte(what: string): number {
    this.#need(1, what);
    return this.#bytes[this.#pos++] as number;
  }

  /** Unsigned LEB128 in its shortest form, at most `max` (≤ 2^53 − 1). */
  uint(what: string, max: number, tooLarge: CrdtRejectionReason = 'malformed'): number {
    const r = readVarint(this.#bytes, this.#pos);
    if (!r.ok) {
      if (r.problem === 'truncated') throw new SnapshotStop('malformed', `snapshot ends inside ${what}`);
      if (r.problem === 'too-long') throw new SnapshotStop('malformed', `${what} is longer than 8 bytes`);
      if (r.problem === 'non-canonical') throw new SnapshotStop('malformed', `${what} is not in its shortest form`);
      throw new SnapshotStop(tooLarge, `${what} is above ${max}`);
    }
    if (r.value > max) throw new SnapshotStop(tooLarge, `${what} is above ${max}`);
    this.#pos = r.end;
    return r.value;
  }

  /** Unsigned LEB128 bigint in its shortest form, at most `max` (≤ 2^70 − 1). */
  bigUint(what: string, max: bigint): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i === 10) throw new SnapshotStop('malformed', `${what} is longer than 10 bytes`);
      const b = this.byte(what);
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new SnapshotStop('malformed', `${what} is not in its shortest form`);
        break;
      }
      shift += 7n;
    }
    if (value > max) throw new SnapshotStop('limit', `${what} is above ${max}`);
    return value;
  }

  /**
   * A count of items that each take at least `minBytes` bytes: refused above `max` (`limit`) or
   * when the bytes left cannot hold that many items (`malformed`), before any item is read.
   */
  count(what: string, max: number, minBytes: number): number {
    const n = this.uint(what, max, 'limit');
    if (n * minBytes > this.remaining) throw new SnapshotStop('malformed', `${what} ${n} does not fit in ${this.remaining} bytes`);
    return n;
  }

  /** `n` bytes, copied out of the input (into a plain Uint8Array even when the input is a Buffer, whose slice is a view). */
  fixed(what: string, n: number): Uint8Array {
    this.#need(n, what);
    const out = new Uint8Array(this.#bytes.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return out;
  }

  /** A length-prefixed byte string of at most `max` bytes, copied out of the input. */
  bytes(what: string, max: number): Uint8Array {
    const n = this.uint(`${what} length`, max, 'limit');
    return this.fixed(what, n);
  }

  f64(what: string): number {
    this.#need(8, what);
    const n = new DataView(this.#bytes.buffer, this.#bytes.byteOffset + this.#pos, 8).getFloat64(0, false);
    this.#pos += 8;
    return n;
  }

  end(): void {
    if (this.remaining !== 0) throw new SnapshotStop('malformed', `${this.remaining} bytes after the snapshot`);
  }
}

/**
 * Decodes a snapshot of `type`: checks the header, reads the body with `read`, requires the
 * input to end there and to be exactly the canonical encoding of what was read. A snapshot of
 * another type is `wrong-type`; anything else that does not fit is `malformed` or `limit`.
 */
export function decodeSnapshot<S>(bytes: Uint8Array, type: CrdtTypeName, read: (r: StateReader) => S, encode: (state: S) => Uint8Array): CrdtResult<S> {
  if (!(bytes instanceof Uint8Array)) return crdtReject('malformed', 'snapshot is not a byte array');
  if (bytes.length < 2) return crdtReject('malformed', 'snapshot shorter than its header');
  const code = bytes[0] as number;
  if (code !== SNAPSHOT_TYPE_CODES[type]) {
    const other = Object.values(SNAPSHOT_TYPE_CODES).includes(code);
    return crdtReject(other ? 'wrong-type' : 'malformed', `snapshot type code ${code} is not ${type}`);
  }
  if (bytes[1] !== SNAPSHOT_FORMAT_VERSION) return crdtReject('malformed', `unknown snapshot format version ${bytes[1] as number}`);
  let state: S;
  try {
    const r = new StateReader(bytes, 2);
    state = read(r);
    r.end();
  } catch (e) {
    if (e instanceof SnapshotStop) return crdtReject(e.reason, e.detail);
    throw e;
  }
  if (!equalBytes(encode(state), bytes)) return crdtReject('malformed', 'snapshot is not in canonical form');
  return crdtOk(state);
}
