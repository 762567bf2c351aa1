import { fromHex, toHex } from '../crypto/index.ts';
import { VERTEX_LIMITS } from './limits.ts';
import { IdSlab } from './id-slab.ts';
import { Quarantine, type QuarantineLimits } from './quarantine.ts';
import { RejectedSet } from './rejected-set.ts';
import { DagError, PERMANENT_REASONS, type RejectionReason } from './rejection.ts';
import { compareIds, idKey, type DecodedVertex } from './vertex.ts';

/** What the DAG keeps of a placed vertex (the bytes live in the store). */
export interface VertexMeta {
  readonly id: Uint8Array;
  readonly key: string;
  /** Hex of the 16-byte topic. */
  readonly topic: string;
  readonly lamport: number;
  /** Hex of the 32-byte author id. */
  readonly author: string;
  /** Keys of the parents, ascending. */
  readonly parents: readonly string[];
}

export interface RejectedVertex {
  readonly key: string;
  readonly reason: RejectionReason;
  readonly detail: string;
}

export type AddOutcome =
  /** Placed; `added` is it plus any waiting descendants it released, in causal order. */
  | { readonly status: 'added'; readonly added: DecodedVertex[]; readonly rejected: RejectedVertex[] }
  /** Already placed (and so, through the ingest path, already durable). */
  | { readonly status: 'duplicate' }
  /** Waiting for parents; `missing` are the ids to ask for. */
  | { readonly status: 'quarantined'; readonly missing: Uint8Array[] }
  /** Refused; `rejected` also lists waiting descendants refused with it. */
  | { readonly status: 'rejected'; readonly reason: RejectionReason; readonly detail: string; readonly rejected: RejectedVertex[] };

export interface DagOptions {
  readonly quarantine?: QuarantineLimits;
  /** How many permanently rejected ids to remember. */
  readonly rejectedMemory?: number;
}

interface Node extends VertexMeta {
  readonly children: string[];
}

/** The fields placement needs: what the store keeps besides the bytes. */
export type PlacementFields = Pick<DecodedVertex, 'id' | 'key' | 'topic' | 'lamport' | 'author' | 'parents'>;

/** Hex key of an id or topic given as bytes or already as its key. */
function keyOf(idOrKey: Uint8Array | string): string {
  return typeof idOrKey === 'string' ? idOrKey : toHex(idOrKey);
}

