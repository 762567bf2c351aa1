import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteWriter, MAX_VARINT, readVarint, varintSize } from '../../src/crypto/index.ts';

test('varints round-trip in their shortest form up to 2^53 - 1', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.maxSafeNat()), (n) => {
      const w = new ByteWriter(1);
      w.varint(n);
      const bytes = w.finish();
      assert.equal(bytes.length, varintSize(n));
      assert.deepEqual(readVarint(bytes, 0), { ok: true, value: n, end: bytes.length });
    }),
    { numRuns: 1000 },
  );
  const w = new ByteWriter();
  w.varint(MAX_VARINT);
  assert.equal(w.length, 8);
  assert.throws(() => w.varint(-1), RangeError);
  assert.throws(() => w.varint(2 ** 53), RangeError);
  assert.throws(() => w.varint(1.5), RangeError);
});

test('readVarint names each problem', () => {
  assert.deepEqual(readVarint(Uint8Array.of(0x80), 0), { ok: false, problem: 'truncated' });
  assert.deepEqual(readVarint(new Uint8Array(0), 0), { ok: false, problem: 'truncated' });
  assert.deepEqual(readVarint(Uint8Array.of(0x81, 0x00), 0), { ok: false, problem: 'non-canonical' });
  assert.deepEqual(readVarint(new Uint8Array(9).fill(0x80), 0), { ok: false, problem: 'too-long' });
  // 2^53 in 8 bytes: the right length, one above the limit.
  assert.deepEqual(readVarint(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10), 0), { ok: false, problem: 'too-large' });
  assert.deepEqual(readVarint(Uint8Array.of(0xff, 0x05, 0x07), 1), { ok: true, value: 5, end: 2 });
});

test('bytes, u8, bigVarint and f64 append in order; finish copies', () => {
  const w = new ByteWriter(2);
  w.u8(0x1ff);
  w.bytes(Uint8Array.of(1, 2, 3));
  w.bigVarint(2n ** 64n - 1n);
  w.f64(-0.5);
  const out = w.finish();
  assert.deepEqual([...out.subarray(0, 4)], [0xff, 1, 2, 3]);
  assert.deepEqual([...out.subarray(4, 14)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.equal(new DataView(out.buffer, 14, 8).getFloat64(0, false), -0.5);
  assert.equal(out.length, 22);
  assert.throws(() => w.bigVarint(-1n), RangeError);
  out[0] = 0;
  assert.equal(w.finish()[0], 0xff);
});
