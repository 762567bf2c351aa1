import type { Run } from './run.ts';

/*
 * The document order of runs: a B+-tree whose nodes cache how many visible items they hold, so
 * finding the n-th visible item is one descent, and whose leaves are linked in order. Runs know
 * their leaf and leaves and branches their parent, so a run's place is found by walking up.
 * Nodes are never left empty: runs are only ever removed by merging into a neighbour in the same
 * leaf.
 */

const LEAF_MAX = 64;
const BRANCH_MAX = 32;

export class Leaf {
  runs: Run[] = [];
  vis = 0;
  parent: Branch | null = null;
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

export class Branch {
  children: (Leaf | Branch)[];
  vis = 0;
  parent: Branch | null = null;
  constructor(children: (Leaf | Branch)[]) {
    this.children = children;
  }
}

export class RunTree {
  root: Leaf | Branch;
  first: Leaf;
  last: Leaf;
  /** Branch levels above the leaves. */
  height = 0;
  /** Result of `seek`: the run holding the item, its index in its leaf, the item's offset in the run. */
  hitRun: Run | null = null;
  hitIndex = 0;
  hitOffset = 0;
  /**
   * The leaf the last `seek` ended in and the visible position of its first item: edits cluster,
   * so the next seek usually starts there. Dropped when a visible count changes in another leaf
   * (which might be before it) or leaves split.
   */
  #cacheLeaf: Leaf | null = null;
  #cacheStart = 0;

  constructor() {
    const leaf = new Leaf();
    this.root = leaf;
    this.first = leaf;
    this.last = leaf;
  }

  /** Visible items in the document. */
  get vis(): number {
    return this.root.vis;
  }

  /**
   * Finds the visible item with `pos` visible items before it (0 <= pos < vis) and leaves it in
   * `hitRun` / `hitIndex` / `hitOffset`.
   */
  seek(pos: number): void {
    const cached = this.#cacheLeaf;
    if (cached !== null && pos >= this.#cacheStart && pos < this.#cacheStart + cached.vis) {
      this.#seekIn(cached, pos - this.#cacheStart);
      return;
    }
    let node = this.root;
    let rest = pos;
    for (let h = this.height; h > 0; h--) {
      const children = (node as Branch).children;
      let i = 0;
      for (;;) {
        const child = children[i] as Leaf | Branch;
        if (rest < child.vis) {
          node = child;
          break;
        }
        rest -= child.vis;
        i++;
      }
    }
    this.#cacheLeaf = node as Leaf;
    this.#cacheStart = pos - rest;
    this.#seekIn(node as Leaf, rest);
  }

  #seekIn(leaf: Leaf, pos: number): void {
    let rest = pos;
    const runs = leaf.runs;
    for (let i = 0; ; i++) {
      const run = runs[i] as Run;
      if (!run.deleted) {
        if (rest < run.len) {
          this.hitRun = run;
          this.hitIndex = i;
          this.hitOffset = rest;
          return;
        }
        rest -= run.len;
      }
    }
  }

  /** The last run in document order, if any. */
  lastRun(): Run | null {
    const runs = this.last.runs;
    return runs.length === 0 ? null : (runs[runs.length - 1] as Run);
  }

  /** The run before `run` (at `index` in its leaf) in document order. */
  prevRun(run: Run, index: number): Run | null {
    if (index > 0) return run.leaf.runs[index - 1] as Run;
    const prev = run.leaf.prev;
    return prev === null ? null : (prev.runs[prev.runs.length - 1] as Run);
  }

  /** The run after `run` (at `index` in its leaf) in document order. */
  nextRun(run: Run, index: number): Run | null {
    const runs = run.leaf.runs;
    if (index + 1 < runs.length) return runs[index + 1] as Run;
    const next = run.leaf.next;
    return next === null ? null : (next.runs[0] as Run);
  }

