import { sha3_256 } from '@noble/hashes/sha3.js';
import { utf8 } from '../crypto/index.ts';
import type { CrdtTypeName } from './crdt-type.ts';
import { CrdtError, crdtReject, type CrdtRejection } from './errors.ts';
import { utf8Length } from './scalar.ts';

/** Domain separation of document ids (wire value: never change it). */
export const DOCUMENT_ID_DOMAIN = 'pars-mesh/crdt-doc/v1';

/** Longest document name in UTF-8 bytes (docs/LIMITS.md, "Documents"). */
export const MAX_DOCUMENT_NAME_BYTES = 256;

/** Byte length of a document id (PIP-1's `ID [32]byte`). */
export const DOCUMENT_ID_BYTES = 32;

/**
 * Why a document name is unusable, or undefined if it is fine: 1 to 256 UTF-8 bytes. A string
 * with a lone surrogate has no UTF-8 form, so two different names could otherwise hash alike.
 */
export function documentNameProblem(name: unknown): CrdtRejection | undefined {
  if (typeof name !== 'string') return crdtReject('malformed', 'document name is not a string');
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes and at least 1: the cheap bound first.
  if (name.length > MAX_DOCUMENT_NAME_BYTES) return crdtReject('limit', `document name longer than ${MAX_DOCUMENT_NAME_BYTES} bytes`);
  const bytes = utf8Length(name);
  if (bytes < 0) return crdtReject('malformed', 'document name is not well-formed Unicode');
  if (bytes === 0) return crdtReject('malformed', 'document name is empty');
  if (bytes > MAX_DOCUMENT_NAME_BYTES) return crdtReject('limit', `document name is ${bytes} bytes, limit ${MAX_DOCUMENT_NAME_BYTES}`);
  return undefined;
}

/**
 * The 32-byte id of the document `name` of type `type`:
 * SHA3-256("pars-mesh/crdt-doc/v1" ‖ 0x00 ‖ type ‖ 0x00 ‖ name), names in UTF-8. The type is part
 * of the id, so an id implies its type and two writers can never disagree on a document's type.
 * Ids are the same in every topic; a document is addressed by (topic, id).
 */
export function documentId(type: CrdtTypeName, name: string): Uint8Array {
  const problem = documentNameProblem(name);
  if (problem !== undefined) throw new CrdtError('ERR_DOCUMENT_NAME', problem.detail);
  const domain = utf8(DOCUMENT_ID_DOMAIN);
  const t = utf8(type);
  const n = utf8(name);
  const input = new Uint8Array(domain.length + 1 + t.length + 1 + n.length);
  input.set(domain, 0);
  input.set(t, domain.length + 1);
  input.set(n, domain.length + 2 + t.length);
  return sha3_256(input);
}
