import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASIC_TYPE_LIMITS } from '../../src/crdt/basic-limits.ts';
import type { CrdtType } from '../../src/crdt/crdt-type.ts';
import type { CrdtRejectionReason } from '../../src/crdt/errors.ts';
import { CrdtArgumentError } from '../../src/crdt/argument-error.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { gSet } from '../../src/crdt/g-set.ts';
import { lwwRegister } from '../../src/crdt/lww-register.ts';
import { mvRegister } from '../../src/crdt/mv-register.ts';
import { orSet } from '../../src/crdt/or-set.ts';
import { pnCounter } from '../../src/crdt/pn-counter.ts';
import { HARNESSES, hex, id32, origin, simulate } from './basic-support.ts';
import { prng } from '../support/fixtures.ts';

type AnyType = CrdtType<unknown, unknown, unknown>;

const dot = (v: number, i = 0): [Uint8Array, number] => [id32(v, 0xbb), i];
const MiB = 1 << 20;

/** One valid encoded operation of each type, to feed to the others. */
const SAMPLE_OPS: Record<string, unknown> = {
  'g-counter': { k: 'gc.inc', n: 1 },
  'pn-counter': { k: 'pn.dec', n: 1 },
  'g-set': { k: 'gs.add', v: 'x' },
  'or-set': { k: 'ors.add', v: 'x', d: [] },
  'lww-register': { k: 'lww.set', v: 'x' },
  'mv-register': { k: 'mv.set', v: 'x', d: [] },
  rga: { k: 'rga.ins', after: null, v: 'x' },
};

