import { isPlainMap } from '../dag/index.ts';
import type { CrdtTypeName } from './crdt-type.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';

/**
 * Every encoded operation is a CBOR map whose `k` field names its kind, `<prefix><verb>` (for
 * example `gc.inc`, `ors.rm`). The prefix says which type the operation belongs to, so an
 * operation fed to another type's `decodeOp` is told apart from garbage: a kind with another
 * known type's prefix is `wrong-type`, a kind with no known prefix is `malformed`. The prefixes
 * are wire values: never change one.
 */
export const OP_KIND_PREFIXES: Readonly<Record<CrdtTypeName, string>> = Object.freeze({
  'g-counter': 'gc.',
  'pn-counter': 'pn.',
  'g-set': 'gs.',
  'or-set': 'ors.',
  'lww-register': 'lww.',
  'mv-register': 'mv.',
  rga: 'rga.',
});

/** Longest kind string any type uses; longer `k` values are refused before they are looked at. */
const MAX_OP_KIND_LENGTH = 32;

const PREFIX_LIST = Object.entries(OP_KIND_PREFIXES) as [CrdtTypeName, string][];

/** The type whose prefix `kind` carries, if any. */
export function typeOfOpKind(kind: string): CrdtTypeName | undefined {
  for (const [type, prefix] of PREFIX_LIST) {
    if (kind.startsWith(prefix)) return type;
  }
  return undefined;
}

/** A decoded operation map: a plain object (what a CBOR decoder gives for a map). */
export type OpFields = Readonly<Record<string, unknown>>;

/**
 * Reads the kind of an encoded operation meant for `type`: the value must be a plain map with a
 * string `k` carrying `type`'s prefix and only the `allowed` fields (plus `k`). Returns the kind
 * and the map. Another type's prefix gives `wrong-type`; everything else that does not fit gives
 * `malformed`. Which verbs exist is the caller's business.
 */
export function readOpKind(value: unknown, type: CrdtTypeName, allowed: readonly string[]): CrdtResult<{ kind: string; fields: OpFields }> {
  if (!isPlainMap(value)) return crdtReject('malformed', 'operation is not a map');
  const kind = value['k'];
  if (typeof kind !== 'string') return crdtReject('malformed', 'operation has no string kind');
  if (kind.length > MAX_OP_KIND_LENGTH) return crdtReject('malformed', 'operation kind too long');
  const owner = typeOfOpKind(kind);
  if (owner === undefined) return crdtReject('malformed', `unknown operation kind ${JSON.stringify(kind)}`);
  if (owner !== type) return crdtReject('wrong-type', `operation of ${owner} given to ${type}`);
  // for-in stops at the first stray key instead of listing every key of an oversized map.
  for (const key in value) {
    if (key !== 'k' && !allowed.includes(key)) return crdtReject('malformed', `unexpected field ${JSON.stringify(key.slice(0, MAX_OP_KIND_LENGTH))}`);
  }
  return crdtOk({ kind, fields: value });
}
