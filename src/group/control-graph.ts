import { EMPTY_STATE, mergeStates, type ControlState } from './membership.ts';

/** Most merged views kept in memory; a view is recomputed (cheaply) when evicted. */
const VIEW_CACHE_SIZE = 256;

export interface View {
  /** Maximal accepted control vertices in the causal past (control-graph indices, ascending). */
  readonly frontier: readonly number[];
  readonly state: ControlState;
}

/**
 * The accepted control vertices of one group and, for every processed vertex of the group's
 * topic, which of them are maximal in its causal past. The view of a vertex is then the merge of
 * the states after those few control vertices. Control vertices are numbered in processing
 * (causal) order, so every ancestor of index i has a smaller index, and each keeps its ancestors
 * as a bit set: the ancestry test that remove-wins needs is one bit lookup.
 */
export class ControlGraph {
  /** Per accepted control vertex (by index): its ancestors as a bit set, and the state after it. */
  readonly #past: Uint32Array[] = [];
  readonly #after: ControlState[] = [];
  readonly #frontierOf = new Map<string, readonly number[]>();
  readonly #interned = new Map<string, readonly number[]>();
  readonly #views = new Map<string, ControlState>();

  /** Whether a vertex of the topic was processed. */
  has(vertexKey: string): boolean {
    return this.#frontierOf.has(vertexKey);
  }

  isAncestor = (a: number, b: number): boolean => {
    const bits = this.#past[b];
    if (bits === undefined || a >= b) return false;
    return ((bits[a >>> 5] ?? 0) & (1 << (a & 31))) !== 0;
  };

  /** The view of a new vertex with these parents (parents not processed here contribute nothing). */
  viewAt(parentKeys: readonly string[]): View {
    if (parentKeys.length === 1) {
      // The common case (a chain of messages): the parent's frontier is already maximal.
      const frontier = this.#frontierOf.get(parentKeys[0] as string) ?? [];
      return { frontier, state: this.#stateOf(frontier) };
    }
    const candidates = new Set<number>();
    for (const p of parentKeys) for (const i of this.#frontierOf.get(p) ?? []) candidates.add(i);
    const frontier = [...candidates].filter((a) => ![...candidates].some((b) => b !== a && this.isAncestor(a, b))).sort((x, y) => x - y);
    return { frontier, state: this.#stateOf(frontier) };
  }

  #stateOf(frontier: readonly number[]): ControlState {
    if (frontier.length === 0) return EMPTY_STATE;
    if (frontier.length === 1) return this.#after[frontier[0] as number] as ControlState;
    const key = frontier.join(',');
    const cached = this.#views.get(key);
    if (cached !== undefined) return cached;
    const state = mergeStates(
      frontier.map((i) => this.#after[i] as ControlState),
      this.isAncestor,
    );
    if (this.#views.size >= VIEW_CACHE_SIZE) this.#views.delete(this.#views.keys().next().value as string);
    this.#views.set(key, state);
    return state;
  }

  /** The index the next accepted control vertex will get. */
  get nextIndex(): number {
    return this.#after.length;
  }

  /** Records an accepted control vertex: its view's frontier and the state after it. */
  addControl(vertexKey: string, view: View, after: ControlState): void {
    const index = this.#after.length;
    const bits = new Uint32Array((index >>> 5) + 1);
    for (const f of view.frontier) {
      const fb = this.#past[f] as Uint32Array;
      for (let w = 0; w < fb.length; w++) bits[w] = (bits[w] as number) | (fb[w] as number);
      bits[f >>> 5] = (bits[f >>> 5] as number) | (1 << (f & 31));
    }
    this.#past.push(bits);
    this.#after.push(after);
    this.#frontierOf.set(vertexKey, this.#intern([index]));
  }

  /** Records any other vertex (a message, or a control vertex the rules refused): it passes its view on. */
  addOther(vertexKey: string, view: View): void {
    this.#frontierOf.set(vertexKey, this.#intern(view.frontier));
  }

  #intern(frontier: readonly number[]): readonly number[] {
    const key = frontier.join(',');
    let have = this.#interned.get(key);
    if (have === undefined) {
      have = Object.freeze([...frontier]);
      this.#interned.set(key, have);
    }
    return have;
  }
}
