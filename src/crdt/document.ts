import { equalBytes } from '../crypto/index.ts';
import { idKey, sortedUniqueIds } from '../dag/index.ts';
import { documentId } from './document-id.ts';
import { CrdtError } from './errors.ts';
import type { CrdtTypeName } from './crdt-type.ts';
import { crdtTypeByName, requireCrdtType, type AnyCrdtType, type StateOf, type ValueOf } from './registry.ts';

/**
 * What prunes a frontier to its maximal elements: the keys of every ancestor of some vertices.
 * `Dag` is one.
 */
export interface Ancestry {
  ancestors(ids: readonly Uint8Array[]): Set<string>;
}

/** Vertex ids ascending, each once; copies. */
export function normaliseFrontier(ids: Iterable<Uint8Array>): Uint8Array[] {
  return sortedUniqueIds(ids).map((id) => Uint8Array.from(id));
}

/**
 * PIP-1's `CRDTDocument { ID, Type, State, Vector }`: one document's state and the frontier it
 * reflects. The id is `documentId(type, name)`, so it implies the type. `frontier` plays the
 * version vector's part: the state holds exactly the operations of the vertices in `frontier`
 * and their ancestors. A per-author vector would not be exact here, because one author's
 * vertices need not form a chain (several devices, or an author who forks on purpose).
 *
 * Immutable by convention: `merge` returns a new document and never changes its inputs, and the
 * document store hands out documents holding copies of its states.
 */
export class CRDTDocument<N extends CrdtTypeName = CrdtTypeName> {
  readonly id: Uint8Array;
  readonly type: N;
  readonly name: string;
  readonly state: StateOf<N>;
  /** Vertex ids, ascending, each once. */
  readonly frontier: readonly Uint8Array[];

  /** Throws CrdtError for an unknown type or an unusable name (a caller's bug). */
  constructor(type: N, name: string, state: StateOf<N>, frontier: Iterable<Uint8Array> = []) {
    requireCrdtType(type);
    this.id = documentId(type, name);
    this.type = type;
    this.name = name;
    this.state = state;
    this.frontier = normaliseFrontier(frontier);
  }

  /** An empty document: the type's initial state, before any vertex. */
  static create<N extends CrdtTypeName>(type: N, name: string): CRDTDocument<N> {
    return new CRDTDocument(type, name, requireCrdtType(type).create() as StateOf<N>, []);
  }

  get crdt(): AnyCrdtType {
    return crdtTypeByName(this.type) as AnyCrdtType;
  }

  get value(): ValueOf<N> {
    return this.crdt.value(this.state) as ValueOf<N>;
  }

  /** The type's canonical snapshot bytes of the state. */
  encodeState(): Uint8Array {
    return this.crdt.encodeState(this.state);
  }

  /**
   * The join of two replicas of one document: the states merged by the type's join, the frontier
   * the union of both. Without `ancestry` that union may hold ids that are ancestors of others
   * (it still names exactly the union of both causal pasts); with it (a `Dag` holding both
   * frontiers) the frontier is pruned to the maximal elements. Commutative, associative and
   * idempotent either way. Throws CrdtError if the documents differ in id.
   */
  merge(other: CRDTDocument<N>, ancestry?: Ancestry): CRDTDocument<N> {
    if (!equalBytes(other.id, this.id)) {
      throw new CrdtError('ERR_DOCUMENT_MISMATCH', `cannot merge ${this.type} ${JSON.stringify(this.name)} with ${other.type} ${JSON.stringify(other.name)}`);
    }
    const union = normaliseFrontier([...this.frontier, ...other.frontier]);
    let frontier = union;
    if (ancestry !== undefined) {
      const past = ancestry.ancestors(union);
      frontier = union.filter((id) => !past.has(idKey(id)));
    }
    return new CRDTDocument(this.type, this.name, this.crdt.merge(this.state, other.state) as StateOf<N>, frontier);
  }
}
