import { SyncDecodeFailure } from './errors.ts';

/** Largest varint value: 2^53 - 1, so every value is exact in JavaScript. */
const MAX_VARINT = Number.MAX_SAFE_INTEGER;

/** Appends bytes to a growing buffer; varints are unsigned LEB128 in their shortest form. */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
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

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    this.#room(8);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
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

/**
 * Strict reader of received bytes: every read checks the remaining length first, counts are
 * checked against their limit before anything is allocated, and varints must be minimal.
 * Failures are thrown as SyncDecodeFailure and turned into values at the session boundary.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.bytes.length - this.pos) throw new SyncDecodeFailure('truncated', `input ends inside ${what}`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++] as number;
  }

  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i >= 8) throw new SyncDecodeFailure('malformed', `${what}: varint longer than 8 bytes`);
      const b = this.u8(what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new SyncDecodeFailure('non-canonical', `${what}: varint not in its shortest form`);
        break;
      }
      scale *= 0x80;
    }
    if (value > MAX_VARINT) throw new SyncDecodeFailure('malformed', `${what}: varint above 2^53 - 1`);
    return value;
  }

  /** A count, refused above `max` before the caller allocates anything for it. */
  count(what: string, max: number): number {
    const n = this.varint(what);
    if (n > max) throw new SyncDecodeFailure('limit-exceeded', `${what}: ${n}, limit ${max}`);
    return n;
  }

  /** `n` bytes as a view into the input (no copy). */
  view(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `n` bytes copied out of the input, for values the session keeps. */
  copy(n: number, what: string): Uint8Array {
    return Uint8Array.from(this.view(n, what));
  }
}
