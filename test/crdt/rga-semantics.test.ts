import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { deleteOp, insertOp, OBJECT_REPLACEMENT, rga, rgaLength, rgaText, type RgaOp } from '../../src/crdt/rga/index.ts';
import { applyOk, at, author, bytesOf, del, hex, ins, itemOrder } from './rga-support.ts';

const A = author(0x10);
const B = author(0x20);

test('text counts code points: "a😀b" has length 3 and every position is a code point', () => {
  const s = rga.create();
  ins(s, A, 0, 'a😀b');
  assert.equal(rgaLength(s), 3);
  assert.deepEqual(rga.value(s), ['a', '😀', 'b']);
  ins(s, A, 2, '\u{1F680}');
  assert.equal(rgaText(s), 'a😀🚀b');
  del(s, A, 1, 1);
  assert.equal(rgaText(s), 'a🚀b');
  del(s, A, 0, 3);
  assert.equal(rgaText(s), '');
  assert.equal(rgaLength(s), 0);
});

test('lists hold scalars; text and list elements are one model, and rgaText shows other values as U+FFFC', () => {
  const s = rga.create();
  ins(s, A, 0, [1, null, true, 'word', Uint8Array.of(9)]);
  ins(s, A, 2, 'xy');
  assert.deepEqual(rga.value(s), [1, null, 'x', 'y', true, 'word', Uint8Array.of(9)]);
  assert.equal(rgaText(s), `${OBJECT_REPLACEMENT}${OBJECT_REPLACEMENT}xy${OBJECT_REPLACEMENT.repeat(3)}`);
  assert.equal(rgaLength(s), 7);
  // A list of single code points and the same text are the same elements, so the same bytes.
  const t = rga.create();
  ins(t, A, 0, 'ab');
  const l = rga.create();
  ins(l, A, 0, ['a', 'b']);
  assert.equal(bytesOf(t), bytesOf(l));
  // The value is a copy: changing it changes nothing.
  const v = rga.value(s);
  (v[6] as Uint8Array)[0] = 0;
  assert.deepEqual(rga.value(s)[6], Uint8Array.of(9));
});

test('constructors are pure; a delete names id ranges, so it deletes the same items after concurrent inserts', () => {
  const s = rga.create();
  ins(s, A, 0, 'hello');
  const before = bytesOf(s);
  const d = deleteOp(s, 1, 3);
  const i = insertOp(s, B, 2, 'XYZ');
  assert.ok(d.ok && i.ok);
  assert.equal(bytesOf(s), before);
  assert.deepEqual(d.value, { kind: 'rga.del', ranges: [{ author: A, seq: 1, len: 3 }] });
  // Another replica inserts inside the range first; the delete still takes exactly "ell".
  const other = rga.clone(s);
  applyOk(other, i.value, B);
  applyOk(other, d.value, A);
  assert.equal(rgaText(other), 'hXYZo');
  applyOk(s, d.value, A);
  applyOk(s, i.value, B);
  assert.equal(bytesOf(s), bytesOf(other));
});

test('a delete spanning several authors names one range per author run; concurrent deletes of one item agree', () => {
  const s = rga.create();
  ins(s, A, 0, 'aaaa');
  ins(s, B, 2, 'bb');
  const d = deleteOp(s, 1, 4);
  assert.ok(d.ok);
  assert.deepEqual(
    d.value.kind === 'rga.del' && d.value.ranges.map((r) => [hex(r.author).slice(0, 2), r.seq, r.len]),
    [
      ['10', 1, 1],
      ['20', 0, 2],
      ['10', 2, 1],
    ],
  );
  const x = rga.clone(s);
  const y = rga.clone(s);
  del(x, A, 0, 2);
  del(y, B, 1, 2);
  const mx = rga.merge(x, y);
  assert.equal(rgaText(mx), 'baa');
  assert.equal(bytesOf(mx), bytesOf(rga.merge(y, x)));
});

