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

/** Growable byte buffer for canonical snapshot bytes. */
export class StateWriter {
  #buf = new Uint8Array(64);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  /** Unsigned LEB128 of a safe integer. */
  uint(n: number): void {
    this.#reserve(8);
    let rest = n;
    while (rest >= 0x80) {
      this.#buf[this.#len++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#buf[this.#len++] = rest;
  }

  /** Unsigned LEB128 of a non-negative bigint. */
  bigUint(n: bigint): void {
    let rest = n;
    while (rest >= 0x80n) {
      this.byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.byte(Number(rest));
  }

  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** Length-prefixed byte string. */
  bytes(bytes: Uint8Array): void {
    this.uint(bytes.length);
    this.raw(bytes);
  }

  /** IEEE 754 binary64, big-endian. */
  f64(n: number): void {
    this.#reserve(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#len, 8).setFloat64(0, n, false);
    this.#len += 8;
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
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
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 8) throw new SnapshotStop('malformed', `${what} is longer than 8 bytes`);
      const b = this.byte(what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new SnapshotStop('malformed', `${what} is not in its shortest form`);
        break;
      }
      scale *= 0x80;
    }
    if (value > max) throw new SnapshotStop(tooLarge, `${what} is above ${max}`);
    return value;
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  if (!sameBytes(encode(state), bytes)) return crdtReject('malformed', 'snapshot is not in canonical form');
  return crdtOk(state);
}