/** Operations each type must refuse, with the reason. */
const BAD_OPS: Record<string, [string, unknown, CrdtRejectionReason][]> = {
  'g-counter': [
    ['unknown verb', { k: 'gc.dec', n: 1 }, 'malformed'],
    ['missing amount', { k: 'gc.inc' }, 'malformed'],
    ['amount as text', { k: 'gc.inc', n: '5' }, 'malformed'],
    ['amount 0', { k: 'gc.inc', n: 0 }, 'malformed'],
    ['negative amount', { k: 'gc.inc', n: -5 }, 'malformed'],
    ['fractional amount', { k: 'gc.inc', n: 1.5 }, 'malformed'],
    ['NaN amount', { k: 'gc.inc', n: Number.NaN }, 'malformed'],
    ['amount 2^32 + 1', { k: 'gc.inc', n: 2 ** 32 + 1 }, 'limit'],
    ['amount 2^60', { k: 'gc.inc', n: 2 ** 60 }, 'limit'],
    ['amount 2^60 as a CBOR bigint', { k: 'gc.inc', n: 2n ** 60n }, 'limit'],
    ['negative bigint', { k: 'gc.inc', n: -(2n ** 60n) }, 'malformed'],
    ['infinite amount', { k: 'gc.inc', n: Number.POSITIVE_INFINITY }, 'malformed'],
    ['extra field', { k: 'gc.inc', n: 1, who: 'me' }, 'malformed'],
  ],
  'pn-counter': [
    ['unknown verb', { k: 'pn.add', n: 1 }, 'malformed'],
    ['amount 2^60', { k: 'pn.dec', n: 2 ** 60 }, 'limit'],
    ['negative amount', { k: 'pn.inc', n: -1 }, 'malformed'],
    ['extra field', { k: 'pn.inc', n: 1, d: [] }, 'malformed'],
  ],
  'g-set': [
    ['unknown verb', { k: 'gs.rm', v: 'x' }, 'malformed'],
    ['missing value', { k: 'gs.add' }, 'malformed'],
    ['object value', { k: 'gs.add', v: { a: 1 } }, 'malformed'],
    ['array value', { k: 'gs.add', v: [1] }, 'malformed'],
    ['NaN value', { k: 'gs.add', v: Number.NaN }, 'malformed'],
    ['infinite value', { k: 'gs.add', v: Number.NEGATIVE_INFINITY }, 'malformed'],
    ['bigint value', { k: 'gs.add', v: 2n ** 70n }, 'malformed'],
    ['lone surrogate', { k: 'gs.add', v: 'a\uD800b' }, 'malformed'],
    ['1 MiB string', { k: 'gs.add', v: 'x'.repeat(MiB) }, 'limit'],
    ['4,097-byte string (multi-byte characters)', { k: 'gs.add', v: 'é'.repeat(2_049) }, 'limit'],
    ['1 MiB byte string', { k: 'gs.add', v: new Uint8Array(MiB) }, 'limit'],
  ],
  'or-set': [
    ['unknown verb', { k: 'ors.clear', d: [] }, 'malformed'],
    ['add without dots', { k: 'ors.add', v: 'x' }, 'malformed'],
    ['remove with a value', { k: 'ors.rm', v: 'x', d: [] }, 'malformed'],
    ['dots not an array', { k: 'ors.rm', d: 'all' }, 'malformed'],
    ['dot not a pair', { k: 'ors.rm', d: [[id32(1), 0, 0]] }, 'malformed'],
    ['dot id of 31 bytes', { k: 'ors.rm', d: [[new Uint8Array(31), 0]] }, 'malformed'],
    ['dot id as text', { k: 'ors.rm', d: [['ab', 0]] }, 'malformed'],
    ['negative index', { k: 'ors.rm', d: [[id32(1), -1]] }, 'malformed'],
    ['fractional index', { k: 'ors.rm', d: [[id32(1), 0.5]] }, 'malformed'],
    ['index 10^9', { k: 'ors.rm', d: [[id32(1), 1e9]] }, 'limit'],
    ['dots out of order', { k: 'ors.rm', d: [dot(2), dot(1)] }, 'malformed'],
    ['a dot twice', { k: 'ors.rm', d: [dot(1), dot(1)] }, 'malformed'],
    ['10^6 dots', { k: 'ors.rm', d: Array.from({ length: 1e6 }, (_, i) => [id32(1), i]) }, 'limit'],
    ['1 MiB string', { k: 'ors.add', v: 'x'.repeat(MiB), d: [] }, 'limit'],
  ],
  'lww-register': [
    ['unknown verb', { k: 'lww.get' }, 'malformed'],
    ['missing value', { k: 'lww.set' }, 'malformed'],
    ['undefined value', { k: 'lww.set', v: undefined }, 'malformed'],
    ['1 MiB string', { k: 'lww.set', v: 'x'.repeat(MiB) }, 'limit'],
    ['extra field', { k: 'lww.set', v: 1, t: 99 }, 'malformed'],
  ],
  'mv-register': [
    ['unknown verb', { k: 'mv.clear', d: [] }, 'malformed'],
    ['missing dots', { k: 'mv.set', v: 1 }, 'malformed'],
    ['1,025 dots', { k: 'mv.set', v: 1, d: Array.from({ length: 1_025 }, (_, i) => [id32(1), i]) }, 'limit'],
    ['10^6 dots', { k: 'mv.set', v: 1, d: Array.from({ length: 1e6 }, (_, i) => [id32(1), i]) }, 'limit'],
    ['1 MiB byte string', { k: 'mv.set', v: new Uint8Array(MiB), d: [] }, 'limit'],
  ],
};

/** Shapes no type accepts. */
const NOT_OPS: [string, unknown][] = [
  ['null', null],
  ['a string', 'gc.inc'],
  ['an array', ['gc.inc', 1]],
  ['bytes', Uint8Array.of(1)],
  ['a Map', new Map([['k', 'gc.inc']])],
  ['no kind', { n: 1 }],
  ['numeric kind', { k: 1 }],
  ['empty kind', { k: '' }],
  ['unknown prefix', { k: 'zz.add', v: 1 }],
  ['prefix without dot', { k: 'gcinc', n: 1 }],
  ['very long kind', { k: 'gc.' + 'x'.repeat(MiB) }],
];

