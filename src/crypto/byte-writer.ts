/*
 * The byte-level building blocks every binary format of the project shares (sync frames, CRDT
 * snapshots): a growable writer and unsigned LEB128 varints in their shortest form, bounded to
 * 2^53 - 1 so every value is exact in JavaScript. Formats add their own framing on top.
 */

/** Largest varint value. */
export const MAX_VARINT = Number.MAX_SAFE_INTEGER;
/** A varint of MAX_VARINT takes 8 bytes; a longer one is refused before it is summed. */
export const MAX_VARINT_BYTES = 8;

/**
 * Appends to a buffer that doubles as needed; `finish` returns what was written. A writer sized
 * exactly (the caller knows the length) hands over its buffer without a copy: any later write
 * finds it full and moves to a new one, so the returned bytes never change.
 */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initial = 64) {
    this.#buf = new Uint8Array(Math.max(1, initial));
  }

  get length(): number {
    return this.#len;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  u8(value: number): void {
    this.#room(1);
    this.#buf[this.#len++] = value & 0xff;
  }

  /** Unsigned LEB128 of a safe non-negative integer; throws RangeError otherwise (a caller bug). */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    this.#room(MAX_VARINT_BYTES);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  /** Unsigned LEB128 of a non-negative bigint (for values beyond 2^53, such as counter totals). */
  bigVarint(value: bigint): void {
    if (value < 0n) throw new RangeError(`varint out of range: ${value}`);
    let rest = value;
    while (rest >= 0x80n) {
      this.u8(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.u8(Number(rest));
  }

  /** The bytes as they are (no length prefix). */
  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** IEEE 754 binary64, big-endian. */
  f64(value: number): void {
    this.#room(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#len, 8).setFloat64(0, value, false);
    this.#len += 8;
  }

  finish(): Uint8Array {
    if (this.#len === this.#buf.length) return this.#buf;
    return this.#buf.slice(0, this.#len);
  }
}

/** Encoded size of a varint. */
export function varintSize(value: number): number {
  let n = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** Why a varint could not be read; each format maps these onto its own error codes. */
export type VarintProblem = 'truncated' | 'too-long' | 'non-canonical' | 'too-large';

export type VarintRead = { readonly ok: true; readonly value: number; readonly end: number } | { readonly ok: false; readonly problem: VarintProblem };

/** Reads the varint at `pos`: shortest form, at most MAX_VARINT_BYTES bytes, at most MAX_VARINT. */
export function readVarint(bytes: Uint8Array, pos: number): VarintRead {
  let value = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (i >= MAX_VARINT_BYTES) return { ok: false, problem: 'too-long' };
    if (pos + i >= bytes.length) return { ok: false, problem: 'truncated' };
    const b = bytes[pos + i] as number;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) return { ok: false, problem: 'non-canonical' };
      if (value > MAX_VARINT) return { ok: false, problem: 'too-large' };
      return { ok: true, value, end: pos + i + 1 };
    }
    scale *= 0x80;
  }
}
