import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpareBuffers } from '../../src/node/spare-buffers.ts';

const KiB = 1024;

/** Every kept buffer's size, smallest first, taking them all out. */
function drain(spare: SpareBuffers): number[] {
  const sizes: number[] = [];
  for (let b = spare.take(0); b !== undefined; b = spare.take(0)) sizes.push(b.byteLength);
  return sizes;
}

test('spare buffers: a burst of small buffers does not crowd out the large ones a sync reuses', () => {
  const spare = new SpareBuffers(4, 4 * 1024 * KiB);
  for (let i = 0; i < 4; i++) spare.give(new ArrayBuffer(8 * KiB));
  spare.give(new ArrayBuffer(256 * KiB));
  spare.give(new ArrayBuffer(512 * KiB));
  assert.equal(spare.take(200 * KiB)?.byteLength, 256 * KiB);
  spare.give(new ArrayBuffer(256 * KiB));
  // More small ones change nothing once only small ones could be replaced by them.
  spare.give(new ArrayBuffer(8 * KiB));
  spare.give(new ArrayBuffer(4 * KiB));
  assert.deepEqual(drain(spare), [8 * KiB, 8 * KiB, 256 * KiB, 512 * KiB]);
});

test('spare buffers: take hands over the smallest that fits and nothing when none does', () => {
  const spare = new SpareBuffers(4, 4 * 1024 * KiB);
  spare.give(new ArrayBuffer(512 * KiB));
  spare.give(new ArrayBuffer(16 * KiB));
  spare.give(new ArrayBuffer(256 * KiB));
  assert.equal(spare.take(10 * KiB)?.byteLength, 16 * KiB);
  assert.equal(spare.take(300 * KiB)?.byteLength, 512 * KiB);
  assert.equal(spare.take(300 * KiB), undefined);
  assert.deepEqual(drain(spare), [256 * KiB]);
});

test('spare buffers: buffers over the size limit are not kept, and a zero-count list keeps none', () => {
  const spare = new SpareBuffers(4, 64 * KiB);
  spare.give(new ArrayBuffer(64 * KiB + 1));
  assert.deepEqual(drain(spare), []);
  const none = new SpareBuffers(0, 64 * KiB);
  none.give(new ArrayBuffer(8 * KiB));
  assert.deepEqual(drain(none), []);
});