/** A non-empty state, so "untouched" means something. */
function busyState(h: (typeof HARNESSES)[number]): unknown {
  const history = simulate(h, 7, 3, 25);
  return history.replicaStates.reduce((a, b) => h.type.merge(a, b));
}

for (const h of HARNESSES) {
  const type = h.type as AnyType;
  const name = type.name;

  test(`${name}: operations of every other type are refused as wrong-type, state untouched`, () => {
    const state = busyState(h);
    const before = hex(type.encodeState(state));
    for (const [other, op] of Object.entries(SAMPLE_OPS)) {
      if (other === name) {
        assert.ok(type.decodeOp(op).ok, `own sample ${JSON.stringify(op)}`);
        continue;
      }
      const decoded = type.decodeOp(op);
      assert.equal(decoded.ok ? 'accepted' : decoded.reason, 'wrong-type', other);
      const applied = type.apply(state, op, origin(1, 200, 100));
      assert.equal(applied.ok ? 'accepted' : applied.reason, 'wrong-type', other);
      assert.equal(hex(type.encodeState(state)), before);
    }
  });

  test(`${name}: unknown kinds, malformed operations and absurd sizes are refused with their reason, state untouched`, () => {
    const state = busyState(h);
    const before = hex(type.encodeState(state));
    const cases: [string, unknown, CrdtRejectionReason][] = [...NOT_OPS.map(([d, v]) => [d, v, 'malformed'] as [string, unknown, CrdtRejectionReason]), ...(BAD_OPS[name] ?? [])];
    for (const [what, op, reason] of cases) {
      const decoded = type.decodeOp(op);
      assert.equal(decoded.ok ? 'accepted' : decoded.reason, reason, `decodeOp: ${what}`);
      const applied = type.apply(state, op, origin(1, 200, 100));
      assert.equal(applied.ok ? 'accepted' : applied.reason, reason, `apply: ${what}`);
      assert.equal(hex(type.encodeState(state)), before, what);
    }
  });

  test(`${name}: truncated, mutated and random snapshot bytes are refused or decode to exactly themselves`, () => {
    const rand = prng(name.length * 7919);
    const seeds: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      const history = simulate(h, 1_000 + i, 2, 6 + i * 2);
      for (const s of history.replicaStates) seeds.push(type.encodeState(s));
    }
    const reasons = new Map<string, number>();
    let accepted = 0;
    const tries = 3_000;
    for (let t = 0; t < tries; t++) {
      const base = seeds[Math.floor(rand() * seeds.length)] as Uint8Array;
      let bytes: Uint8Array;
      const mode = Math.floor(rand() * 6);
      if (mode === 0) {
        bytes = base.slice(0, Math.floor(rand() * base.length));
      } else if (mode === 1) {
        bytes = base.slice();
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      } else if (mode === 2) {
        const at = Math.floor(rand() * (base.length + 1));
        bytes = Uint8Array.from([...base.slice(0, at), Math.floor(rand() * 256), ...base.slice(at)]);
      } else if (mode === 3) {
        const at = Math.floor(rand() * base.length);
        bytes = Uint8Array.from([...base.slice(0, at), ...base.slice(at + 1)]);
      } else if (mode === 4) {
        bytes = Uint8Array.from([...base, ...Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256))]);
      } else {
        bytes = Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
        if (rand() < 0.5 && bytes.length >= 2) bytes.set(base.subarray(0, 2));
      }
      const r = type.decodeState(bytes);
      if (r.ok) {
        accepted++;
        assert.equal(hex(type.encodeState(r.value)), hex(bytes), 'an accepted snapshot is canonical');
      } else {
        reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
        assert.ok(r.detail.length > 0);
      }
    }
    assert.ok((reasons.get('malformed') ?? 0) > tries / 2, JSON.stringify([...reasons]));
    assert.ok(accepted < tries / 2);
  });

  test(`${name}: snapshot header and framing problems`, () => {
    const good = type.encodeState(busyState(h));
    const reason = (bytes: unknown): string => {
      const r = type.decodeState(bytes as Uint8Array);
      return r.ok ? 'accepted' : r.reason;
    };
    assert.equal(reason(good), 'accepted');
    assert.equal(reason(new Uint8Array(0)), 'malformed');
    assert.equal(reason(good.subarray(0, 1)), 'malformed');
    assert.equal(reason('not bytes'), 'malformed');
    assert.equal(reason(Uint8Array.from([...good, 0])), 'malformed', 'trailing byte');
    assert.equal(reason(Uint8Array.from([good[0] as number, 2, ...good.subarray(2)])), 'malformed', 'format version 2');
    assert.equal(reason(Uint8Array.from([0x63, 1, ...good.subarray(2)])), 'malformed', 'unknown type code');
    for (const other of HARNESSES) {
      if (other.type.name === name) continue;
      assert.equal(reason(other.type.encodeState(other.type.create())), 'wrong-type', other.type.name);
    }
  });
}

