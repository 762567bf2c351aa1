import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BloomFilter, BLOOM_LIMITS } from '../../src/dag/index.ts';
import { prng, provider } from '../support/fixtures.ts';

const hash = (d: Uint8Array): Uint8Array => provider.sha3_256(d);
const rand = prng(7);
const id = (): Uint8Array => Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256));
const salt = (n: number): Uint8Array => new Uint8Array(16).fill(n);

test('no false negatives; false-positive rate close to the target', () => {
  const ids = Array.from({ length: 5000 }, id);
  const params = BloomFilter.parametersFor(ids.length, 0.01);
  const f = BloomFilter.create({ ...params, salt: salt(1) }, hash);
  for (const x of ids) f.add(x);
  assert.ok(ids.every((x) => f.has(x)));
  let fp = 0;
  const trials = 20_000;
  for (let i = 0; i < trials; i++) if (f.has(id())) fp++;
  assert.ok(fp / trials < 0.02, `false-positive rate ${fp / trials}`);
});

test('the salt re-keys every position: ids ground to collide under one salt collide only by chance under another', () => {
  const params = { bits: 1024, hashes: 3 };
  const members = Array.from({ length: 300 }, id);
  const fill = (n: number): BloomFilter => {
    const f = BloomFilter.create({ ...params, salt: salt(n) }, hash);
    for (const m of members) f.add(m);
    return f;
  };
  const a = fill(1);
  // What a grinding adversary would do: search for non-members that look present under salt 1.
  const colliding: Uint8Array[] = [];
  while (colliding.length < 200) {
    const y = id();
    if (a.has(y)) colliding.push(y);
  }
  // Under a fresh salt they are false positives only at the filter's base rate (~0.2 here), not always.
  const b = fill(2);
  const base = Array.from({ length: 2000 }, id).filter((y) => b.has(y)).length / 2000;
  const still = colliding.filter((y) => b.has(y)).length / colliding.length;
  assert.ok(base > 0.05 && base < 0.5, `base rate ${base}`);
  assert.ok(still < base + 0.12, `${still} of the ground ids still collide (base ${base})`);
});

test('wire form round-trips; malformed or oversized filters are refused before allocating', () => {
  const f = BloomFilter.create({ bits: 999, hashes: 5, salt: salt(3) }, hash);
  const xs = Array.from({ length: 50 }, id);
  for (const x of xs) f.add(x);
  const g = BloomFilter.fromBytes(f.toBytes(), hash);
  assert.ok(g !== undefined);
  assert.ok(xs.every((x) => g.has(x)));
  assert.equal(g.bits, 999);
  const bytes = f.toBytes();
  assert.equal(BloomFilter.fromBytes(bytes.subarray(0, bytes.length - 1), hash), undefined);
  assert.equal(BloomFilter.fromBytes(bytes.subarray(0, 10), hash), undefined);
  const tooBig = Uint8Array.from(bytes);
  tooBig[0] = 0xff; // declares 4 billion bits
  assert.equal(BloomFilter.fromBytes(tooBig, hash), undefined);
  const zeroHashes = Uint8Array.from(bytes);
  zeroHashes[4] = 0;
  assert.equal(BloomFilter.fromBytes(zeroHashes, hash), undefined);
  const manyHashes = Uint8Array.from(bytes);
  manyHashes[4] = BLOOM_LIMITS.maxHashes + 1;
  assert.equal(BloomFilter.fromBytes(manyHashes, hash), undefined);
});

test('bad parameters and ids are programming errors with a code', () => {
  assert.throws(() => BloomFilter.create({ bits: 4, hashes: 1, salt: salt(1) }, hash), { code: 'ERR_BLOOM_PARAMETERS' });
  assert.throws(() => BloomFilter.create({ bits: 64, hashes: 1, salt: new Uint8Array(8) }, hash), { code: 'ERR_BLOOM_PARAMETERS' });
  assert.throws(() => BloomFilter.parametersFor(10, 0), { code: 'ERR_BLOOM_PARAMETERS' });
  const f = BloomFilter.create({ bits: 64, hashes: 2, salt: salt(1) }, hash);
  assert.throws(() => f.add(new Uint8Array(31)), { code: 'ERR_BLOOM_ID' });
});