test('typing after a deletion continues the same run: a backspace and retype keeps one id chain', () => {
  const s = rga.create();
  ins(s, A, 0, 'ab');
  ins(s, A, 2, 'c');
  del(s, A, 2, 1);
  const op = insertOp(s, A, 2, 'd');
  assert.ok(op.ok);
  const o = op.value as Extract<RgaOp, { kind: 'rga.ins' }>;
  // Left origin is the deleted "c" (the item just before the next visible one), right the end.
  assert.deepEqual([o.left?.seq, o.right], [2, null]);
  applyOk(s, o, A);
  assert.equal(rgaText(s), 'abd');
  assert.equal(itemOrder(s).length, 4);
});

test('an author that equivocates (two concurrent inserts with one seq) gets one refused on each replica; merge still returns', () => {
  const base = rga.create();
  ins(base, A, 0, 'base');
  const x = insertOp(base, B, 0, 'X');
  const y = insertOp(base, B, 4, 'Y');
  assert.ok(x.ok && y.ok);
  assert.equal((x.value as { seq: number }).seq, (y.value as { seq: number }).seq);
  const r1 = rga.clone(base);
  const r2 = rga.clone(base);
  applyOk(r1, x.value, B);
  applyOk(r2, y.value, B);
  const refused1 = rga.apply(r1, y.value, at(B));
  const refused2 = rga.apply(r2, x.value, at(B));
  assert.ok(!refused1.ok && refused1.reason === 'out-of-order');
  assert.ok(!refused2.ok && refused2.reason === 'out-of-order');
  // The replicas hold different items under one id and stay apart: the cost of equivocation.
  assert.notEqual(bytesOf(r1), bytesOf(r2));
  assert.equal(rgaText(rga.merge(r1, r2)), 'Xbase');
});

/*
 * Golden bytes (docs/CRDT.md, "RGA"): A = 0x10 then 31 × 0xaa, B = 0x20 then 31 × 0xaa. A types
 * "hé😀", B inserts the list values [1, null] after "h", A deletes "h".
 */
const AUTHOR_A = '10' + 'aa'.repeat(31);
const AUTHOR_B = '20' + 'aa'.repeat(31);
const GOLDEN_STATE = `0701 02 ${AUTHOR_A} ${AUTHOR_B} 03 02 01 00 00 00 06 c3a9f09f9880 03 00 00 04 02 0100 0101 05 03 3ff0000000000000 00`;
const GOLDEN_OPS = [
  'a3 616b 677267612e696e73 6173 00 6174 6768c3a9f09f9880',
  `a5 616b 677267612e696e73 616c 82 5820 ${AUTHOR_A} 00 6172 82 5820 ${AUTHOR_A} 01 6173 00 6176 82 01 f6`,
  `a2 6164 81 83 5820 ${AUTHOR_A} 00 01 616b 677267612e64656c`,
];

test('golden bytes of a snapshot and of its operations in DAG-CBOR', () => {
  const s = rga.create();
  const ops = [ins(s, A, 0, 'hé😀'), ins(s, B, 1, [1, null]), del(s, A, 0, 1)];
  assert.equal(bytesOf(s), GOLDEN_STATE.replaceAll(' ', ''));
  assert.deepEqual(
    ops.map((op) => hex(dagCbor.encode(rga.encodeOp(op)))),
    GOLDEN_OPS.map((g) => g.replaceAll(' ', '')),
  );
  const back = rga.decodeState(Buffer.from(GOLDEN_STATE.replaceAll(' ', ''), 'hex'));
  assert.ok(back.ok);
  assert.deepEqual(rga.value(back.value), [1, null, 'é', '😀']);
  // Applying the decoded operations to a fresh replica rebuilds the same bytes.
  const r = rga.create();
  GOLDEN_OPS.forEach((g, i) => {
    const op = rga.decodeOp(dagCbor.decode(Buffer.from(g.replaceAll(' ', ''), 'hex')));
    assert.ok(op.ok);
    applyOk(r, op.value, i === 1 ? B : A);
  });
  assert.equal(bytesOf(r), GOLDEN_STATE.replaceAll(' ', ''));
});
