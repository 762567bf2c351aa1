import * as dagCbor from '@ipld/dag-cbor';
import { cborScanProblem, type CborScanLimits, type CborScanProblem } from './cbor-scan.ts';

/** What `decodeBoundedCbor` gives: the decoded value, or why the bytes are not one acceptable item. */
export type BoundedCbor = { readonly ok: true; readonly value: unknown } | ({ readonly ok: false } & CborScanProblem);

/**
 * Every decoder of untrusted DAG-CBOR goes through here: the framing is checked first (depth,
 * lengths; nothing allocated), and only then does the generic decoder run, so it cannot be made
 * to recurse or allocate beyond `limits`. Never throws; the caller judges the shape.
 */
export function decodeBoundedCbor(bytes: Uint8Array, limits: CborScanLimits): BoundedCbor {
  const framing = cborScanProblem(bytes, limits);
  if (framing !== undefined) return { ok: false, reason: framing.reason, detail: `not CBOR: ${framing.detail}` };
  try {
    return { ok: true, value: dagCbor.decode(bytes) };
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: `not DAG-CBOR: ${(error as Error).message.slice(0, 120)}` };
  }
}

/** True when `map` has every key of `required` and no key outside `required` and `optional` (stops at the first stray key). */
export function hasExactKeys(map: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): boolean {
  let n = 0;
  for (const key in map) {
    if (required.includes(key)) n++;
    else if (!optional.includes(key)) return false;
  }
  return n === required.length;
}
