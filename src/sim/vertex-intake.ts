import type { CryptoProvider } from '../crypto/index.ts';
import { idKey, validateVertex, type Dag, type DecodedVertex, type KeyRing, type RejectionReason } from '../dag/index.ts';

/** Reasons after the id check: the id is then bad forever and may be remembered as such. */
const ID_BOUND_REASONS: ReadonlySet<RejectionReason> = new Set<RejectionReason>(['author-key-invalid', 'bad-signature']);

export interface IngestResult {
  readonly kind: 'placed' | 'waiting' | 'duplicate' | 'refused';
  /** The vertex and the waiting descendants it released, in causal order. */
  readonly placed: readonly DecodedVertex[];
  /** Keys refused with it (waiting descendants of a vertex refused for good). */
  readonly refused: readonly string[];
  /** Parents to ask for when it waits. */
  readonly missing: readonly Uint8Array[];
}

/**
 * Validates received bytes (decode, id, signature with the node's keys) and places the vertex in
 * the node's DAG. Returns what was placed (the vertex and any waiting descendants it released),
 * what was refused with it, and the parents still missing if it waits in the quarantine. When the
 * sender named the id (`expectedId`) and the signature fails, the id is remembered as bad for
 * good; bytes that do not decode or hash to another id say nothing about the id they claimed.
 */
export function ingestVertex(dag: Dag, keys: KeyRing, provider: CryptoProvider, bytes: Uint8Array, expectedId: Uint8Array | undefined, source: string): IngestResult {
  const checked = validateVertex(bytes, keys, provider, expectedId === undefined ? {} : { expectedId });
  if (!checked.ok) {
    const refused: string[] = [];
    if (expectedId !== undefined && ID_BOUND_REASONS.has(checked.reason)) {
      refused.push(...dag.markRejected(idKey(expectedId), checked.reason, checked.detail).map((r) => r.key));
    }
    return { kind: 'refused', placed: [], refused, missing: [] };
  }
  const outcome = dag.add(checked.vertex, source);
  switch (outcome.status) {
    case 'added':
      return { kind: 'placed', placed: outcome.added, refused: outcome.rejected.map((r) => r.key), missing: [] };
    case 'duplicate':
      return { kind: 'duplicate', placed: [], refused: [], missing: [] };
    case 'quarantined':
      return { kind: 'waiting', placed: [], refused: [], missing: outcome.missing };
    case 'rejected':
      return { kind: 'refused', placed: [], refused: outcome.rejected.map((r) => r.key), missing: [] };
  }
}
