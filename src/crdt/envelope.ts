import * as dagCbor from '@ipld/dag-cbor';
import { decodeBoundedCbor, hasExactKeys, isPlainMap, VERTEX_LIMITS } from '../dag/index.ts';
import { documentNameProblem } from './document-id.ts';
import { CrdtError, crdtOk, crdtReject, type CrdtResult } from './errors.ts';

/*
 * The CRDT payload envelope: what a vertex payload carries for CRDTs (before group encryption),
 * one deterministic DAG-CBOR map
 *   { v: 1, docs: [ { t: typeName, n: docName, o: [op, ...] }, ... ] }
 * Several documents may change in one vertex; each entry's operations are applied all or nothing.
 * Operations are numbered across the whole envelope (entry by entry), which is the `index` of
 * their `OpOrigin`. The format is specified in docs/CRDT.md ("Documents").
 */

/** The only envelope version this code reads and writes. */
export const ENVELOPE_VERSION = 1;

/** Limits of the envelope (docs/LIMITS.md, "Documents"); checked before the body is decoded. */
export const ENVELOPE_LIMITS = Object.freeze({
  /** Largest envelope: the largest vertex payload. */
  maxBytes: VERTEX_LIMITS.maxPayloadBytes,
  /** Most document entries in one envelope. */
  maxDocs: 64,
  /** Most operations in one envelope, over all entries. */
  maxOps: 4_096,
  /** Longest type name in bytes; longer names are refused without being looked up. */
  maxTypeNameBytes: 32,
  /**
   * Deepest CBOR nesting of the whole envelope, the top-level map being depth 0. Operations sit
   * at depth 3, so values inside an operation may be nested 29 levels deep.
   */
  maxDepth: 32,
});

/** One document's changes as they travel: the type name is unchecked until it is looked up. */
export interface EnvelopeEntry {
  readonly type: string;
  readonly name: string;
  /** Encoded operations (what the type's `encodeOp` returns). */
  readonly ops: readonly unknown[];
}

export interface Envelope {
  readonly entries: readonly EnvelopeEntry[];
  /** Operations over all entries. */
  readonly opCount: number;
}

const TYPE_NAME = /^[a-z0-9-]+$/;

/**
 * Reads an envelope from payload bytes. Size and CBOR framing (depth, lengths) are checked before
 * anything is decoded, then the shape: an envelope of another version, a missing or extra field,
 * a name out of limits, a repeated (type, name) entry or an entry with no operations makes the
 * whole payload not an envelope. Whether the type exists and the operations fit it is judged per
 * entry later, by the document store.
 */
export function decodeEnvelope(bytes: Uint8Array): CrdtResult<Envelope> {
  const L = ENVELOPE_LIMITS;
  if (bytes.length > L.maxBytes) return crdtReject('limit', `envelope is ${bytes.length} bytes, limit ${L.maxBytes}`);
  const decoded = decodeBoundedCbor(bytes, L);
  if (!decoded.ok) return crdtReject(decoded.reason, decoded.detail);
  const value = decoded.value;
  if (!isPlainMap(value) || !hasExactKeys(value, ['v', 'docs'])) return crdtReject('malformed', 'not an envelope map { v, docs }');
  if (value['v'] !== ENVELOPE_VERSION) return crdtReject('malformed', `envelope version ${String(value['v']).slice(0, 20)} is not ${ENVELOPE_VERSION}`);
  const docs = value['docs'];
  if (!Array.isArray(docs) || docs.length === 0) return crdtReject('malformed', 'docs is not a non-empty array');
  if (docs.length > L.maxDocs) return crdtReject('limit', `${docs.length} document entries, limit ${L.maxDocs}`);
  const entries: EnvelopeEntry[] = [];
  const seen = new Set<string>();
  let opCount = 0;
  for (let i = 0; i < docs.length; i++) {
    const doc: unknown = docs[i];
    if (!isPlainMap(doc) || !hasExactKeys(doc, ['t', 'n', 'o'])) return crdtReject('malformed', `entry ${i} is not a map { t, n, o }`);
    const type = doc['t'];
    const name = doc['n'];
    const ops = doc['o'];
    if (typeof type !== 'string' || type.length > L.maxTypeNameBytes || !TYPE_NAME.test(type)) {
      return crdtReject('malformed', `entry ${i}: type name is not 1-${L.maxTypeNameBytes} of [a-z0-9-]`);
    }
    const nameProblem = documentNameProblem(name);
    if (nameProblem !== undefined) return crdtReject(nameProblem.reason, `entry ${i}: ${nameProblem.detail}`);
    if (!Array.isArray(ops) || ops.length === 0) return crdtReject('malformed', `entry ${i}: o is not a non-empty array`);
    opCount += ops.length;
    if (opCount > L.maxOps) return crdtReject('limit', `more than ${L.maxOps} operations`);
    // Type names hold no NUL and names are well-formed, so this key is unambiguous.
    const key = `${type}\u0000${name as string}`;
    if (seen.has(key)) return crdtReject('malformed', `entry ${i} repeats document ${type} ${JSON.stringify(name)}`);
    seen.add(key);
    entries.push({ type, name: name as string, ops });
  }
  return crdtOk({ entries, opCount });
}

/**
 * Encodes an envelope for a local change. Throws CrdtError for a change no receiver would accept
 * (a limit broken, a repeated document, an operation value CBOR cannot carry): that is a bug of
 * the caller, not remote input.
 */
export function encodeEnvelope(entries: readonly EnvelopeEntry[]): Uint8Array {
  const L = ENVELOPE_LIMITS;
  if (entries.length === 0) throw new CrdtError('ERR_ENVELOPE', 'an envelope needs at least one document entry');
  if (entries.length > L.maxDocs) throw new CrdtError('ERR_ENVELOPE', `${entries.length} document entries, limit ${L.maxDocs}`);
  let ops = 0;
  const seen = new Set<string>();
  for (const e of entries) {
    const problem = documentNameProblem(e.name);
    if (problem !== undefined) throw new CrdtError('ERR_ENVELOPE', problem.detail);
    if (e.ops.length === 0) throw new CrdtError('ERR_ENVELOPE', `no operations for ${e.type} ${JSON.stringify(e.name)}`);
    const key = `${e.type}\u0000${e.name}`;
    if (seen.has(key)) throw new CrdtError('ERR_ENVELOPE', `document ${e.type} ${JSON.stringify(e.name)} appears twice`);
    seen.add(key);
    ops += e.ops.length;
  }
  if (ops > L.maxOps) throw new CrdtError('ERR_ENVELOPE', `${ops} operations, limit ${L.maxOps}`);
  let bytes: Uint8Array;
  try {
    bytes = dagCbor.encode({ v: ENVELOPE_VERSION, docs: entries.map((e) => ({ t: e.type, n: e.name, o: e.ops })) });
  } catch (error) {
    throw new CrdtError('ERR_ENVELOPE', `operations cannot be encoded: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.length > L.maxBytes) throw new CrdtError('ERR_ENVELOPE', `envelope is ${bytes.length} bytes, limit ${L.maxBytes}`);
  return bytes;
}