/** Snapshot bytes built by hand, to reach each check of the body readers. */
const LEB_HUGE = [0x80, 0x80, 0x80, 0x80, 0x80, 0x40]; // 2^40
const author = [...id32(1, 0xaa)];
const vertex = [...id32(1, 0xbb)];
const F64 = (n: number): number[] => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, n, false);
  return [...b];
};

const BAD_SNAPSHOTS: [string, AnyType, number[], CrdtRejectionReason][] = [
  ['g-counter: 2^40 authors', gCounter as AnyType, [1, 1, ...LEB_HUGE], 'limit'],
  ['g-counter: 3 authors in 66 bytes', gCounter as AnyType, [1, 1, 3, ...author, 1, ...author, 1], 'malformed'],
  ['g-counter: a total of 0', gCounter as AnyType, [1, 1, 1, ...author, 0], 'malformed'],
  ['g-counter: a total of 2^64', gCounter as AnyType, [1, 1, 1, ...author, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02], 'limit'],
  ['g-counter: an 11-byte total', gCounter as AnyType, [1, 1, 1, ...author, ...Array(10).fill(0x81), 0x01], 'malformed'],
  ['g-counter: a non-minimal total', gCounter as AnyType, [1, 1, 1, ...author, 0x81, 0x00], 'malformed'],
  ['g-counter: authors out of order', gCounter as AnyType, [1, 1, 2, ...id32(2, 0xaa), 1, ...id32(1, 0xaa), 1], 'malformed'],
  ['g-counter: an author twice', gCounter as AnyType, [1, 1, 2, ...author, 1, ...author, 1], 'malformed'],
  ['g-set: 2^40 elements', gSet as AnyType, [3, 1, ...LEB_HUGE], 'limit'],
  ['g-set: a 1 MiB string', gSet as AnyType, [3, 1, 1, 4, 0x80, 0x80, 0x40, 0x61], 'limit'],
  ['g-set: invalid UTF-8', gSet as AnyType, [3, 1, 1, 4, 2, 0xc3, 0x28], 'malformed'],
  ['g-set: an encoded surrogate', gSet as AnyType, [3, 1, 1, 4, 3, 0xed, 0xa0, 0x80], 'malformed'],
  ['g-set: NaN', gSet as AnyType, [3, 1, 1, 3, ...F64(Number.NaN)], 'malformed'],
  ['g-set: -0', gSet as AnyType, [3, 1, 1, 3, ...F64(-0)], 'malformed'],
  ['g-set: infinity', gSet as AnyType, [3, 1, 1, 3, ...F64(Number.POSITIVE_INFINITY)], 'malformed'],
  ['g-set: unknown scalar tag', gSet as AnyType, [3, 1, 1, 9], 'malformed'],
  ['g-set: elements out of order', gSet as AnyType, [3, 1, 2, 2, 1], 'malformed'],
  ['g-set: an element twice', gSet as AnyType, [3, 1, 2, 0, 0], 'malformed'],
  ['or-set: a value without dots', orSet as AnyType, [4, 1, 1, 0, 0, 0], 'malformed'],
  ['or-set: 2^40 dots of a value', orSet as AnyType, [4, 1, 1, 0, ...LEB_HUGE, ...Array(40).fill(0)], 'limit'],
  ['or-set: a dot index above the limit', orSet as AnyType, [4, 1, 1, 0, 1, ...vertex, 0x80, 0x80, 0x04, 0], 'limit'],
  ['or-set: a dot both live and removed', orSet as AnyType, [4, 1, 1, 0, 1, ...vertex, 0, 1, ...vertex, 0], 'malformed'],
  ['or-set: one dot under two values', orSet as AnyType, [4, 1, 2, 0, 1, ...vertex, 0, 1, 1, ...vertex, 0, 0], 'malformed'],
  ['or-set: removed dots out of order', orSet as AnyType, [4, 1, 0, 2, ...vertex, 1, ...vertex, 0], 'malformed'],
  ['or-set: 2^40 removed dots', orSet as AnyType, [4, 1, 0, ...LEB_HUGE], 'limit'],
  ['mv-register: values out of order', mvRegister as AnyType, [6, 1, 2, 1, 1, ...id32(2, 0xbb), 0, 0, 1, ...vertex, 0, 0], 'malformed'],
  ['lww-register: flag 2', lwwRegister as AnyType, [5, 1, 2], 'malformed'],
  ['lww-register: Lamport 0', lwwRegister as AnyType, [5, 1, 1, 0, ...author, ...vertex, 0, 0], 'malformed'],
  ['lww-register: Lamport beyond 2^53', lwwRegister as AnyType, [5, 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...author, ...vertex, 0, 0], 'malformed'],
  ['lww-register: truncated id', lwwRegister as AnyType, [5, 1, 1, 1, ...author, ...vertex.slice(0, 20)], 'malformed'],
  ['pn-counter: decrements missing', pnCounter as AnyType, [2, 1, 0], 'malformed'],
];

