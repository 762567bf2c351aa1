import assert from 'node:assert/strict';
import type { CrdtTypeName } from '../../src/crdt/crdt-type.ts';
import { changeOf, DocumentStore, type DocumentChange, type DocumentStoreOptions } from '../../src/crdt/document-store.ts';
import type { StateOf } from '../../src/crdt/registry.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { gSet } from '../../src/crdt/g-set.ts';
import { lwwRegister } from '../../src/crdt/lww-register.ts';
import { mvRegister } from '../../src/crdt/mv-register.ts';
import { orSet } from '../../src/crdt/or-set.ts';
import { pnCounter } from '../../src/crdt/pn-counter.ts';
import { deleteOp, insertOp, rga, rgaLength, type RgaOp } from '../../src/crdt/rga/index.ts';
import type { Scalar } from '../../src/crdt/scalar.ts';
import { createVertex, Dag, type DecodedVertex } from '../../src/dag/index.ts';
import { fastProvider, type TestAuthor } from '../support/fixtures.ts';

/** Document store tests: a replica is a Dag and a DocumentStore fed every vertex the Dag places. */
export interface Replica {
  readonly author: TestAuthor;
  readonly dag: Dag;
  readonly docs: DocumentStore;
}

export function replica(author: TestAuthor, options?: DocumentStoreOptions): Replica {
  return { author, dag: new Dag(), docs: new DocumentStore(options) };
}

/** Places a vertex (and whatever it releases from the quarantine) and applies each placed one; returns them. */
export function deliver(r: Replica, v: DecodedVertex): DecodedVertex[] {
  const outcome = r.dag.add(v);
  if (outcome.status === 'rejected') assert.fail(`the DAG refused ${v.key}: ${outcome.reason}`);
  if (outcome.status !== 'added') return [];
  for (const placed of outcome.added) r.docs.applyVertex(placed, placed.payload);
  return outcome.added;
}

/** A vertex by `r`'s author on its frontier of `topic`, carrying `payload`, placed and applied at `r`. */
export function commitPayload(r: Replica, topic: Uint8Array, payload: Uint8Array): DecodedVertex {
  const { parents, lamport } = r.dag.nextParents(topic);
  const v = createVertex({ topic, parents, lamport, payload }, r.author, fastProvider);
  assert.equal(deliver(r, v).length, 1);
  return v;
}

/** A local change the normal way: `change` builds the payload, the vertex goes through the DAG and back. */
export function commit(r: Replica, topic: Uint8Array, changes: readonly DocumentChange[]): DecodedVertex {
  return commitPayload(r, topic, r.docs.change(topic, changes, r.author.author));
}

export const SCALARS: readonly Scalar[] = [null, true, 0, 1, -2.5, 'a', 'b', 'سلام', '\u{1F600}', Uint8Array.of(1, 2)];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const step = (rand: () => number): number => 1 + Math.floor(rand() * 5);

/** A random change a user of `r` could make to the document, built from its current state. */
export function randomChange(r: Replica, topic: Uint8Array, type: CrdtTypeName, name: string, rand: () => number): DocumentChange {
  const d = r.docs;
  switch (type) {
    case 'g-counter':
      return changeOf(type, name, [gCounter.increment(step(rand))]);
    case 'pn-counter':
      return changeOf(type, name, [rand() < 0.5 ? pnCounter.increment(step(rand)) : pnCounter.decrement(step(rand))]);
    case 'g-set':
      return changeOf(type, name, [gSet.add(pick(rand, SCALARS))]);
    case 'or-set': {
      const state = d.currentState(topic, type, name);
      const present = orSet.value(state);
      const ops = present.length > 0 && rand() < 0.4 ? orSet.remove(state, pick(rand, present)) : orSet.add(state, pick(rand, SCALARS));
      return changeOf(type, name, ops);
    }
    case 'lww-register':
      return changeOf(type, name, [lwwRegister.write(pick(rand, SCALARS))]);
    case 'mv-register':
      return changeOf(type, name, mvRegister.write(d.currentState(topic, type, name), pick(rand, SCALARS)));
    case 'rga':
      return changeOf(type, name, randomRgaOps(d.currentState(topic, type, name), r.author.author, rand));
  }
}

const TEXT = ['a', 'b', 'ق', 'é', '\u{1F600}', ' ', 'xyz'];

/**
 * One to three text edits at random positions, as one entry: each built on a scratch copy that
 * already holds the ones before it, as an editor batching keystrokes would.
 */
export function randomRgaOps(state: StateOf<'rga'>, author: Uint8Array, rand: () => number): RgaOp[] {
  const scratch = rga.clone(state);
  const ops: RgaOp[] = [];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const len = rgaLength(scratch);
    let op;
    if (len > 0 && rand() < 0.35) {
      const pos = Math.floor(rand() * len);
      op = deleteOp(scratch, pos, 1 + Math.floor(rand() * Math.min(3, len - pos)));
    } else {
      let text = '';
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) text += pick(rand, TEXT);
      op = insertOp(scratch, author, Math.floor(rand() * (len + 1)), text);
    }
    assert.ok(op.ok, op.ok ? '' : op.detail);
    const applied = rga.apply(scratch, op.value, { author, lamport: 1, vertex: new Uint8Array(32), index: i });
    assert.ok(applied.ok);
    ops.push(op.value);
  }
  return ops;
}