/** Deterministic order: Lamport clock, then id bytes. It extends the causal order. */
export function compareTopological(a: Pick<VertexMeta, 'lamport' | 'key'>, b: Pick<VertexMeta, 'lamport' | 'key'>): number {
  return a.lamport - b.lamport || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The vertex DAG of every topic a node holds: placement with parent and Lamport checks, the
 * missing-parent quarantine, frontiers, ancestry and set differences. Pure and in memory: it holds
 * metadata only and does no I/O, so the simulator and the browser use it as is. Vertices reaching
 * `add` must already be verified (`validateVertex`).
 */
export class Dag {
  readonly quarantine: Quarantine;
  readonly #nodes = new Map<string, Node>();
  readonly #frontiers = new Map<string, Set<string>>();
  readonly #topicSizes = new Map<string, number>();
  readonly #rejected: RejectedSet;
  /** The placed vertices' ids (see IdSlab). */
  readonly #ids = new IdSlab();
  /**
   * One string per topic and author hex, shared by every node that names it: a node keeps them
   * for as long as the DAG holds it, and per-node copies would be most of its memory.
   */
  readonly #names = new Map<string, string>();

  constructor(options: DagOptions = {}) {
    this.quarantine = new Quarantine(options.quarantine);
    this.#rejected = new RejectedSet(options.rejectedMemory);
  }

  get size(): number {
    return this.#nodes.size;
  }

  has(id: Uint8Array | string): boolean {
    return this.#nodes.has(keyOf(id));
  }

  get(id: Uint8Array | string): VertexMeta | undefined {
    return this.#nodes.get(keyOf(id));
  }

  /** Topics (hex) with at least one vertex. */
  topics(): string[] {
    return [...this.#frontiers.keys()].sort();
  }

  topicSize(topic: Uint8Array | string): number {
    return this.#topicSizes.get(keyOf(topic)) ?? 0;
  }

  /** Ids of the topic's vertices that have no children, ascending. */
  frontier(topic: Uint8Array | string): Uint8Array[] {
    const set = this.#frontiers.get(keyOf(topic));
    if (set === undefined) return [];
    return [...set].sort().map((k) => (this.#nodes.get(k) as Node).id);
  }

  /**
   * Parents and Lamport clock for a new local vertex on `topic`: the frontier (the newest
   * `maxParents` by Lamport clock if it is wider; the rest are merged by a later vertex). Given
   * the `author` of the new vertex, its own latest vertex on the topic is always in the new
   * vertex's past, even when the frontier is cut: an author's vertices then form a chain, which
   * per-author CRDT state (counters) relies on.
   */
  nextParents(topic: Uint8Array | string, author?: Uint8Array): { parents: Uint8Array[]; lamport: number } {
    const t = keyOf(topic);
    const set = this.#frontiers.get(t);
    if (set === undefined) return { parents: [], lamport: 1 };
    const tips = [...set].map((k) => this.#nodes.get(k) as Node).sort(compareTopological);
    const chosen = tips.slice(-VERTEX_LIMITS.maxParents);
    if (author !== undefined && chosen.length < tips.length) this.#keepOwnChain(t, toHex(author), chosen, set);
    const lamport = 1 + Math.max(...chosen.map((n) => n.lamport));
    return { parents: chosen.map((n) => n.id).sort(compareIds), lamport };
  }

  // Rare path (a frontier wider than maxParents), so plain scans are fine here.
  #keepOwnChain(topic: string, author: string, chosen: Node[], tips: ReadonlySet<string>): void {
    let own: Node | undefined;
    for (const n of this.#nodes.values()) {
      if (n.topic === topic && n.author === author && (own === undefined || compareTopological(own, n) < 0)) own = n;
    }
    if (own === undefined) return;
    const chosenKeys = chosen.map((n) => n.key);
    if (chosenKeys.includes(own.key) || this.ancestors(chosenKeys).has(own.key)) return;
    const tipKey = tips.has(own.key) ? own.key : [...this.descendants([own.key])].find((k) => tips.has(k));
    if (tipKey === undefined) return;
    chosen[0] = this.#nodes.get(tipKey) as Node;
  }

  /** Why a vertex with this key was refused for good, if it was. */
  rejectionOf(key: string): string | undefined {
    return this.#rejected.reasonFor(key);
  }

  /**
   * Places a verified vertex. Idempotent: a vertex already placed is a `duplicate`. A vertex with
   * missing parents waits in the quarantine (bounded; `source` names who sent it); placing it
   * later releases every waiting descendant whose parents are now all present.
   */
  add(vertex: DecodedVertex, source = 'local'): AddOutcome {
    if (this.#nodes.has(vertex.key)) return { status: 'duplicate' };
    // Waiting is not having: a vertex in the quarantine is in memory only, so it is reported as
    // quarantined again (with what it still lacks), never as a duplicate.
    const waiting = this.quarantine.missingOf(vertex.key);
    if (waiting !== undefined) return { status: 'quarantined', missing: this.#toAskFor(waiting) };
    const earlier = this.#rejected.reasonFor(vertex.key);
    if (earlier !== undefined) {
      return { status: 'rejected', reason: earlier as RejectionReason, detail: 'rejected before', rejected: [] };
    }
    const parentKeys = vertex.parents.map(idKey);
    let missing: Set<string> | undefined;
    for (const pk of parentKeys) {
      if (this.#rejected.reasonFor(pk) !== undefined) {
        const rejected = this.#refuse(vertex.key, 'parent-rejected', `parent ${pk} was rejected`);
        return { status: 'rejected', reason: 'parent-rejected', detail: `parent ${pk} was rejected`, rejected };
      }
      if (!this.#nodes.has(pk)) (missing ??= new Set()).add(pk);
    }
    if (missing !== undefined) {
      const problem = this.quarantine.admissionProblem(vertex, source);
      if (problem !== undefined) return { status: 'rejected', reason: 'quarantine-full', detail: problem, rejected: [] };
      this.quarantine.put(vertex, missing, source);
      return { status: 'quarantined', missing: this.#toAskFor(missing) };
    }
    const problem = this.#tryPlace(vertex, parentKeys);
    if (problem !== undefined) {
      const rejected = this.#refuse(vertex.key, problem.reason, problem.detail);
      return { status: 'rejected', ...problem, rejected };
    }
    const added: DecodedVertex[] = [vertex];
    const rejected: RejectedVertex[] = [];
    // Release waiting descendants breadth-first; each is checked like any other vertex.
    const queue = this.quarantine.parentArrived(vertex.key);
    for (let i = 0; i < queue.length; i++) {
      const next = queue[i] as DecodedVertex;
      const p = this.#tryPlace(next, next.parents.map(idKey));
      if (p !== undefined) {
        rejected.push(...this.#refuse(next.key, p.reason, p.detail));
        continue;
      }
      added.push(next);
      queue.push(...this.quarantine.parentArrived(next.key));
    }
    return { status: 'added', added, rejected };
  }

  /** Missing parents worth asking peers for: those not themselves waiting here. */
  #toAskFor(missing: Iterable<string>): Uint8Array[] {
    return [...missing].filter((k) => !this.quarantine.has(k)).map(fromHex);
  }

  /** Places a vertex whose parents are all present, or says why it cannot be placed. */
  #tryPlace(vertex: DecodedVertex, parentKeys: readonly string[]): { reason: RejectionReason; detail: string } | undefined {
    const topic = toHex(vertex.topic);
    const problem = this.#placementProblem(topic, vertex.lamport, parentKeys);
    if (problem === undefined) this.#place(vertex, topic, parentKeys);
    return problem;
  }

  /**
   * Places a vertex read back from durable storage, where it was stored only after passing every
   * check; parents must be restored first (ascending Lamport order guarantees it). Throws DagError
   * on a missing parent, which means the store is corrupt.
   */
  restore(fields: PlacementFields): void {
    if (this.#nodes.has(fields.key)) return;
    for (const p of fields.parents) {
      if (!this.#nodes.has(idKey(p))) throw new DagError('ERR_RESTORE_MISSING_PARENT', `stored vertex ${fields.key} names missing parent ${idKey(p)}`);
    }
    this.#place(fields, toHex(fields.topic), fields.parents.map(idKey));
  }

  /**
   * Records that `key` was refused for good (e.g. its signature failed before it reached the DAG)
   * and refuses its waiting descendants; returns everything refused.
   */
  markRejected(key: string, reason: RejectionReason, detail: string): RejectedVertex[] {
    if (!PERMANENT_REASONS.has(reason)) return [];
    return this.#refuse(key, reason, detail);
  }

  /**
   * Takes back the most recently placed vertices (children before parents), restoring frontiers;
   * used when a durable commit of them failed. Throws DagError if one of them has children that
   * are not retracted with it.
   */
  retract(keys: readonly string[]): void {
    const doomed = new Set(keys);
    const ordered = keys.map((k) => this.#nodes.get(k)).filter((n): n is Node => n !== undefined).sort(compareTopological).reverse();
    for (const node of ordered) {
      if (node.children.some((c) => !doomed.has(c) && this.#nodes.has(c))) {
        throw new DagError('ERR_RETRACT_HAS_CHILDREN', `cannot retract ${node.key}: it has children`);
      }
    }
    for (const node of ordered) {
      this.#nodes.delete(node.key);
      const frontier = this.#frontiers.get(node.topic) as Set<string>;
      frontier.delete(node.key);
      for (const pk of node.parents) {
        const parent = this.#nodes.get(pk);
        if (parent === undefined) continue;
        const i = parent.children.indexOf(node.key);
        if (i >= 0) parent.children.splice(i, 1);
        if (parent.children.length === 0) frontier.add(pk);
      }
      const size = (this.#topicSizes.get(node.topic) ?? 1) - 1;
      if (size === 0) {
        this.#topicSizes.delete(node.topic);
        this.#frontiers.delete(node.topic);
      } else {
        this.#topicSizes.set(node.topic, size);
      }
    }
  }

  /** Every vertex of `topic` (or of all topics) in deterministic topological order. */
  topologicalOrder(topic?: Uint8Array | string): VertexMeta[] {
    const t = topic === undefined ? undefined : keyOf(topic);
    const out: VertexMeta[] = [];
    for (const node of this.#nodes.values()) if (t === undefined || node.topic === t) out.push(node);
    return out.sort(compareTopological);
  }

  /** Keys of all ancestors of the given vertices (not including them), via parent links. */
  ancestors(ids: readonly (Uint8Array | string)[]): Set<string> {
    return this.#walk(ids, (n) => n.parents);
  }

  /** Keys of all descendants of the given vertices (not including them), via child links. */
  descendants(ids: readonly (Uint8Array | string)[]): Set<string> {
    return this.#walk(ids, (n) => n.children);
  }

  /**
   * What a peer whose frontier on `topic` is `remoteFrontier` lacks: our vertices of that topic
   * that are neither in that frontier nor its ancestors, in topological order (parents first).
   * Frontier ids we do not hold are skipped: the peer has something we lack, and the rest of its
   * history is judged from the ids we do hold.
   */
  missingFor(topic: Uint8Array | string, remoteFrontier: readonly Uint8Array[]): VertexMeta[] {
    const t = keyOf(topic);
    const known = remoteFrontier.map(idKey).filter((k) => this.#nodes.get(k)?.topic === t);
    // The peer holds our whole frontier, so everything: no walk of the topic's history (a peer in
    // step, a log follower asking again with nothing new).
    const tips = this.#frontiers.get(t);
    const knownSet = new Set(known);
    if (tips === undefined || [...tips].every((k) => knownSet.has(k))) return [];
    const covered = this.ancestors(known);
    for (const k of known) covered.add(k);
    const out: VertexMeta[] = [];
    for (const node of this.#nodes.values()) if (node.topic === t && !covered.has(node.key)) out.push(node);
    return out.sort(compareTopological);
  }

  #walk(ids: readonly (Uint8Array | string)[], next: (n: Node) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack = ids.map(keyOf);
    while (stack.length > 0) {
      const node = this.#nodes.get(stack.pop() as string);
      if (node === undefined) continue;
      for (const k of next(node)) {
        if (!seen.has(k)) {
          seen.add(k);
          stack.push(k);
        }
      }
    }
    return seen;
  }

  #placementProblem(topic: string, lamport: number, parentKeys: readonly string[]): { reason: RejectionReason; detail: string } | undefined {
    let maxLamport = 0;
    for (const pk of parentKeys) {
      const parent = this.#nodes.get(pk) as Node;
      if (parent.topic !== topic) return { reason: 'parent-topic-mismatch', detail: `parent ${parent.key} belongs to another topic` };
      if (parent.lamport > maxLamport) maxLamport = parent.lamport;
    }
    if (lamport !== maxLamport + 1) {
      return { reason: 'bad-lamport', detail: `lamport ${lamport}, must be 1 + max(parents) = ${maxLamport + 1}` };
    }
    return undefined;
  }

  #place(vertex: PlacementFields, topic: string, parentKeys: readonly string[]): void {
    const parentNodes = parentKeys.map((pk) => this.#nodes.get(pk) as Node);
    const node: Node = {
      id: this.#ids.copy(vertex.id),
      key: vertex.key,
      topic: this.#shared(topic),
      lamport: vertex.lamport,
      author: this.#shared(toHex(vertex.author)),
      // The parents' own key strings: the ones just computed from the vertex are copies.
      parents: parentNodes.map((p) => p.key),
      children: [],
    };
    this.#nodes.set(node.key, node);
    let frontier = this.#frontiers.get(node.topic);
    if (frontier === undefined) this.#frontiers.set(node.topic, (frontier = new Set()));
    for (const parent of parentNodes) {
      parent.children.push(node.key);
      frontier.delete(parent.key);
    }
    frontier.add(node.key);
    this.#topicSizes.set(node.topic, (this.#topicSizes.get(node.topic) ?? 0) + 1);
  }

  /** The DAG's one copy of a topic or author hex string. */
  #shared(name: string): string {
    const known = this.#names.get(name);
    if (known !== undefined) return known;
    this.#names.set(name, name);
    return name;
  }

  #refuse(key: string, reason: RejectionReason, detail: string): RejectedVertex[] {
    this.#rejected.add(key, reason);
    const out: RejectedVertex[] = [{ key, reason, detail }];
    for (const child of this.quarantine.dropDescendantsOf(key)) {
      this.#rejected.add(child, 'parent-rejected');
      out.push({ key: child, reason: 'parent-rejected', detail: `ancestor ${key} was rejected (${reason})` });
    }
    return out;
  }
}
