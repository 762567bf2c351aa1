import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import type { CrdtType } from '../../src/crdt/crdt-type.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { gSet } from '../../src/crdt/g-set.ts';
import { lwwRegister } from '../../src/crdt/lww-register.ts';
import { mvRegister } from '../../src/crdt/mv-register.ts';
import { orSet } from '../../src/crdt/or-set.ts';
import { pnCounter } from '../../src/crdt/pn-counter.ts';
import { applyOk, hex, origin } from './basic-support.ts';

/*
 * Golden bytes of the snapshot format and of operations in DAG-CBOR, as documented in
 * docs/CRDT.md. A change here is a format change: peers and stored snapshots depend on these.
 * Ids are `id32(n, fill)`: first byte n, then 31 bytes of fill (0xaa authors, 0xbb vertices).
 */

type AnyType = CrdtType<unknown, unknown, unknown>;

function build(type: AnyType, steps: (s: unknown) => [unknown, ReturnType<typeof origin>][]): unknown {
  const s = type.create();
  for (const [op, at] of steps(s)) applyOk(type, s, op, at);
  return s;
}

const CASES: [string, AnyType, () => unknown, string][] = [
  ['g-counter', gCounter as AnyType, () => build(gCounter as AnyType, () => [[gCounter.increment(5), origin(2, 1, 1)], [gCounter.increment(300), origin(1, 2, 1)]]), '01010201aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac0202aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa05'],
  ['pn-counter', pnCounter as AnyType, () => build(pnCounter as AnyType, () => [[pnCounter.increment(1), origin(1, 1, 1)], [pnCounter.decrement(2), origin(1, 2, 2)]]), '02010101aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa010101aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02'],
  ['g-set', gSet as AnyType, () => build(gSet as AnyType, () => [[gSet.add('é'), origin(1, 1, 1)], [gSet.add(1.5), origin(1, 2, 2)], [gSet.add(null), origin(1, 3, 3)], [gSet.add(Uint8Array.of(7)), origin(1, 4, 4)], [gSet.add(true), origin(1, 5, 5)]]), '0301050002033ff80000000000000402c3a9050107'],
  [
    'or-set',
    orSet as AnyType,
    () => {
      const s = orSet.create();
      applyOk(orSet, s, orSet.add(s, 'x')[0], origin(1, 1, 1));
      applyOk(orSet, s, orSet.add(s, 'y')[0], origin(1, 2, 2, 1));
      applyOk(orSet, s, orSet.remove(s, 'x')[0], origin(2, 3, 3));
      return s;
    },
    '0401010401790102bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb010101bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb00',
  ],
  ['lww-register', lwwRegister as AnyType, () => build(lwwRegister as AnyType, () => [[lwwRegister.write('hi'), origin(1, 1, 300, 2)]]), '050101ac0201aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0204026869'],
  [
    'mv-register',
    mvRegister as AnyType,
    () => {
      const s = mvRegister.create();
      applyOk(mvRegister, s, mvRegister.write(s, 'a')[0], origin(1, 1, 1));
      const other = mvRegister.clone(s);
      applyOk(mvRegister, s, mvRegister.write(s, 'b')[0], origin(1, 2, 2));
      applyOk(mvRegister, other, mvRegister.write(other, 'c')[0], origin(2, 3, 2));
      return mvRegister.merge(s, other);
    },
    '0601020401620102bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb000401630103bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb000101bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb00',
  ],
];

for (const [name, type, make, expected] of CASES) {
  test(`${name}: snapshot bytes are the documented ones`, () => {
    const bytes = type.encodeState(make());
    assert.equal(hex(bytes), expected);
    const back = type.decodeState(bytes);
    assert.ok(back.ok);
  });
}

const OPS: [string, AnyType, unknown, string][] = [
  ['g-counter', gCounter as AnyType, gCounter.increment(300), 'a2616b6667632e696e63616e19012c'],
  ['pn-counter', pnCounter as AnyType, pnCounter.decrement(2), 'a2616b66706e2e646563616e02'],
  ['g-set', gSet as AnyType, gSet.add('x'), 'a2616b6667732e61646461766178'],
  ['or-set', orSet as AnyType, { k: 'ors.rm', d: [[new Uint8Array(32).fill(0xbb), 1]] }, 'a2616481825820bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb01616b666f72732e726d'],
  ['lww-register', lwwRegister as AnyType, lwwRegister.write(Uint8Array.of(1, 2)), 'a2616b676c77772e7365746176420102'],
  ['mv-register', mvRegister as AnyType, { k: 'mv.set', v: null, d: [] }, 'a3616480616b666d762e7365746176f6'],
];

for (const [name, type, op, expected] of OPS) {
  test(`${name}: an operation's DAG-CBOR bytes are the documented ones`, () => {
    const bytes = dagCbor.encode(type.encodeOp(op));
    assert.equal(hex(bytes), expected);
    const back = type.decodeOp(dagCbor.decode(bytes));
    assert.ok(back.ok);
    assert.deepEqual(back.value, op);
  });
}
