import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CrdtType, OpOrigin } from '../../src/crdt/crdt-type.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { gSet } from '../../src/crdt/g-set.ts';
import { lwwRegister } from '../../src/crdt/lww-register.ts';
import { mvRegister } from '../../src/crdt/mv-register.ts';
import { orSet } from '../../src/crdt/or-set.ts';
import { pnCounter } from '../../src/crdt/pn-counter.ts';
import { checkScalar, type Scalar } from '../../src/crdt/scalar.ts';
import type { DotTuple } from '../../src/crdt/dot.ts';
import { prng } from '../support/fixtures.ts';

/** A 32-byte id whose first byte is `n` (and the rest a fixed pattern), for readable tests. */
export function id32(n: number, fill = 0): Uint8Array {
  const out = new Uint8Array(32).fill(fill);
  out[0] = n;
  return out;
}

export function origin(author: number, vertex: number, lamport: number, index = 0): OpOrigin {
  return { author: id32(author, 0xaa), vertex: id32(vertex, 0xbb), lamport, index };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function applyOk<S, O>(type: CrdtType<S, O, unknown>, state: S, op: O, at: OpOrigin): void {
  const r = type.apply(state, op, at);
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
}

/** A few scalars that collide often, so sets and registers see repeats and ties. */
export const SCALAR_POOL: readonly Scalar[] = [null, false, true, 0, 1, -1.5, 'a', 'b', '', 'é', '\u{1F600}', '\uFFFD', Uint8Array.of(), Uint8Array.of(1), Uint8Array.of(1, 2)];

function normalised(v: Scalar): Scalar {
  const c = checkScalar(v);
  if (!c.ok) throw new Error(c.detail);
  return c.value;
}

export const scalarArb: fc.Arbitrary<Scalar> = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SCALAR_POOL) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3 }) },
  )
  .map(normalised);

/** Origins drawn from small pools, so that states built from them overlap and collide (even impossibly). */
export const originArb: fc.Arbitrary<OpOrigin> = fc
  .record({ author: fc.integer({ min: 1, max: 3 }), vertex: fc.integer({ min: 1, max: 4 }), lamport: fc.integer({ min: 1, max: 4 }), index: fc.integer({ min: 0, max: 2 }) })
  .map((o) => origin(o.author, o.vertex, o.lamport, o.index));

/** Ascending, unique dot lists over the same small pool as `originArb`. */
export const dotListArb: fc.Arbitrary<DotTuple[]> = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 })), { maxLength: 5, selector: ([v, i]) => v * 10 + i })
  .map((list) => list.sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([v, i]) => [id32(v, 0xbb), i] as const));

const stepArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 9 }) }, { weight: 1, arbitrary: fc.constant(2 ** 32) });

/**
 * One of the six types with what the tests need of it: arbitrary operations (any valid one, not
 * only what a replica would build), the local constructors a replica uses, and whether its
 * state-based form needs each author's vertices to form a chain (the counters).
 */
