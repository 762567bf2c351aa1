import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { IdIndex } from '../../src/store/id-index.ts';

test('id index: every added id is found at its seq, through many doublings; absent ids are not', () => {
  const index = new IdIndex();
  const ids = Array.from({ length: 50_000 }, () => new Uint8Array(randomBytes(32)));
  const seqOf = new Map<string, number>();
  ids.forEach((id, i) => {
    index.add(id, i + 1);
    seqOf.set(Buffer.from(id).toString('hex'), i + 1);
  });
  assert.equal(index.size, ids.length);
  // Stands for the store's row read: it reads (here: the seq) only the row that holds the id.
  const rowHolds = (id: Uint8Array) => (seq: number) => (seqOf.get(Buffer.from(id).toString('hex')) === seq ? seq : undefined);
  ids.forEach((id, i) => assert.equal(index.find(id, rowHolds(id)), i + 1));
  for (let i = 0; i < 1000; i++) {
    const other = new Uint8Array(randomBytes(32));
    assert.equal(index.find(other, rowHolds(other)), undefined);
  }
});

test('id index: candidates sharing a fingerprint are each offered until one matches', () => {
  const index = new IdIndex();
  const id = new Uint8Array(32).fill(7);
  // The same id at three rows: the same fingerprint three times, as colliding ids would have.
  for (const seq of [10, 20, 30]) index.add(id, seq);
  const offered: number[] = [];
  assert.equal(index.find(id, (seq) => (offered.push(seq), seq === 30 ? 'row 30' : undefined)), 'row 30');
  assert.deepEqual(offered.sort(), [10, 20, 30]);
  assert.equal(index.find(id, () => undefined), undefined, 'none of them holds it');
});

test('id index: the fingerprint takes in the whole id, so ids alike but for their last bytes do not pile up', () => {
  const index = new IdIndex();
  const base = new Uint8Array(randomBytes(32));
  const ids = Array.from({ length: 2000 }, (_, i) => {
    const id = Uint8Array.from(base);
    new DataView(id.buffer).setUint32(28, i);
    return id;
  });
  ids.forEach((id, i) => index.add(id, i + 1));
  let offered = 0;
  ids.forEach((id, i) => assert.equal(index.find(id, (seq) => (offered++, seq === i + 1 ? seq : undefined)), i + 1));
  // One candidate per lookup, bar rare chance collisions; a fingerprint of any fixed part of the
  // id would offer about a thousand per lookup here.
  assert.ok(offered < ids.length * 1.05, `${offered} candidates offered for ${ids.length} lookups`);
});

test('id index: a wrong-size id and a row id that is not a positive integer are refused with typed errors', () => {
  const index = new IdIndex();
  assert.throws(() => index.add(new Uint8Array(31), 1), { code: 'ERR_STORE_ID_SIZE' });
  assert.throws(() => index.find(new Uint8Array(33), () => 1), { code: 'ERR_STORE_ID_SIZE' });
  assert.throws(() => index.add(new Uint8Array(32), 0), { code: 'ERR_STORE_CORRUPT' });
  assert.throws(() => index.add(new Uint8Array(32), 1.5), { code: 'ERR_STORE_CORRUPT' });
  assert.equal(index.size, 0);
});
