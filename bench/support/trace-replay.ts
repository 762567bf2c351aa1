// Replays editing traces onto RGA replicas: a sequential trace as one author's local edits, a
// concurrent trace as each agent editing its own replica, which first receives exactly the
// transactions the trace says it had seen (its `parents` and their ancestors). The operations
// each transaction produced can then travel in DAG vertices.
import * as dagCbor from '@ipld/dag-cbor';
import type { CryptoProvider } from '../../src/crypto/index.ts';
import type { OpOrigin } from '../../src/crdt/crdt-type.ts';
import { deleteOp, insertOp, rga, type RgaOp, type RgaState } from '../../src/crdt/rga/index.ts';
import { compareIds, createVertex, Dag, type DecodedVertex, type VertexSigner } from '../../src/dag/index.ts';
import type { EditingTrace, TraceTxn } from './trace-reader.ts';

function must<T>(result: { ok: true; value: T } | { ok: false; detail: string }, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.detail}`);
  return result.value;
}

/** An origin for local replays; only the author matters to the RGA. */
function localOrigin(author: Uint8Array): OpOrigin {
  return { author, lamport: 1, vertex: new Uint8Array(32), index: 0 };
}

/** Applies one patch as local edits of `origin.author` (delete, then insert), adding the operations made to `out`. */
function editLocally(state: RgaState, origin: OpOrigin, pos: number, del: number, ins: string, out?: RgaOp[]): void {
  if (del > 0) {
    const op = must(deleteOp(state, pos, del), 'delete');
    must(rga.apply(state, op, origin), 'apply delete');
    out?.push(op);
  }
  if (ins.length > 0) {
    const op = must(insertOp(state, origin.author, pos, ins), 'insert');
    must(rga.apply(state, op, origin), 'apply insert');
    out?.push(op);
  }
}

/** A sequential trace as one author's local edits: generate each operation, then apply it. */
export function replaySequential(trace: EditingTrace, author: Uint8Array): RgaState {
  const state = rga.create();
  const origin = localOrigin(author);
  if (trace.startContent.length > 0) editLocally(state, origin, 0, 0, trace.startContent);
  for (const txn of trace.txns) for (const [pos, del, ins] of txn.patches) editLocally(state, origin, pos, del, ins);
  return state;
}

/** What an agent's replica does before transaction i: start over (rarely), then receive these. */
export interface ReplayStep {
  readonly restart: boolean;
  /** Earlier transactions of other agents to apply first, in causal (index) order. */
  readonly receive: readonly number[];
}

/**
 * For each transaction of a concurrent trace, what its agent's replica must receive first so that
 * it holds exactly the transactions the trace says it had seen (its parents and their
 * ancestors). An agent's transactions must form a chain (each sees the agent's previous one), so
 * what a replica has seen is a version vector.
 */
export function planReplay(trace: EditingTrace): ReplayStep[] {
  if (trace.startContent.length > 0 && trace.kind === 'concurrent') throw new Error('concurrent traces with startContent are not supported');
  const agents = trace.numAgents;
  const byAgent: number[][] = Array.from({ length: agents }, () => []);
  const ownIndex: number[] = [];
  for (let i = 0; i < trace.txns.length; i++) {
    const list = byAgent[(trace.txns[i] as TraceTxn).agent] as number[];
    ownIndex.push(list.length);
    list.push(i);
  }
  const seen: Int32Array[] = [];
  const held = Array.from({ length: agents }, () => new Int32Array(agents));
  const steps: ReplayStep[] = [];
  for (let i = 0; i < trace.txns.length; i++) {
    const txn = trace.txns[i] as TraceTxn;
    const target = new Int32Array(agents);
    for (const p of txn.parents) {
      const before = seen[p] as Int32Array;
      for (let b = 0; b < agents; b++) target[b] = Math.max(target[b] as number, before[b] as number);
    }
    if (target[txn.agent] !== ownIndex[i]) throw new Error(`txn ${i}: agent ${txn.agent}'s transactions do not form a chain`);
    let vv = held[txn.agent] as Int32Array;
    // A replica that has seen more than this transaction did starts over from nothing.
    const restart = vv.some((n, b) => n > (target[b] as number));
    if (restart) vv = new Int32Array(agents);
    const receive: number[] = [];
    for (let b = 0; b < agents; b++) {
      const list = byAgent[b] as number[];
      for (let k = vv[b] as number; k < (target[b] as number); k++) receive.push(list[k] as number);
    }
    receive.sort((x, y) => x - y);
    steps.push({ restart, receive });
    target[txn.agent] = (ownIndex[i] as number) + 1;
    held[txn.agent] = target;
    seen.push(target);
  }
  return steps;
}

