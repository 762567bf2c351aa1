import { fromHex, toHex } from '../crypto/index.ts';
import { idKey, type DecodedVertex } from '../dag/index.ts';
import type { CrdtTypeName, OpOrigin } from './crdt-type.ts';
import { CRDTDocument } from './document.ts';
import { documentId } from './document-id.ts';
import { DocumentSlot, type DocumentStats } from './document-slot.ts';
import { decodeEnvelope, encodeEnvelope, type EnvelopeEntry } from './envelope.ts';
import { CrdtError, type CrdtRejection, type CrdtRejectionReason } from './errors.ts';
import { crdtTypeByName, requireCrdtType, type OpOf, type StateOf, type ValueOf } from './registry.ts';
import { restoreTopics, type DagView, type RestoreReport } from './restore.ts';
import type { SnapshotStore, TopicSnapshot } from './snapshot.ts';
import { writeSnapshots } from './snapshot-write.ts';
import { TopicSlot, type TopicStats } from './topic-slot.ts';

export interface DocumentStoreOptions {
  /** Where snapshots are written. Without one the store lives in memory only. */
  readonly snapshots?: SnapshotStore;
  /** A topic is snapshotted after this many vertices applied since its last snapshot. Default 500. */
  readonly snapshotEvery?: number;
  /** A document's rollback checkpoint is re-taken after this many operations. Default 256. */
  readonly checkpointEvery?: number;
}

/** What `applyVertex` reads of a vertex: what the DAG placed (the payload comes separately). */
export type AppliedVertex = Pick<DecodedVertex, 'id' | 'key' | 'topic' | 'parents' | 'lamport' | 'author'>;

export interface EntryRejection extends CrdtRejection {
  readonly type: string;
  readonly name: string;
}

export type ApplyOutcome =
  /** Applied; `changed` entries changed their document, `rejected` were refused. */
  | { readonly status: 'applied'; readonly changed: number; readonly rejected: readonly EntryRejection[] }
  /** Applied, but the payload is not an envelope: no document changed. */
  | { readonly status: 'ignored'; readonly reason: CrdtRejectionReason; readonly detail: string }
  /** Already applied (or covered by a restored snapshot): nothing happened. */
  | { readonly status: 'duplicate' };

/** One document's operations for `change`: operation values from the type's constructors. */
export interface DocumentChange {
  readonly type: CrdtTypeName;
  readonly name: string;
  readonly ops: readonly unknown[];
}

/** A `DocumentChange` with its operations checked against the type at compile time. */
export function changeOf<N extends CrdtTypeName>(type: N, name: string, ops: readonly OpOf<N>[]): DocumentChange {
  return { type, name, ops };
}

export interface DocumentInfo {
  readonly id: Uint8Array;
  readonly type: CrdtTypeName;
  readonly name: string;
  readonly stats: DocumentStats;
}

/** A local change that a receiver would refuse; the caller built an operation against the wrong state. */
export class CrdtChangeRejectedError extends CrdtError {
  readonly rejection: EntryRejection;
  constructor(rejection: EntryRejection) {
    super('ERR_CHANGE_REJECTED', `${rejection.type} ${JSON.stringify(rejection.name)}: ${rejection.reason}: ${rejection.detail}`);
    this.rejection = rejection;
  }
}

const DEFAULT_SNAPSHOT_EVERY = 500;
const DEFAULT_CHECKPOINT_EVERY = 256;
const ZERO_ID = new Uint8Array(32);

type TopicRef = Uint8Array | string;
const topicKey = (topic: TopicRef): string => (typeof topic === 'string' ? topic : toHex(topic));

/**
 * Every CRDT document of every topic, materialised from the DAG. Sans-I/O: the caller feeds it the
 * vertices the DAG places, in placement (causal) order, each with its opened payload; it applies
 * each vertex once (re-feeding is a no-op), keeps each topic's applied frontier and writes
 * snapshots through the injected `SnapshotStore`. Local changes take the same path: `change`
 * builds a payload, the caller wraps it in a vertex, places it and feeds it back here.
 *
 * A payload is a CRDT envelope (src/crdt/envelope.ts). A payload that is not one is counted and
 * otherwise ignored; an entry of an unknown type, or one whose operations its type refuses, is
 * recorded and leaves its document untouched. The vertex counts as applied either way: the DAG
 * accepted it and every replica judges it the same.
 */
export class DocumentStore {
  readonly snapshots: SnapshotStore | undefined;
  readonly snapshotEvery: number;
  readonly checkpointEvery: number;
  readonly #topics = new Map<string, TopicSlot>();

  constructor(options: DocumentStoreOptions = {}) {
    this.snapshots = options.snapshots;
    this.snapshotEvery = positiveInteger(options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY, 'snapshotEvery');
    this.checkpointEvery = positiveInteger(options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY, 'checkpointEvery');
  }

