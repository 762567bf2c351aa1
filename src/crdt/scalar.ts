import { toHex, utf8 } from '../crypto/index.ts';
import { compareIds } from '../dag/index.ts';
import { CrdtArgumentError } from './argument-error.ts';
import { BASIC_TYPE_LIMITS } from './basic-limits.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import { decodeUtf8, SnapshotStop, type StateReader, type StateWriter } from './state-codec.ts';

/**
 * The values sets and registers hold: a small closed model that every replica orders and
 * encodes the same way. Numbers are finite IEEE 754 doubles, with −0 read as 0 (CBOR encoders
 * already write −0 as the integer 0); strings must be well-formed Unicode (no lone surrogates,
 * which UTF-8 cannot carry); strings and byte strings hold at most `maxScalarBytes` bytes.
 */
export type Scalar = null | boolean | number | string | Uint8Array;

const MAX = BASIC_TYPE_LIMITS.maxScalarBytes;

const TAG_NULL = 0;
const TAG_FALSE = 1;
const TAG_TRUE = 2;
const TAG_NUMBER = 3;
const TAG_STRING = 4;
const TAG_BYTES = 5;

/** UTF-8 length of a string, or -1 if it has a lone surrogate (and so no UTF-8 form). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/**
 * Checks a value against the model and returns it in canonical form (−0 as 0, byte strings
 * copied into a plain Uint8Array, so the state never aliases a caller's or a payload's buffer).
 */
export function checkScalar(value: unknown, what = 'value'): CrdtResult<Scalar> {
  if (value === null || typeof value === 'boolean') return crdtOk(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return crdtReject('malformed', `${what} is not a finite number`);
    return crdtOk(value === 0 ? 0 : value);
  }
  if (typeof value === 'string') {
    // Every UTF-16 unit is at least one UTF-8 byte: a long string is refused before it is scanned.
    if (value.length > MAX) return crdtReject('limit', `${what} is longer than ${MAX} bytes`);
    const bytes = utf8Length(value);
    if (bytes < 0) return crdtReject('malformed', `${what} is not well-formed Unicode`);
    if (bytes > MAX) return crdtReject('limit', `${what} is longer than ${MAX} bytes`);
    return crdtOk(value);
  }
  if (value instanceof Uint8Array) {
    if (value.length > MAX) return crdtReject('limit', `${what} is longer than ${MAX} bytes`);
    return crdtOk(new Uint8Array(value));
  }
  return crdtReject('malformed', `${what} is not a null, boolean, number, string or byte string`);
}

/** `checkScalar` for local callers: a value outside the model is a programming error. */
export function localScalar(value: Scalar): Scalar {
  const checked = checkScalar(value);
  if (!checked.ok) throw new CrdtArgumentError(checked.detail);
  return checked.value;
}

function rank(s: Scalar): number {
  if (s === null) return TAG_NULL;
  if (s === false) return TAG_FALSE;
  if (s === true) return TAG_TRUE;
  if (typeof s === 'number') return TAG_NUMBER;
  if (typeof s === 'string') return TAG_STRING;
  return TAG_BYTES;
}

/** UTF-16 unit remapped so that comparing units gives code point (and so UTF-8 byte) order. */
function codePointOrder(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

/**
 * The canonical total order: null < false < true < numbers (by value) < strings (by code
 * point, which is UTF-8 byte order) < byte strings (bytewise, a prefix first).
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === TAG_NUMBER) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (ra === TAG_STRING) return compareStrings(a as string, b as string);
  if (ra === TAG_BYTES) return compareIds(a as Uint8Array, b as Uint8Array);
  return 0;
}

/** A scalar to hand to a caller: byte strings are copied so the caller cannot change the state's. */
export function exportScalar(s: Scalar): Scalar {
  return s instanceof Uint8Array ? new Uint8Array(s) : s;
}

/** Map key of a scalar: equal scalars, and only they, have equal keys. */
export function scalarKey(s: Scalar): string {
  if (s === null) return 'n';
  if (s === false) return 'f';
  if (s === true) return 't';
  if (typeof s === 'number') return `d${s}`;
  if (typeof s === 'string') return `s${s}`;
  return `b${toHex(s)}`;
}

export function writeScalar(w: StateWriter, s: Scalar): void {
  const tag = rank(s);
  w.byte(tag);
  if (tag === TAG_NUMBER) w.f64(s as number);
  else if (tag === TAG_STRING) w.bytes(utf8(s as string));
  else if (tag === TAG_BYTES) w.bytes(s as Uint8Array);
}

export function readScalar(r: StateReader, what = 'value'): Scalar {
  const tag = r.byte(what);
  switch (tag) {
    case TAG_NULL:
      return null;
    case TAG_FALSE:
      return false;
    case TAG_TRUE:
      return true;
    case TAG_NUMBER: {
      const n = r.f64(what);
      if (!Number.isFinite(n) || Object.is(n, -0)) throw new SnapshotStop('malformed', `${what} is not a canonical finite number`);
      return n;
    }
    case TAG_STRING:
      return decodeUtf8(r.bytes(what, MAX), what);
    case TAG_BYTES:
      return r.bytes(what, MAX);
    default:
      throw new SnapshotStop('malformed', `${what} has unknown tag ${tag}`);
  }
}

/** Least number of bytes a scalar takes in a snapshot (a one-byte tag). */
export const MIN_SCALAR_BYTES = 1;