export interface Harness {
  readonly type: CrdtType<unknown, unknown, unknown>;
  readonly opArb: fc.Arbitrary<unknown>;
  /** Operations a replica builds from its state (possibly none). */
  makeOps(state: unknown, rand: () => number): unknown[];
  readonly chainAuthors: boolean;
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const smallStep = (rand: () => number): number => (rand() < 0.05 ? 2 ** 32 : 1 + Math.floor(rand() * 9));

export const HARNESSES: readonly Harness[] = [
  {
    type: gCounter as CrdtType<unknown, unknown, unknown>,
    opArb: stepArb.map((n) => gCounter.increment(n)),
    makeOps: (_s, rand) => [gCounter.increment(smallStep(rand))],
    chainAuthors: true,
  },
  {
    type: pnCounter as CrdtType<unknown, unknown, unknown>,
    opArb: fc.tuple(fc.boolean(), stepArb).map(([up, n]) => (up ? pnCounter.increment(n) : pnCounter.decrement(n))),
    makeOps: (_s, rand) => [rand() < 0.5 ? pnCounter.increment(smallStep(rand)) : pnCounter.decrement(smallStep(rand))],
    chainAuthors: true,
  },
  {
    type: gSet as CrdtType<unknown, unknown, unknown>,
    opArb: scalarArb.map((v) => gSet.add(v)),
    makeOps: (_s, rand) => [gSet.add(pick(rand, SCALAR_POOL))],
    chainAuthors: false,
  },
  {
    type: orSet as CrdtType<unknown, unknown, unknown>,
    opArb: fc.oneof(
      fc.tuple(scalarArb, dotListArb).map(([v, d]) => ({ k: 'ors.add', v, d })),
      dotListArb.map((d) => ({ k: 'ors.rm', d })),
    ),
    makeOps: (s: unknown, rand: () => number): unknown[] => {
      const state = s as Parameters<typeof orSet.add>[0];
      const present = orSet.value(state);
      if (present.length > 0 && rand() < 0.4) return orSet.remove(state, pick(rand, present));
      return orSet.add(state, pick(rand, SCALAR_POOL.slice(0, 6)));
    },
    chainAuthors: false,
  },
  {
    type: lwwRegister as CrdtType<unknown, unknown, unknown>,
    opArb: scalarArb.map((v) => lwwRegister.write(v)),
    makeOps: (_s, rand) => [lwwRegister.write(pick(rand, SCALAR_POOL))],
    chainAuthors: false,
  },
  {
    type: mvRegister as CrdtType<unknown, unknown, unknown>,
    opArb: fc.tuple(scalarArb, dotListArb).map(([v, d]) => ({ k: 'mv.set', v, d })),
    makeOps: (s, rand) => mvRegister.write(s as Parameters<typeof mvRegister.write>[0], pick(rand, SCALAR_POOL)),
    chainAuthors: false,
  },
];

/** A state built by applying arbitrary operations at arbitrary (colliding) origins. */
export function stateArb(h: Harness): fc.Arbitrary<unknown> {
  return fc.array(fc.tuple(h.opArb, originArb), { maxLength: 8 }).map((steps) => {
    const s = h.type.create();
    for (const [op, at] of steps) applyOk(h.type, s, op, at);
    return s;
  });
}

interface SimVertex {
  readonly seq: number;
  readonly id: Uint8Array;
  readonly author: Uint8Array;
  readonly lamport: number;
  readonly ops: readonly unknown[];
  /** Every vertex its creator had applied when it made this one (its causal past). */
  readonly past: ReadonlySet<number>;
}

interface Replica {
  state: unknown;
  readonly known: Set<number>;
  readonly log: number[];
  maxLamport: number;
  readonly author: Uint8Array;
}

export interface History {
  readonly vertices: readonly SimVertex[];
  readonly replicaStates: readonly unknown[];
  readonly rand: () => number;
}

function deliver(h: Harness, r: Replica, v: SimVertex): void {
  v.ops.forEach((op, index) => applyOk(h.type, r.state, op, { author: v.author, vertex: v.id, lamport: v.lamport, index }));
  r.known.add(v.seq);
  r.log.push(v.seq);
  r.maxLamport = Math.max(r.maxLamport, v.lamport);
}

/**
 * A random causal history: replicas make vertices of 1–3 operations built from their own state
 * (each operation applied before the next is built), and now and then take a causally closed
 * prefix of another replica's log, delivered in that replica's order. Vertex ids are random;
 * the Lamport clock of a vertex is one more than the largest its creator has seen. Authors come
 * from a pool of three and may fork, except for the counters, whose authors are one per replica.
 */
export function simulate(h: Harness, seed: number, replicaCount: number, steps: number): History {
  const rand = prng(seed);
  const authorPool = [id32(1, 0xaa), id32(2, 0xaa), id32(3, 0xaa)];
  const replicas: Replica[] = Array.from({ length: replicaCount }, (_, i) => ({
    state: h.type.create(),
    known: new Set<number>(),
    log: [],
    maxLamport: 0,
    author: id32(10 + i, 0xaa),
  }));
  const vertices: SimVertex[] = [];
  for (let step = 0; step < steps; step++) {
    const r = pick(rand, replicas);
    if (rand() < 0.6 || replicaCount === 1) {
      const id = new Uint8Array(32);
      for (let i = 0; i < 32; i++) id[i] = Math.floor(rand() * 256);
      const author = h.chainAuthors ? r.author : pick(rand, authorPool);
      const lamport = r.maxLamport + 1;
      const ops: unknown[] = [];
      const want = 1 + Math.floor(rand() * 3);
      while (ops.length < want) {
        const made = h.makeOps(r.state, rand);
        if (made.length === 0) break;
        for (const op of made) {
          applyOk(h.type, r.state, op, { author, vertex: id, lamport, index: ops.length });
          ops.push(op);
        }
      }
      if (ops.length === 0) continue;
      const v: SimVertex = { seq: vertices.length, id, author, lamport, ops, past: new Set(r.known) };
      vertices.push(v);
      r.known.add(v.seq);
      r.log.push(v.seq);
      r.maxLamport = lamport;
    } else {
      const from = pick(rand, replicas);
      const upTo = Math.floor(rand() * (from.log.length + 1));
      for (const seq of from.log.slice(0, upTo)) if (!r.known.has(seq)) deliver(h, r, vertices[seq] as SimVertex);
    }
  }
  return { vertices, replicaStates: replicas.map((r) => r.state), rand };
}

/** Applies every vertex of a history to a fresh replica in a random order that respects causality. */
export function replayRandomCausal(h: Harness, history: History): unknown {
  const r: Replica = { state: h.type.create(), known: new Set(), log: [], maxLamport: 0, author: id32(99) };
  const pending = [...history.vertices];
  while (pending.length > 0) {
    const ready = pending.filter((v) => [...v.past].every((p) => r.known.has(p)));
    const v = pick(history.rand, ready);
    pending.splice(pending.indexOf(v), 1);
    deliver(h, r, v);
  }
  return r.state;
}

/** Merges states in a random order and grouping. */
export function mergeRandomly(h: Harness, states: readonly unknown[], rand: () => number): unknown {
  const pool = [...states];
  if (pool.length === 0) return h.type.create();
  while (pool.length > 1) {
    const a = pool.splice(Math.floor(rand() * pool.length), 1)[0];
    const b = pool.splice(Math.floor(rand() * pool.length), 1)[0];
    pool.push(h.type.merge(a, b));
  }
  return pool[0];
}
