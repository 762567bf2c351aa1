import type { CrdtTypeName, OpOrigin } from './crdt-type.ts';
import { CrdtError, type CrdtRejection, type CrdtRejectionReason } from './errors.ts';
import type { AnyCrdtType } from './registry.ts';

/** A refusal as the document store remembers it. */
export interface RecordedRejection {
  readonly reason: CrdtRejectionReason;
  readonly detail: string;
  /** Key (hex id) of the vertex that carried it. */
  readonly vertex: string;
}

export interface DocumentStats {
  /** Operations applied. */
  readonly appliedOps: number;
  /** Entries (one vertex's operations for this document) refused, each leaving the state untouched. */
  readonly rejectedEntries: number;
  readonly lastRejection: RecordedRejection | undefined;
}

interface JournalItem {
  readonly op: unknown;
  readonly origin: OpOrigin;
}

/**
 * One document inside the document store: its live state, and what it takes to apply a vertex's
 * entry all or nothing without copying the state first.
 *
 * Operations of an entry are all decoded before any is applied, so a malformed one costs nothing.
 * A type leaves the state untouched when it refuses an operation, so an entry of one operation
 * needs nothing more. When operation k > 0 is refused, operations 0..k-1 are already in the
 * state; then the state is rebuilt from the last checkpoint (encoded state bytes) by replaying
 * the journal of operations applied since. Cloning before every entry would cost a copy of the
 * whole state (an RGA text) per vertex; the journal costs one encoding per `checkpointEvery`
 * operations and a replay only on the refusal path, which honest writers never take.
 */
export class DocumentSlot {
  readonly id: Uint8Array;
  readonly key: string;
  readonly type: CrdtTypeName;
  readonly name: string;
  readonly crdt: AnyCrdtType;
  state: unknown;
  /** Changed since it was last written to the snapshot store. */
  dirty = false;
  appliedOps = 0;
  rejectedEntries = 0;
  lastRejection: RecordedRejection | undefined;
  readonly #checkpointEvery: number;
  /** State the journal starts from; undefined means the type's initial state. */
  #checkpoint: Uint8Array | undefined;
  #journal: JournalItem[] = [];

  constructor(init: {
    id: Uint8Array;
    key: string;
    type: CrdtTypeName;
    name: string;
    crdt: AnyCrdtType;
    checkpointEvery: number;
    /** A restored state and the bytes it was decoded from. */
    restored?: { state: unknown; bytes: Uint8Array; stats: DocumentStats };
  }) {
    this.id = init.id;
    this.key = init.key;
    this.type = init.type;
    this.name = init.name;
    this.crdt = init.crdt;
    this.#checkpointEvery = init.checkpointEvery;
    if (init.restored === undefined) {
      this.state = init.crdt.create();
    } else {
      this.state = init.restored.state;
      this.#checkpoint = init.restored.bytes;
      this.appliedOps = init.restored.stats.appliedOps;
      this.rejectedEntries = init.restored.stats.rejectedEntries;
      this.lastRejection = init.restored.stats.lastRejection;
    }
  }

  get stats(): DocumentStats {
    return { appliedOps: this.appliedOps, rejectedEntries: this.rejectedEntries, lastRejection: this.lastRejection };
  }

  /**
   * Applies one entry: `raw` are the encoded operations, `origins[i]` the origin of `raw[i]`.
   * Returns the refusal (recorded in the stats) or undefined when every operation applied.
   */
  applyEntry(raw: readonly unknown[], origins: readonly OpOrigin[], vertexKey: string): CrdtRejection | undefined {
    const ops: unknown[] = [];
    for (let i = 0; i < raw.length; i++) {
      const decoded = this.crdt.decodeOp(raw[i]);
      if (!decoded.ok) return this.#refuse(decoded, i, vertexKey);
      ops.push(decoded.value);
    }
    for (let i = 0; i < ops.length; i++) {
      const applied = this.crdt.apply(this.state, ops[i], origins[i] as OpOrigin);
      if (!applied.ok) {
        if (i > 0) this.#rollback();
        return this.#refuse(applied, i, vertexKey);
      }
    }
    for (let i = 0; i < ops.length; i++) this.#journal.push({ op: ops[i], origin: origins[i] as OpOrigin });
    this.appliedOps += ops.length;
    this.dirty = true;
    if (this.#journal.length >= this.#checkpointEvery) this.checkpoint(this.crdt.encodeState(this.state));
    return undefined;
  }

  /** Records `bytes` (the current state's encoding, e.g. just written as a snapshot) as the rollback base. */
  checkpoint(bytes: Uint8Array): void {
    this.#checkpoint = bytes;
    this.#journal = [];
  }

  #refuse(rejection: CrdtRejection, index: number, vertexKey: string): CrdtRejection {
    const refused = { ok: false, reason: rejection.reason, detail: `operation ${index}: ${rejection.detail}` } as const;
    this.rejectedEntries++;
    this.lastRejection = { reason: refused.reason, detail: refused.detail, vertex: vertexKey };
    this.dirty = true;
    return refused;
  }

  #rollback(): void {
    let state: unknown;
    if (this.#checkpoint === undefined) {
      state = this.crdt.create();
    } else {
      const decoded = this.crdt.decodeState(this.#checkpoint);
      if (!decoded.ok) throw new CrdtError('ERR_ROLLBACK', `${this.type} refused its own checkpoint: ${decoded.detail}`);
      state = decoded.value;
    }
    for (const { op, origin } of this.#journal) {
      const applied = this.crdt.apply(state, op, origin);
      // Each of these applied before to the same state, so a refusal means the type is not deterministic.
      if (!applied.ok) throw new CrdtError('ERR_ROLLBACK', `${this.type} refused a replayed operation: ${applied.detail}`);
    }
    this.state = state;
  }
}