  /**
   * Applies a placed vertex of any topic. Its parents must have been applied already (the DAG's
   * placement order guarantees it); otherwise this throws CrdtError `ERR_CAUSAL_ORDER`. May write
   * a snapshot; an error of the snapshot store propagates after the vertex is applied in memory.
   */
  applyVertex(vertex: AppliedVertex, payload: Uint8Array): ApplyOutcome {
    const t = this.#topic(vertex.topic);
    if (t.applied.has(vertex.key)) return { status: 'duplicate' };
    for (const p of vertex.parents) {
      if (!t.applied.has(idKey(p))) throw new CrdtError('ERR_CAUSAL_ORDER', `vertex ${vertex.key} arrived before its parent ${idKey(p)}`);
    }
    t.markApplied(vertex);
    const outcome = this.#applyPayload(t, vertex, payload);
    t.sinceSnapshot++;
    if (this.snapshots !== undefined && t.sinceSnapshot >= this.snapshotEvery) writeSnapshots(this.snapshots, [t]);
    return outcome;
  }

  #applyPayload(t: TopicSlot, vertex: AppliedVertex, payload: Uint8Array): ApplyOutcome {
    const envelope = decodeEnvelope(payload);
    if (!envelope.ok) {
      t.ignoredPayloads++;
      t.lastProblem = { reason: envelope.reason, detail: envelope.detail, vertex: vertex.key };
      return { status: 'ignored', reason: envelope.reason, detail: envelope.detail };
    }
    // Copies, so no state keeps the whole vertex alive through a view of its bytes.
    const author = Uint8Array.from(vertex.author);
    const id = Uint8Array.from(vertex.id);
    const rejected: EntryRejection[] = [];
    let changed = 0;
    let index = 0;
    for (const entry of envelope.value.entries) {
      const origins: OpOrigin[] = entry.ops.map((_, i) => ({ author, lamport: vertex.lamport, vertex: id, index: index + i }));
      index += entry.ops.length;
      const slot = this.#slot(t, entry);
      if (slot === undefined) {
        t.unknownTypeEntries++;
        const detail = `unknown CRDT type ${JSON.stringify(entry.type)}`;
        t.lastProblem = { reason: 'unknown-type', detail, vertex: vertex.key };
        rejected.push({ ok: false, reason: 'unknown-type', detail, type: entry.type, name: entry.name });
        continue;
      }
      const refusal = slot.applyEntry(entry.ops, origins, vertex.key);
      if (refusal === undefined) changed++;
      else rejected.push({ ...refusal, type: entry.type, name: entry.name });
    }
    return { status: 'applied', changed, rejected };
  }

  /** The document's slot, created empty on first use; undefined for a type this version does not know. */
  #slot(t: TopicSlot, entry: EnvelopeEntry): DocumentSlot | undefined {
    const crdt = crdtTypeByName(entry.type);
    if (crdt === undefined) return undefined;
    let slot = t.document(crdt.name, entry.name);
    if (slot === undefined) {
      const id = documentId(crdt.name, entry.name);
      slot = new DocumentSlot({ id, key: idKey(id), type: crdt.name, name: entry.name, crdt, checkpointEvery: this.checkpointEvery });
      t.addDocument(slot);
    }
    return slot;
  }

  #topic(topic: TopicRef): TopicSlot {
    const key = topicKey(topic);
    let t = this.#topics.get(key);
    if (t === undefined) this.#topics.set(key, (t = new TopicSlot(typeof topic === 'string' ? fromHex(topic) : Uint8Array.from(topic))));
    return t;
  }

  /**
   * The payload of a local change to documents of `topic`, for a vertex `author` will sign: an
   * envelope of the operations. Before returning, the bytes are decoded and applied to copies of
   * the current states exactly as a receiver would, so a change that would be refused throws
   * (`CrdtChangeRejectedError`; CrdtError `ERR_ENVELOPE` for a broken limit) instead of becoming a
   * vertex nobody applies. That check copies each changed document's state once.
   */
  change(topic: TopicRef, changes: readonly DocumentChange[], author: Uint8Array): Uint8Array {
    if (!(author instanceof Uint8Array) || author.length !== 32) throw new CrdtError('ERR_CHANGE_AUTHOR', 'author must be a 32-byte node id');
    const entries: EnvelopeEntry[] = changes.map((c) => {
      const crdt = requireCrdtType(c.type);
      return { type: c.type, name: c.name, ops: c.ops.map((op) => crdt.encodeOp(op)) };
    });
    const bytes = encodeEnvelope(entries);
    const envelope = decodeEnvelope(bytes);
    if (!envelope.ok) throw new CrdtError('ERR_ENVELOPE', `the change does not decode: ${envelope.detail}`);
    const t = this.#topics.get(topicKey(topic));
    // The vertex id is not known before the vertex exists: a stand-in, as good for the check.
    const lamport = (t?.maxLamport ?? 0) + 1;
    let index = 0;
    for (const entry of envelope.value.entries) {
      const crdt = requireCrdtType(entry.type);
      const existing = t?.document(crdt.name, entry.name);
      const scratch = new DocumentSlot({
        id: ZERO_ID,
        key: '',
        type: crdt.name,
        name: entry.name,
        crdt,
        checkpointEvery: Number.MAX_SAFE_INTEGER,
      });
      if (existing !== undefined) scratch.state = crdt.clone(existing.state);
      const origins = entry.ops.map((_, i) => ({ author, lamport, vertex: ZERO_ID, index: index + i }));
      index += entry.ops.length;
      const refusal = scratch.applyEntry(entry.ops, origins, '');
      if (refusal !== undefined) throw new CrdtChangeRejectedError({ ...refusal, type: entry.type, name: entry.name });
    }
    return bytes;
  }

  #find(topic: TopicRef, type: CrdtTypeName, name: string): DocumentSlot | undefined {
    return this.#topics.get(topicKey(topic))?.document(type, name);
  }

  /** The document with a copy of its state, or undefined if no vertex applied here named it. */
  document<N extends CrdtTypeName>(topic: TopicRef, type: N, name: string): CRDTDocument<N> | undefined {
    const slot = this.#find(topic, type, name);
    if (slot === undefined) return undefined;
    return new CRDTDocument(type, name, slot.crdt.clone(slot.state) as StateOf<N>, this.frontier(topic));
  }

  /**
   * The live state of a document (the type's initial state if no vertex named it), for building
   * operations with the type's constructors. Read it, never change it: changes go through
   * `change` and a vertex.
   */
  currentState<N extends CrdtTypeName>(topic: TopicRef, type: N, name: string): StateOf<N> {
    const slot = this.#find(topic, type, name);
    if (slot !== undefined) return slot.state as StateOf<N>;
    return requireCrdtType(type).create() as StateOf<N>;
  }

  /** The document's current value; a document no vertex named has the type's initial value. */
  value<N extends CrdtTypeName>(topic: TopicRef, type: N, name: string): ValueOf<N> {
    const slot = this.#find(topic, type, name);
    const crdt = requireCrdtType(type);
    return crdt.value(slot === undefined ? crdt.create() : slot.state) as ValueOf<N>;
  }

  /** The canonical snapshot bytes of the document's state, or undefined if no vertex named it. */
  encodedState(topic: TopicRef, type: CrdtTypeName, name: string): Uint8Array | undefined {
    const slot = this.#find(topic, type, name);
    return slot === undefined ? undefined : slot.crdt.encodeState(slot.state);
  }

  documentStats(topic: TopicRef, type: CrdtTypeName, name: string): DocumentStats | undefined {
    return this.#find(topic, type, name)?.stats;
  }

  /** The documents of a topic, by id. */
  documents(topic: TopicRef): DocumentInfo[] {
    const t = this.#topics.get(topicKey(topic));
    if (t === undefined) return [];
    return [...t.docs.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((s) => ({ id: Uint8Array.from(s.id), type: s.type, name: s.name, stats: s.stats }));
  }

  /** Topics (hex) with at least one applied vertex or restored snapshot, ascending. */
  topics(): string[] {
    return [...this.#topics.keys()].sort();
  }

  topicStats(topic: TopicRef): TopicStats | undefined {
    return this.#topics.get(topicKey(topic))?.stats;
  }

  /** The applied frontier: ids of applied vertices none of whose children is applied, ascending. */
  frontier(topic: TopicRef): Uint8Array[] {
    return this.#topics.get(topicKey(topic))?.frontierIds() ?? [];
  }

  /** Whether the vertex is applied here, or covered by a restored snapshot. */
  hasApplied(topic: TopicRef, id: Uint8Array | string): boolean {
    return this.#topics.get(topicKey(topic))?.applied.has(typeof id === 'string' ? id : idKey(id)) === true;
  }

  /**
   * Writes a snapshot of every topic that applied a vertex since its last one, in one batch.
   * Returns the number of documents written (0 without a snapshot store).
   */
  flush(): number {
    const due = [...this.#topics.values()].filter((t) => t.sinceSnapshot > 0);
    return this.snapshots === undefined || due.length === 0 ? 0 : writeSnapshots(this.snapshots, due);
  }

  /**
   * Installs snapshots read back from the snapshot store, before any vertex of their topics is
   * applied here; `dag` must hold the vertices the snapshots name. Each topic's snapshot covers
   * its frontier and every ancestor: those count as applied. A topic whose snapshot does not fit
   * (a frontier vertex the DAG lacks, an unknown type, a state its type refuses) is discarded
   * whole and will be rebuilt from its vertices; its stored rows are replaced at the next write.
   */
  restore(snapshots: readonly TopicSnapshot[], dag: DagView): RestoreReport {
    for (const s of snapshots) {
      if (this.#topics.has(toHex(s.topic.topic))) throw new CrdtError('ERR_RESTORE', `topic ${toHex(s.topic.topic)} already has state here`);
    }
    const { slots, report } = restoreTopics(snapshots, dag, this.checkpointEvery);
    for (const t of slots) this.#topics.set(t.key, t);
    return report;
  }
}

function positiveInteger(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new CrdtError('ERR_OPTION', `${what} must be a positive integer`);
  return n;
}
