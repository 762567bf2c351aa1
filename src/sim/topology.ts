import type { Prng } from './prng.ts';

/** Undirected edges as [a, b] with a < b, no self-loops, no repeats. */
export type Edge = readonly [number, number];

/**
 * A connected random graph on `n` nodes where every node has degree close to `degree`: the
 * configuration model (each node gets `degree` stubs, stubs are paired at random, self-loops and
 * repeated pairs are dropped), then one extra edge from each stray component to the rest.
 */
export function randomTopology(n: number, degree: number, prng: Prng): Edge[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`node count must be a positive integer, got ${n}`);
  if (!Number.isInteger(degree) || degree < 1 || (n > 1 && degree > n - 1)) throw new RangeError(`degree must be in 1..${n - 1}, got ${degree}`);
  if (n === 1) return [];
  const stubs: number[] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < degree; k++) stubs.push(i);
  prng.shuffle(stubs);
  const seen = new Set<number>();
  const edges: Edge[] = [];
  const addEdge = (x: number, y: number): boolean => {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    if (a === b || seen.has(a * n + b)) return false;
    seen.add(a * n + b);
    edges.push([a, b]);
    return true;
  };
  for (let i = 0; i + 1 < stubs.length; i += 2) addEdge(stubs[i] as number, stubs[i + 1] as number);
  const components = connectedComponents(n, edges);
  const main = components[0] as number[];
  for (const component of components.slice(1)) {
    while (!addEdge(prng.pick(component), prng.pick(main)));
    main.push(...component);
  }
  return edges;
}

/** A complete graph (small simulations such as PIP-1's five nodes). */
export function completeTopology(n: number): Edge[] {
  const edges: Edge[] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) edges.push([a, b]);
  return edges;
}

/** Components of the graph, largest first (ties by lowest member). */
export function connectedComponents(n: number, edges: readonly Edge[]): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number;
      x = parent[x] as number;
    }
    return x;
  };
  for (const [a, b] of edges) parent[find(a)] = find(b);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let g = groups.get(r);
    if (g === undefined) groups.set(r, (g = []));
    g.push(i);
  }
  return [...groups.values()].sort((x, y) => y.length - x.length || (x[0] as number) - (y[0] as number));
}