/** The operations of every transaction of a concurrent trace, made by its agent's replica as `plan` says. */
export function concurrentOps(trace: EditingTrace, authors: readonly Uint8Array[], plan: readonly ReplayStep[] = planReplay(trace)): RgaOp[][] {
  const replicas = Array.from({ length: trace.numAgents }, () => rga.create());
  const origins = authors.map(localOrigin);
  const ops: RgaOp[][] = [];
  for (let i = 0; i < trace.txns.length; i++) {
    const txn = trace.txns[i] as TraceTxn;
    const step = plan[i] as ReplayStep;
    if (step.restart) replicas[txn.agent] = rga.create();
    const replica = replicas[txn.agent] as RgaState;
    for (const m of step.receive) {
      const origin = origins[(trace.txns[m] as TraceTxn).agent] as OpOrigin;
      for (const op of ops[m] as RgaOp[]) must(rga.apply(replica, op, origin), `txn ${m} on agent ${txn.agent}`);
    }
    const made: RgaOp[] = [];
    for (const [pos, del, ins] of txn.patches) editLocally(replica, origins[txn.agent] as OpOrigin, pos, del, ins, made);
    ops.push(made);
  }
  return ops;
}

/** Payload of a trace vertex: the transaction's operations as a DAG-CBOR list. */
function encodePayload(ops: readonly RgaOp[]): Uint8Array {
  return dagCbor.encode(ops.map((op) => rga.encodeOp(op)));
}

/** Decodes a trace vertex payload back into operations. */
function decodePayload(payload: Uint8Array): RgaOp[] {
  const list = dagCbor.decode(payload);
  if (!Array.isArray(list)) throw new Error('payload is not a list');
  return list.map((value) => must(rga.decodeOp(value), 'decode op'));
}

/**
 * One signer per agent (ML-DSA-65 keys from fixed seeds), in the order of their author ids: a
 * trace's endContent settles concurrent inserts at one place with the lower agent first.
 */
export function traceSigners(provider: CryptoProvider, agents: number): VertexSigner[] {
  const signers = Array.from({ length: agents }, (_, i) => {
    const pair = provider.mlDsa65.keyPair(new Uint8Array(32).fill(i + 1));
    return { author: provider.sha3_256(pair.publicKey), sign: pair.sign };
  });
  return signers.sort((a, b) => compareIds(a.author, b.author));
}

/** One signed vertex per transaction, authored by its agent, with the trace's parents. */
export function traceVertices(trace: EditingTrace, ops: readonly RgaOp[][], signers: readonly VertexSigner[], provider: CryptoProvider, topic: Uint8Array): DecodedVertex[] {
  const out: DecodedVertex[] = [];
  for (let i = 0; i < trace.txns.length; i++) {
    const txn = trace.txns[i] as TraceTxn;
    const parents = txn.parents.map((p) => out[p] as DecodedVertex);
    const lamport = 1 + Math.max(0, ...parents.map((p) => p.lamport));
    out.push(createVertex({ topic, parents: parents.map((p) => p.id), lamport, payload: encodePayload(ops[i] as RgaOp[]) }, signers[txn.agent] as VertexSigner, provider));
  }
  return out;
}

/**
 * The order a Dag places `vertices` in when they arrive shuffled by `rand` (Fisher-Yates): each
 * waits in the quarantine, sized to hold them all, until its parents are placed. Throws if the
 * Dag refuses a vertex or leaves one unplaced.
 */
export function placeShuffled(vertices: readonly DecodedVertex[], rand: () => number): DecodedVertex[] {
  const order = [...vertices];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as DecodedVertex, order[i] as DecodedVertex];
  }
  const dag = new Dag({ quarantine: { maxVertices: vertices.length + 1, maxBytes: 2 ** 40, maxPerSource: vertices.length + 1 } });
  const placed: DecodedVertex[] = [];
  for (const v of order) {
    const out = dag.add(v, 'peer');
    if (out.status === 'rejected') throw new Error(`vertex rejected: ${out.reason} ${out.detail}`);
    if (out.status === 'added') for (const p of out.added) placed.push(p);
  }
  if (placed.length !== vertices.length) throw new Error('not every vertex was placed');
  return placed;
}

/** Applies the operations of placed vertices, in the order given, to `state`. */
export function applyVertices(state: RgaState, vertices: readonly DecodedVertex[]): void {
  for (const v of vertices) {
    const ops = decodePayload(v.payload);
    for (let index = 0; index < ops.length; index++) {
      must(rga.apply(state, ops[index] as RgaOp, { author: v.author, lamport: v.lamport, vertex: v.id, index }), `vertex ${v.key}`);
    }
  }
}
