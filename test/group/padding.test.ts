import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_CONTENT_BYTES, PADDING_BUCKETS, padToBucket, unpad } from '../../src/group/padding.ts';

function content(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
}

function badPadding(padded: Uint8Array, detail?: RegExp): void {
  const r = unpad(padded);
  assert.equal(r.ok, false, 'expected a rejection');
  if (r.ok) return;
  assert.equal(r.reason, 'bad-padding');
  if (detail !== undefined) assert.match(r.detail, detail);
}

/** A padded buffer of `size` bytes declaring `declared` content bytes (content left zero). */
function raw(size: number, declared: number): Uint8Array {
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, declared, false);
  return out;
}

test('padding round-trips at the bucket edges', () => {
  for (const n of [0, 1, 251, 252, 253, 1020, 1021, 4092, 16380, 65532]) {
    const c = content(n);
    const padded = padToBucket(c);
    const r = unpad(padded);
    assert.ok(r.ok, `length ${n}`);
    assert.deepEqual(r.value, c, `length ${n}`);
  }
});

test('the bucket is the smallest that holds the 4-byte length and the content', () => {
  const cases: [number, number][] = [
    [0, 256],
    [1, 256],
    [252, 256],
    [253, 1024],
    [1020, 1024],
    [1021, 4096],
    [4092, 4096],
    [4093, 16384],
    [16380, 16384],
    [16381, 65536],
    [65532, 65536],
  ];
  for (const [n, bucket] of cases) assert.equal(padToBucket(content(n)).length, bucket, `length ${n}`);
  const padded = padToBucket(Uint8Array.of(9, 8, 7));
  assert.deepEqual(padded.subarray(0, 7), Uint8Array.of(0, 0, 0, 3, 9, 8, 7));
  assert.ok(padded.subarray(7).every((b) => b === 0));
});

test('content above MAX_CONTENT_BYTES is refused with ERR_MESSAGE_TOO_LARGE', () => {
  assert.equal(MAX_CONTENT_BYTES, 65532);
  assert.throws(() => padToBucket(new Uint8Array(MAX_CONTENT_BYTES + 1)), { name: 'GroupError', code: 'ERR_MESSAGE_TOO_LARGE' });
});

test('property: any content length round-trips into a bucket', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_CONTENT_BYTES }), fc.integer({ min: 0, max: 255 }), (n, fill) => {
      const c = new Uint8Array(n).fill(fill);
      const padded = padToBucket(c);
      assert.ok((PADDING_BUCKETS as readonly number[]).includes(padded.length));
      const r = unpad(padded);
      assert.ok(r.ok);
      assert.deepEqual(r.value, c);
    }),
    { numRuns: 200 },
  );
});

test('a nonzero byte at any padding position is refused', () => {
  const padded = padToBucket(content(10));
  for (let i = 4 + 10; i < padded.length; i++) {
    const bad = new Uint8Array(padded);
    bad[i] = 1;
    badPadding(bad, /not zero/);
  }
  // The same bytes inside the declared content are fine: only padding must be zero.
  const inside = new Uint8Array(padded);
  inside[4 + 9] = 0xff;
  assert.ok(unpad(inside).ok);
});

test('non-canonical and impossible forms are refused', () => {
  badPadding(raw(256, 253), /does not fit/); // declared length too big for the buffer
  badPadding(raw(256, 0xffffffff), /does not fit/);
  badPadding(raw(1024, 10), /smaller bucket/); // would have fitted 256
  badPadding(raw(65536, 1020), /smaller bucket/);
  for (const size of [0, 3, 4, 255, 257, 1000, 65535, 65537, 131072]) badPadding(new Uint8Array(size), /not a bucket/);
  // The largest legal declarations of each bucket are accepted.
  assert.ok(unpad(raw(256, 252)).ok);
  assert.ok(unpad(raw(1024, 253)).ok);
  assert.ok(unpad(raw(65536, 65532)).ok);
});