  /** Adds `delta` visible items to `leaf` and its ancestors. */
  addVis(leaf: Leaf, delta: number): void {
    if (leaf !== this.#cacheLeaf) this.#cacheLeaf = null;
    let node: Leaf | Branch | null = leaf;
    while (node !== null) {
      node.vis += delta;
      node = node.parent;
    }
  }

  /**
   * Places `run` at `index` of `leaf`. `counted`: its items are already in the leaf's visible
   * count (the right part of a run just cut in this leaf).
   */
  insertAt(leaf: Leaf, index: number, run: Run, counted = false): void {
    run.leaf = leaf;
    leaf.runs.splice(index, 0, run);
    if (!run.deleted && !counted) this.addVis(leaf, run.len);
    if (leaf.runs.length > LEAF_MAX) this.#splitLeaf(leaf);
  }

  /** Places `run` at the end of the document. */
  append(run: Run): void {
    this.insertAt(this.last, this.last.runs.length, run);
  }

  /** Removes the run at `index` of `leaf`, which must hold at least one other run and be a tombstone. */
  removeAt(leaf: Leaf, index: number): void {
    leaf.runs.splice(index, 1);
  }

  #splitLeaf(leaf: Leaf): void {
    this.#cacheLeaf = null;
    const right = new Leaf();
    const half = leaf.runs.length >> 1;
    right.runs = leaf.runs.splice(half);
    let vis = 0;
    for (const run of right.runs) {
      run.leaf = right;
      if (!run.deleted) vis += run.len;
    }
    right.vis = vis;
    leaf.vis -= vis;
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.last = right;
    leaf.next = right;
    this.#adopt(leaf, right);
  }

  #splitBranch(branch: Branch): void {
    const half = branch.children.length >> 1;
    const right = new Branch(branch.children.splice(half));
    let vis = 0;
    for (const child of right.children) {
      child.parent = right;
      vis += child.vis;
    }
    right.vis = vis;
    branch.vis -= vis;
    this.#adopt(branch, right);
  }

  /** Inserts `right`, just split off `left`, after it in their parent (a new root if none). */
  #adopt(left: Leaf | Branch, right: Leaf | Branch): void {
    const parent = left.parent;
    if (parent === null) {
      const root = new Branch([left, right]);
      root.vis = left.vis + right.vis;
      left.parent = root;
      right.parent = root;
      this.root = root;
      this.height++;
      return;
    }
    right.parent = parent;
    parent.children.splice(parent.children.indexOf(left) + 1, 0, right);
    if (parent.children.length > BRANCH_MAX) this.#splitBranch(parent);
  }

  /** Replaces the (empty) tree's content with `runs`, in document order, packed into full nodes. */
  load(runs: readonly Run[]): void {
    this.#cacheLeaf = null;
    if (runs.length === 0) return;
    const fill = (LEAF_MAX * 3) >> 2;
    let level: (Leaf | Branch)[] = [];
    let prev: Leaf | null = null;
    for (let i = 0; i < runs.length; i += fill) {
      const leaf = new Leaf();
      leaf.runs = runs.slice(i, i + fill);
      for (const run of leaf.runs) {
        run.leaf = leaf;
        if (!run.deleted) leaf.vis += run.len;
      }
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      else this.first = leaf;
      prev = leaf;
      level.push(leaf);
    }
    this.last = prev as Leaf;
    this.height = 0;
    const fan = (BRANCH_MAX * 3) >> 2;
    while (level.length > 1) {
      const up: Branch[] = [];
      for (let i = 0; i < level.length; i += fan) {
        const branch = new Branch(level.slice(i, i + fan));
        for (const child of branch.children) {
          child.parent = branch;
          branch.vis += child.vis;
        }
        up.push(branch);
      }
      level = up;
      this.height++;
    }
    this.root = level[0] as Leaf | Branch;
    this.root.parent = null;
  }

  /** Negative, zero or positive as run `a` is before, the same as or after run `b` in the document. */
  compareRuns(a: Run, b: Run): number {
    if (a === b) return 0;
    if (a.leaf === b.leaf) return a.leaf.runs.indexOf(a) - a.leaf.runs.indexOf(b);
    // Leaves are all at the same depth: climb in step until the two nodes share a parent.
    let x: Leaf | Branch = a.leaf;
    let y: Leaf | Branch = b.leaf;
    while (x.parent !== y.parent) {
      x = x.parent as Branch;
      y = y.parent as Branch;
    }
    const children = (x.parent as Branch).children;
    return children.indexOf(x) - children.indexOf(y);
  }

  /** Every run in document order. */
  *runs(): Generator<Run> {
    for (let leaf: Leaf | null = this.first; leaf !== null; leaf = leaf.next) yield* leaf.runs;
  }
}
