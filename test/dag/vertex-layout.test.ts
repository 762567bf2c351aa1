import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkVertex, createVertex, LAYOUT_WORDS, packLayout, validateVertex, VERTEX_LIMITS, vertexFromLayout } from '../../src/dag/index.ts';
import { fastProvider, keyRingFor, makeAuthor, topicOf } from '../support/fixtures.ts';

// A verify worker checks a vertex, packs where its fields sit (`packLayout`), and the main thread
// rebuilds it from those numbers as views of the bytes it holds (`vertexFromLayout`). The rebuilt
// vertex must equal what a full validation gives, on the fast path and the general parser's alike.

const alice = makeAuthor(1);
const keys = keyRingFor([alice], fastProvider);
const ids = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => fastProvider.sha3_256(Uint8Array.of(i, n)));

const cases = {
  'no parents': createVertex({ topic: topicOf(1), parents: [], lamport: 1, payload: new Uint8Array(0) }, alice, fastProvider),
  'one parent': createVertex({ topic: topicOf(2), parents: ids(1), lamport: 300, payload: new Uint8Array(40).fill(7) }, alice, fastProvider),
  'most parents': createVertex({ topic: topicOf(3), parents: ids(VERTEX_LIMITS.maxParents), lamport: 70_000, payload: new Uint8Array(2000).fill(1) }, alice, fastProvider),
  // A clock of 2^32 or more is read by the general parser, not the fast path.
  'clock above 2^32': createVertex({ topic: topicOf(4), parents: ids(3), lamport: 2 ** 40 + 5, payload: new Uint8Array(9) }, alice, fastProvider),
};

test('vertexFromLayout rebuilds what validateVertex gives, for bytes anywhere in a larger buffer', () => {
  for (const [name, v] of Object.entries(cases)) {
    // As in a worker: the vertex sits at an offset inside a shared buffer.
    const shared = new Uint8Array(v.bytes.length + 100).fill(0xee);
    shared.set(v.bytes, 37);
    const inWorker = shared.subarray(37, 37 + v.bytes.length);
    const checked = checkVertex(inWorker, keys, fastProvider);
    assert.ok(checked.ok, name);
    const words = new Float64Array(LAYOUT_WORDS * 2).fill(-1);
    packLayout(checked, words, LAYOUT_WORDS);
    assert.equal(words[LAYOUT_WORDS - 1], -1, `${name}: packLayout writes only its own slot`);

    // On the main thread: the very bytes that were sent, and the id the worker found.
    const held = Uint8Array.from(v.bytes);
    const rebuilt = vertexFromLayout(held, checked.id, words, LAYOUT_WORDS);
    const full = validateVertex(held, keys, fastProvider);
    assert.ok(full.ok, name);
    assert.deepStrictEqual(rebuilt, full.vertex, name);
    assert.equal(rebuilt.key, v.key, name);
    assert.equal(rebuilt.payload.buffer, held.buffer, `${name}: fields are views of the held bytes, not copies`);
  }
});
