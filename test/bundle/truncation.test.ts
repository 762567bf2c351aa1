import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { concatBytes } from '../../src/crypto/index.ts';
import { PREAMBLE_BYTES, SEALED_CHUNK_BYTES, type BundleError } from '../../src/bundle/index.ts';
import { identityOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { exportStore, sourceStore, sourceVertices } from './bundle-support.ts';
import { importRefused, receivers, writeCase, type Receiver } from './receiver-support.ts';

// A bundle cut short, lengthened, or with its sealed chunks reordered, repeated or dropped is
// refused with an error that says where it broke, and imports nothing.

const dir = tempDir('pars-bundle-cut-');
const receiver = receivers(dir);
const exporter = identityOf(31);

const vertices = sourceVertices({ vertices: 60, seed: 0xc07, payloadBytes: 1200 });
const source = sourceStore(join(dir, 'source.sqlite'), vertices);
const bundlePath = join(dir, 'whole.pars');
await exportStore(source, bundlePath, exporter);
const whole = new Uint8Array(readFileSync(bundlePath));
const chunks = (whole.length - PREAMBLE_BYTES) / SEALED_CHUNK_BYTES;
const chunkAt = (i: number): number => PREAMBLE_BYTES + i * SEALED_CHUNK_BYTES;

/** B holds the first 10 vertices already, so "unchanged" is a real state. */
async function receiverWithPart(name: string): Promise<Receiver> {
  const b = receiver(name);
  for (const key of source.keys()) b.ingester.addKey(key);
  const pre = await b.ingester.ingest(vertices.slice(0, 10).map((v) => v.bytes), 'test');
  assert.equal(pre.stored.length, 10);
  return b;
}

/** Imports `bytes` from a file; asserts it throws `code` at `offsets`, and that B is unchanged. */
async function refused(b: Receiver, bytes: Uint8Array, code: string, offsets: readonly number[], what: string): Promise<BundleError> {
  const caught = await importRefused(b, writeCase(dir, bytes), exporter.nodeId, what);
  assert.equal(caught.code, code, `${what}: ${caught.message}`);
  assert.ok(caught.offset !== undefined && offsets.includes(caught.offset), `${what}: broke at byte ${caught.offset}, expected one of ${offsets.join(', ')}`);
  assert.match(caught.message, new RegExp(`\\(at byte ${caught.offset}\\)$`), `${what}: the message names the byte`);
  return caught;
}

test('the bundle has at least three chunks and imports whole', async () => {
  assert.ok(Number.isInteger(chunks) && chunks >= 3, `${chunks} chunks`);
  const b = await receiverWithPart('control');
  const report = await b.import(bundlePath);
  assert.equal(report.stored, vertices.length - 10);
  assert.deepEqual(b.state(), { count: vertices.length, frontiers: source.frontiers() });
});

test('cut at any length: refused as not a bundle or truncated, at the cut or the chunk it cut', async () => {
  const b = await receiverWithPart('cut');
  for (const length of [0, 1, 7]) await refused(b, whole.subarray(0, length), 'ERR_BUNDLE_NOT_A_BUNDLE', [0], `cut to ${length} bytes`);
  for (const length of [8, 9, 44, 100, PREAMBLE_BYTES - 1]) {
    const error = await refused(b, whole.subarray(0, length), 'ERR_BUNDLE_TRUNCATED', [length], `cut inside the header at ${length}`);
    assert.match(error.message, /header/);
  }
  for (let k = 0; k < chunks; k++) {
    // At a chunk boundary: k whole chunks and no final one (k = 0: the header alone).
    const atBoundary = await refused(b, whole.subarray(0, chunkAt(k)), 'ERR_BUNDLE_TRUNCATED', [chunkAt(k)], `cut after ${k} chunks`);
    assert.match(atBoundary.message, new RegExp(`after ${k} chunks .*cut short`));
    // Inside chunk k: just after its start, in its middle, one byte short of its end.
    for (const inside of [1, 16, 30_000, SEALED_CHUNK_BYTES - 16, SEALED_CHUNK_BYTES - 1]) {
      const length = chunkAt(k) + inside;
      const error = await refused(b, whole.subarray(0, length), 'ERR_BUNDLE_TRUNCATED', [length, chunkAt(k)], `cut ${inside} bytes into chunk ${k}`);
      assert.match(error.message, new RegExp(`inside chunk ${k}: .*cut short`));
    }
  }
  // One byte short of complete, named separately because it is the cut a pulled stick makes most.
  await refused(b, whole.subarray(0, whole.length - 1), 'ERR_BUNDLE_TRUNCATED', [whole.length - 1, chunkAt(chunks - 1)], 'one byte short');
});

test('bytes after the final chunk: refused as trailing data at the end of the bundle', async () => {
  const b = await receiverWithPart('trailing');
  const lastChunk = whole.subarray(chunkAt(chunks - 1));
  const tails: [string, Uint8Array][] = [
    ['one zero byte', new Uint8Array(1)],
    ['one 0xff byte', Uint8Array.of(0xff)],
    ['a tag’s worth', new Uint8Array(16).fill(7)],
    ['a copy of the last chunk', lastChunk],
    ['the whole bundle again', whole],
  ];
  for (const [what, tail] of tails) {
    const error = await refused(b, concatBytes(whole, tail), 'ERR_BUNDLE_TRAILING_DATA', [whole.length], what);
    assert.match(error.message, new RegExp(`^${tail.length} bytes follow the final chunk`));
  }
});

test('sealed chunks swapped, repeated, dropped or taken from another bundle: refused at the first wrong chunk', async () => {
  const b = await receiverWithPart('reorder');
  const sealed: Uint8Array[] = Array.from({ length: chunks }, (_, i) => whole.subarray(chunkAt(i), chunkAt(i + 1)));
  const assemble = (order: readonly Uint8Array[]): Uint8Array => concatBytes(whole.subarray(0, PREAMBLE_BYTES), ...order);
  const swap = (i: number, j: number): Uint8Array[] => {
    const out = [...sealed];
    [out[i], out[j]] = [sealed[j] as Uint8Array, sealed[i] as Uint8Array];
    return out;
  };
  const last = chunks - 1;
  const cases: [string, Uint8Array[], number][] = [
    ['chunks 0 and 1 swapped', swap(0, 1), 0],
    ['chunks 1 and 2 swapped', swap(1, 2), 1],
    ['the last two chunks swapped', swap(last - 1, last), last - 1],
    ['chunk 0 repeated', [sealed[0] as Uint8Array, ...sealed], 1],
    ['chunk 1 repeated', [...sealed.slice(0, 2), sealed[1] as Uint8Array, ...sealed.slice(2)], 2],
    ['chunk 0 dropped', sealed.slice(1), 0],
    ['chunk 1 dropped', [sealed[0] as Uint8Array, ...sealed.slice(2)], 1],
    ['the last chunk moved to second place', [sealed[0] as Uint8Array, sealed[last] as Uint8Array, ...sealed.slice(1, last)], 1],
    ['the last chunk put in place of the first', [sealed[last] as Uint8Array, ...sealed.slice(1)], 0],
  ];
  for (const [what, order, brokenAt] of cases) {
    const error = await refused(b, assemble(order), 'ERR_BUNDLE_TAMPERED', [chunkAt(brokenAt)], what);
    assert.match(error.message, new RegExp(`^chunk ${brokenAt} fails its authentication check`));
  }
  // Dropping the final chunk leaves a stream that never ends: that is a cut, not a forgery.
  await refused(b, assemble(sealed.slice(0, last)), 'ERR_BUNDLE_TRUNCATED', [chunkAt(last)], 'the last chunk dropped');

  // A chunk of another bundle of the same size, from the same store and device, in its place.
  const otherPath = join(dir, 'other.pars');
  await exportStore(source, otherPath, exporter);
  const other = new Uint8Array(readFileSync(otherPath));
  assert.equal(other.length, whole.length);
  const foreign = [...sealed];
  foreign[1] = other.subarray(chunkAt(1), chunkAt(2));
  await refused(b, assemble(foreign), 'ERR_BUNDLE_TAMPERED', [chunkAt(1)], 'chunk 1 from another bundle');
  // Its header with this bundle's chunks: the header still opens, the chunks belong to another.
  await refused(b, concatBytes(other.subarray(0, PREAMBLE_BYTES), ...sealed), 'ERR_BUNDLE_TAMPERED', [chunkAt(0)], 'another bundle’s header');
});
