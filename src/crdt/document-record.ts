import * as dagCbor from '@ipld/dag-cbor';
import { equalBytes } from '../crypto/index.ts';
import { compareIds, decodeBoundedCbor, isPlainMap } from '../dag/index.ts';
import { CRDTDocument } from './document.ts';
import { DOCUMENT_ID_BYTES, documentId, documentNameProblem } from './document-id.ts';
import { crdtOk, crdtReject, type CrdtResult } from './errors.ts';
import type { CrdtTypeName } from './crdt-type.ts';
import { crdtTypeByName, type StateOf } from './registry.ts';

/*
 * The portable form of a document (PIP-1's serialised CRDTDocument), for handing a snapshot to
 * another node or tool: one DAG-CBOR map
 *   { v: 1, id: bytes(32), t: typeName, n: name, f: [bytes(32), ...], s: bytes }
 * with `f` the frontier (vertex ids, strictly ascending) and `s` the type's canonical
 * `encodeState`. Decoding checks the size and framing first, then that `id` is the id of (t, n),
 * then hands `s` to the type's `decodeState`, which checks its own limits.
 */

export const DOCUMENT_RECORD_VERSION = 1;

export const DOCUMENT_RECORD_LIMITS = Object.freeze({
  /** Largest record: 64 MiB. */
  maxBytes: 64 * 1024 * 1024,
  /** Most frontier ids. A frontier is as wide as the number of concurrent tips, which the DAG does not bound; this does. */
  maxFrontier: 4_096,
});

export function encodeDocument(doc: CRDTDocument): Uint8Array {
  return dagCbor.encode({
    v: DOCUMENT_RECORD_VERSION,
    id: doc.id,
    t: doc.type,
    n: doc.name,
    f: [...doc.frontier],
    s: doc.encodeState(),
  });
}

const KEYS = ['v', 'id', 't', 'n', 'f', 's'];

export function decodeDocument(bytes: Uint8Array): CrdtResult<CRDTDocument> {
  const L = DOCUMENT_RECORD_LIMITS;
  if (!(bytes instanceof Uint8Array)) return crdtReject('malformed', 'record is not a byte array');
  if (bytes.length > L.maxBytes) return crdtReject('limit', `record is ${bytes.length} bytes, limit ${L.maxBytes}`);
  const decoded = decodeBoundedCbor(bytes, { maxDepth: 2 });
  // A record is shallow by construction, so any framing problem, depth included, is malformed.
  if (!decoded.ok) return crdtReject('malformed', decoded.detail);
  const value = decoded.value;
  if (!isPlainMap(value)) return crdtReject('malformed', 'record is not a map');
  for (const key in value) if (!KEYS.includes(key)) return crdtReject('malformed', 'record has an unexpected field');
  if (value['v'] !== DOCUMENT_RECORD_VERSION) return crdtReject('malformed', 'record version is not 1');
  const { id, t, n, f, s } = value;
  if (typeof t !== 'string') return crdtReject('malformed', 'record type is not a string');
  const crdt = crdtTypeByName(t);
  if (crdt === undefined) return crdtReject('unknown-type', `unknown CRDT type ${JSON.stringify(t.slice(0, 32))}`);
  const nameProblem = documentNameProblem(n);
  if (nameProblem !== undefined) return nameProblem;
  if (!(id instanceof Uint8Array) || id.length !== DOCUMENT_ID_BYTES) return crdtReject('malformed', 'record id is not 32 bytes');
  if (!equalBytes(id, documentId(t as CrdtTypeName, n as string))) return crdtReject('malformed', 'record id is not the id of its type and name');
  if (!Array.isArray(f)) return crdtReject('malformed', 'record frontier is not an array');
  if (f.length > L.maxFrontier) return crdtReject('limit', `frontier of ${f.length} ids, limit ${L.maxFrontier}`);
  for (let i = 0; i < f.length; i++) {
    const v: unknown = f[i];
    if (!(v instanceof Uint8Array) || v.length !== 32) return crdtReject('malformed', 'frontier id is not 32 bytes');
    if (i > 0 && compareIds(f[i - 1] as Uint8Array, v) >= 0) return crdtReject('malformed', 'frontier ids are not strictly ascending');
  }
  if (!(s instanceof Uint8Array)) return crdtReject('malformed', 'record state is not a byte string');
  const state = crdt.decodeState(s);
  if (!state.ok) return state;
  return crdtOk(new CRDTDocument(t as CrdtTypeName, n as string, state.value as StateOf<CrdtTypeName>, f as Uint8Array[]));
}
