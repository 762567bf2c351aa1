import { readVarint } from '../crypto/index.ts';
import { SyncDecodeFailure } from './errors.ts';

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
    const r = readVarint(this.bytes, this.pos);
    if (r.ok) {
      this.pos = r.end;
      return r.value;
    }
    switch (r.problem) {
      case 'truncated':
        throw new SyncDecodeFailure('truncated', `input ends inside ${what}`);
      case 'too-long':
        throw new SyncDecodeFailure('malformed', `${what}: varint longer than 8 bytes`);
      case 'non-canonical':
        throw new SyncDecodeFailure('non-canonical', `${what}: varint not in its shortest form`);
      case 'too-large':
        throw new SyncDecodeFailure('malformed', `${what}: varint above 2^53 - 1`);
    }
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
