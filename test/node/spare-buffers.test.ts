import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpareBuffers } from '../../src/node/spare-buffers.ts';

const KiB = 1024;

test('spare buffers: a burst of small buffers does not crowd out the large ones a sync reuses', () => {
  const spare = new SpareBuffers(4, 4 * 1024 * KiB);
  for (let i = 0; i < 4; i++) spare.give(new ArrayBuffer(8 * KiB));
  spare.give(new ArrayBuffer(256 * KiB));
  spare.give(new ArrayBuffer(512 * KiB));
  assert.deepEqual([...spare.sizes()].sort((a, b) => a - b), [8 * KiB, 8 * KiB, 256 * KiB, 512 * KiB]);
  // More small ones change nothing once only small ones could be replaced by them.
  spare.give(new ArrayBuffer(8 * KiB));
  spare.give(new ArrayBuffer(4 * KiB));
  assert.deepEqual([...spare.sizes()].sort((a, b) => a - b), [8 * KiB, 8 * KiB, 256 * KiB, 512 * KiB]);
  assert.equal(spare.take(200 * KiB)?.byteLength, 256 * KiB);
});

test('spare buffers: take hands over the smallest that fits and nothing when none does', () => {
  const spare = new SpareBuffers(4, 4 * 1024 * KiB);
  spare.give(new ArrayBuffer(512 * KiB));
  spare.give(new ArrayBuffer(16 * KiB));
  spare.give(new ArrayBuffer(256 * KiB));
  assert.equal(spare.take(10 * KiB)?.byteLength, 16 * KiB);
  assert.equal(spare.take(300 * KiB)?.byteLength, 512 * KiB);
  assert.equal(spare.take(300 * KiB), undefined);
  assert.deepEqual(spare.sizes(), [256 * KiB]);
});

test('spare buffers: buffers over the size limit are not kept, and a zero-count list keeps none', () => {
  const spare = new SpareBuffers(4, 64 * KiB);
  spare.give(new ArrayBuffer(64 * KiB + 1));
  assert.deepEqual(spare.sizes(), []);
  const none = new SpareBuffers(0, 64 * KiB);
  none.give(new ArrayBuffer(8 * KiB));
  assert.deepEqual(none.sizes(), []);
});
