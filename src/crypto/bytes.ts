import { CryptoInputError } from './errors.ts';

/** Throws unless `value` is a Uint8Array of exactly `length` bytes (or any length when omitted). */
export function assertBytes(value: unknown, length: number | undefined, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CryptoInputError(`${what} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new CryptoInputError(`${what} must be ${length} bytes, got ${value.length}`);
  }
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte equality; time depends only on the length, so it is safe for MACs and secrets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// Node's Buffer encodes hex natively (5-10x faster); browsers take the portable loop.
const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: 'hex'): string } } }).Buffer;

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] as number];
  return s;
}

/** Parses lower- or upper-case hex; throws on odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new CryptoInputError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** UTF-8 encoding of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
