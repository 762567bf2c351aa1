import { equalBytes, toHex } from '../crypto/index.ts';
import { idKey } from '../dag/index.ts';
import { DocumentSlot, type RecordedRejection } from './document-slot.ts';
import { documentId, documentNameProblem } from './document-id.ts';
import { CRDT_REJECTION_REASONS, type CrdtRejectionReason } from './errors.ts';
import { crdtTypeByName } from './registry.ts';
import type { StoredRejection, TopicSnapshot } from './snapshot.ts';
import { TopicSlot } from './topic-slot.ts';

/** What restoring needs of the DAG (a `Dag` is one): which vertices exist and their causal past. */
export interface DagView {
  get(id: Uint8Array): { readonly lamport: number } | undefined;
  ancestors(ids: readonly Uint8Array[]): Set<string>;
}

export interface RestoreReport {
  /** Topics restored from their snapshots. */
  readonly topics: number;
  /** Documents restored. */
  readonly documents: number;
  /** Vertices the restored snapshots cover (not to be applied again). */
  readonly covered: number;
  /** Topics whose snapshot was unusable, and why; they are rebuilt from their vertices. */
  readonly discarded: readonly { readonly topic: string; readonly problem: string }[];
}

const REASONS: ReadonlySet<string> = new Set(CRDT_REJECTION_REASONS);

class Unusable {
  readonly problem: string;
  constructor(problem: string) {
    this.problem = problem;
  }
}

function count(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Unusable(`${what} is not a count`);
  return n;
}

function rejection(r: StoredRejection | undefined): RecordedRejection | undefined {
  if (r === undefined) return undefined;
  if (!REASONS.has(r.reason)) throw new Unusable(`unknown rejection reason ${JSON.stringify(r.reason.slice(0, 32))}`);
  if (r.vertex.length !== 32) throw new Unusable('rejection vertex is not 32 bytes');
  return { reason: r.reason as CrdtRejectionReason, detail: r.detail, vertex: idKey(r.vertex) };
}

function restoreOne(s: TopicSnapshot, dag: DagView, checkpointEvery: number): TopicSlot {
  const st = s.topic;
  if (st.topic.length !== 16) throw new Unusable('topic is not 16 bytes');
  if (st.frontier.length === 0) throw new Unusable('empty frontier');
  let maxLamport = 0;
  for (const id of st.frontier) {
    const meta = id.length === 32 ? dag.get(id) : undefined;
    if (meta === undefined) throw new Unusable(`frontier vertex ${toHex(id).slice(0, 64)} is not in the DAG`);
    maxLamport = Math.max(maxLamport, meta.lamport);
  }
  const covered = dag.ancestors(st.frontier);
  for (const id of st.frontier) covered.add(idKey(id));
  const t = new TopicSlot(Uint8Array.from(st.topic), covered);
  t.setFrontier(st.frontier);
  t.maxLamport = maxLamport;
  t.appliedVertices = count(st.appliedVertices, 'applied vertices');
  t.ignoredPayloads = count(st.ignoredPayloads, 'ignored payloads');
  t.unknownTypeEntries = count(st.unknownTypeEntries, 'unknown-type entries');
  t.lastProblem = rejection(st.lastProblem);
  for (const d of s.documents) {
    const crdt = crdtTypeByName(d.type);
    if (crdt === undefined) throw new Unusable(`unknown CRDT type ${JSON.stringify(d.type.slice(0, 32))}`);
    const nameProblem = documentNameProblem(d.name);
    if (nameProblem !== undefined) throw new Unusable(nameProblem.detail);
    const id = documentId(crdt.name, d.name);
    if (!equalBytes(id, d.id)) throw new Unusable(`document id is not the id of ${d.type} ${JSON.stringify(d.name)}`);
    const key = idKey(id);
    if (t.document(crdt.name, d.name) !== undefined) throw new Unusable(`document ${d.type} ${JSON.stringify(d.name)} appears twice`);
    const state = crdt.decodeState(d.state);
    if (!state.ok) throw new Unusable(`${d.type} ${JSON.stringify(d.name)}: ${state.reason}: ${state.detail}`);
    const stats = { appliedOps: count(d.appliedOps, 'applied operations'), rejectedEntries: count(d.rejectedEntries, 'rejected entries'), lastRejection: rejection(d.lastRejection) };
    t.addDocument(new DocumentSlot({ id, key, type: crdt.name, name: d.name, crdt, checkpointEvery, restored: { state: state.value, bytes: d.state, stats } }));
  }
  return t;
}

/** Topic slots for the snapshots (see `DocumentStore.restore`). */
export function restoreTopics(snapshots: readonly TopicSnapshot[], dag: DagView, checkpointEvery: number): { slots: TopicSlot[]; report: RestoreReport } {
  const slots: TopicSlot[] = [];
  const discarded: { topic: string; problem: string }[] = [];
  let topics = 0;
  let documents = 0;
  let covered = 0;
  for (const s of snapshots) {
    try {
      const t = restoreOne(s, dag, checkpointEvery);
      slots.push(t);
      topics++;
      documents += t.docs.size;
      covered += t.applied.size;
    } catch (error) {
      if (!(error instanceof Unusable)) throw error;
      const topic = toHex(s.topic.topic);
      discarded.push({ topic, problem: error.problem });
      if (s.topic.topic.length === 16) {
        const empty = new TopicSlot(Uint8Array.from(s.topic.topic));
        empty.replace = true;
        slots.push(empty);
      }
    }
  }
  return { slots, report: { topics, documents, covered, discarded } };
}
