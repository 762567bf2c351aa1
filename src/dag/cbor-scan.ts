/**
 * A structural pass over CBOR bytes that allocates nothing: it walks the item heads with an
 * explicit stack and reports the first problem. Generic decoders recurse once per nesting level
 * and size arrays from their headers, so a 60 KiB payload of nested one-element arrays overflows
 * the call stack; running this first bounds depth and item counts before any decoder sees the
 * bytes. It checks framing only (exactly one well-formed, definite-length item); what the item
 * means is the decoder's business.
 */
export interface CborScanLimits {
  /** Deepest nesting of arrays, maps and tags; the top-level item is depth 0. */
  readonly maxDepth: number;
}

/** Whether `value` is what a CBOR decoder gives for a map: a plain object. */
export function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What is wrong with the bytes: too deep for the limits (`limit`), or not well-formed CBOR. */
export interface CborScanProblem {
  readonly reason: 'limit' | 'malformed';
  readonly detail: string;
}

const malformed = (detail: string): CborScanProblem => ({ reason: 'malformed', detail });

/** Why `bytes` is not exactly one acceptable CBOR item, or undefined if it is. */
export function cborScanProblem(bytes: Uint8Array, limits: CborScanLimits): CborScanProblem | undefined {
  // remaining[i]: items still to read in the i-th open container; remaining[0] is the top level.
  const remaining: number[] = [1];
  let pos = 0;
  while (remaining.length > 0) {
    const top = remaining.length - 1;
    if (remaining[top] === 0) {
      remaining.pop();
      continue;
    }
    remaining[top] = (remaining[top] as number) - 1;
    if (pos >= bytes.length) return malformed(`input ends at byte ${bytes.length} inside an item`);
    const initial = bytes[pos++] as number;
    const major = initial >> 5;
    const info = initial & 0x1f;
    let value: number;
    if (info < 24) {
      value = info;
    } else if (info <= 27) {
      const size = 1 << (info - 24);
      if (pos + size > bytes.length) return malformed(`input ends at byte ${bytes.length} inside a head`);
      value = 0;
      for (let i = 0; i < size; i++) value = value * 256 + (bytes[pos++] as number);
    } else if (info === 31) {
      return malformed('indefinite-length item');
    } else {
      return malformed(`reserved additional info ${info}`);
    }
    switch (major) {
      case 0:
      case 1:
        break;
      case 2:
      case 3:
        // Compared against what is left, so an absurd length never reaches an allocation.
        if (value > bytes.length - pos) return malformed(`string of ${value} bytes with ${bytes.length - pos} left`);
        pos += value;
        break;
      case 4:
      case 5: {
        const items = major === 5 ? value * 2 : value;
        // Every item takes at least one byte.
        if (items > bytes.length - pos) return malformed(`container of ${items} items with ${bytes.length - pos} bytes left`);
        if (items > 0) {
          if (remaining.length > limits.maxDepth) return { reason: 'limit', detail: `nesting deeper than ${limits.maxDepth}` };
          remaining.push(items);
        }
        break;
      }
      case 6:
        if (remaining.length > limits.maxDepth) return { reason: 'limit', detail: `nesting deeper than ${limits.maxDepth}` };
        remaining.push(1);
        break;
      default:
        // Major 7: simple values and floats; for 1-byte simple values and floats the head
        // already consumed the payload bytes.
        break;
    }
  }
  if (pos !== bytes.length) return malformed(`${bytes.length - pos} bytes after the item`);
  return undefined;
}
