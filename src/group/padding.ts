import { GroupError, groupOk, groupReject, type GroupResult } from './errors.ts';

/*
 * Group plaintexts are padded to one of a few fixed sizes before encryption, so a ciphertext's
 * length tells an observer only which bucket the message fell in. The padded form is canonical:
 * exactly one padded string per content, so a receiver that accepts it cannot be handed two
 * different encodings of the same message.
 *
 *   u32 big-endian content length ‖ content ‖ zero bytes up to the smallest bucket that fits
 */

/** Padded sizes in bytes, ascending. */
export const PADDING_BUCKETS = [256, 1024, 4096, 16384, 65536] as const;

/** Bytes of the length prefix. */
const LENGTH_BYTES = 4;

/** Largest content that fits the largest bucket. */
export const MAX_CONTENT_BYTES = 65536 - LENGTH_BYTES;

/** The smallest bucket holding `paddedLength` bytes, or undefined when none does. */
export function bucketFor(paddedLength: number): number | undefined {
  for (const bucket of PADDING_BUCKETS) if (bucket >= paddedLength) return bucket;
  return undefined;
}

/** Whether `length` is one of the bucket sizes. */
export function isBucket(length: number): boolean {
  return (PADDING_BUCKETS as readonly number[]).includes(length);
}

/** The canonical padded form of `content`; throws GroupError `ERR_MESSAGE_TOO_LARGE` above MAX_CONTENT_BYTES. */
export function padToBucket(content: Uint8Array): Uint8Array {
  if (!(content instanceof Uint8Array)) throw new GroupError('ERR_GROUP_ARGUMENT', 'content must be a Uint8Array');
  if (content.length > MAX_CONTENT_BYTES) {
    throw new GroupError('ERR_MESSAGE_TOO_LARGE', `content is ${content.length} bytes, limit ${MAX_CONTENT_BYTES}`);
  }
  const bucket = bucketFor(LENGTH_BYTES + content.length) as number;
  // A fresh array is already zero, so only the prefix and the content are written.
  const out = new Uint8Array(bucket);
  const n = content.length;
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 0xff;
  out[2] = (n >>> 8) & 0xff;
  out[3] = n & 0xff;
  out.set(content, LENGTH_BYTES);
  return out;
}

/**
 * The content of a padded plaintext (a view into `padded`, not a copy), or 'bad-padding' unless
 * it is in canonical form: a bucket size, a declared length that fits, no smaller bucket that
 * would have fitted, and zero bytes after the content.
 */
export function unpad(padded: Uint8Array): GroupResult<Uint8Array> {
  const size = padded.length;
  if (!isBucket(size)) return groupReject('bad-padding', `padded length ${size} is not a bucket size`);
  const declared = (((padded[0] as number) << 24) | ((padded[1] as number) << 16) | ((padded[2] as number) << 8) | (padded[3] as number)) >>> 0;
  if (declared > size - LENGTH_BYTES) return groupReject('bad-padding', `declared length ${declared} does not fit ${size} bytes`);
  if (bucketFor(LENGTH_BYTES + declared) !== size) return groupReject('bad-padding', `${declared} bytes belong in a smaller bucket than ${size}`);
  // Padding is checked only after the AEAD verified, so timing here reveals nothing to a forger.
  let nonZero = 0;
  for (let i = LENGTH_BYTES + declared; i < size; i++) nonZero |= padded[i] as number;
  if (nonZero !== 0) return groupReject('bad-padding', 'padding bytes are not zero');
  return groupOk(padded.subarray(LENGTH_BYTES, LENGTH_BYTES + declared));
}