test('hand-built snapshots reach every body check', () => {
  for (const [what, type, bytes, reason] of BAD_SNAPSHOTS) {
    const r = type.decodeState(Uint8Array.from(bytes));
    assert.equal(r.ok ? 'accepted' : r.reason, reason, what);
  }
  // And the well-formed neighbours of some of them are accepted.
  assert.ok(gCounter.decodeState(Uint8Array.from([1, 1, 1, ...author, 1])).ok);
  assert.ok(orSet.decodeState(Uint8Array.from([4, 1, 1, 0, 1, ...vertex, 0, 0])).ok);
  assert.ok(lwwRegister.decodeState(Uint8Array.from([5, 1, 1, 1, ...author, ...vertex, 0, 0])).ok);
  assert.ok(pnCounter.decodeState(Uint8Array.from([2, 1, 0, 0])).ok);
});

test('local constructors refuse values outside the scalar model', () => {
  const bad: unknown[] = [undefined, Number.NaN, Number.POSITIVE_INFINITY, 'x'.repeat(4_097), new Uint8Array(4_097), 'a\uDC00', { a: 1 }, [1], 1n];
  for (const v of bad) {
    assert.throws(() => gSet.add(v as never), CrdtArgumentError);
    assert.throws(() => lwwRegister.write(v as never), CrdtArgumentError);
    assert.throws(() => orSet.add(orSet.create(), v as never), CrdtArgumentError);
    assert.throws(() => mvRegister.write(mvRegister.create(), v as never), CrdtArgumentError);
  }
  // The limits themselves are accepted.
  gSet.add('x'.repeat(BASIC_TYPE_LIMITS.maxScalarBytes));
  gSet.add(new Uint8Array(BASIC_TYPE_LIMITS.maxScalarBytes));
  gSet.add('\u{1F600}'.repeat(BASIC_TYPE_LIMITS.maxScalarBytes / 4));
});
