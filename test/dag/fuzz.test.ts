import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { equalBytes } from '../../src/crypto/index.ts';
import { createVertex, Dag, decodeVertex, PERMANENT_REASONS, validateVertex, type RejectionReason } from '../../src/dag/index.ts';
import { fastProvider, keyRingFor, makeAuthor, prng, provider, topicOf } from '../support/fixtures.ts';

const alice = makeAuthor(1);
const ring = keyRingFor([alice]);
const rand = prng(0xf022);
const int = (n: number): number => Math.floor(rand() * n);

const seeds = [
  createVertex({ topic: topicOf(1), parents: [], lamport: 1, payload: new Uint8Array(20).fill(1) }, alice, fastProvider),
  createVertex(
    { topic: topicOf(2), parents: [1, 2, 3].map((i) => fastProvider.sha3_256(Uint8Array.of(i))), lamport: 300, payload: new Uint8Array(300).fill(2) },
    alice,
    fastProvider,
  ),
];

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = int(256);
  return out;
}

/** One random input: pure noise, or a real vertex bent by flips, cuts, insertions, deletions or splices. */
function mutant(): Uint8Array {
  const kind = int(7);
  const base = seeds[int(seeds.length)]?.bytes as Uint8Array;
  const copy = Uint8Array.from(base);
  switch (kind) {
    case 0:
      return randomBytes(int(64));
    case 1: {
      // noise behind a plausible map head
      const r = randomBytes(int(400));
      if (r.length > 0) r[0] = 0xa7;
      return r;
    }
    case 2: {
      for (let i = 0, n = 1 + int(4); i < n; i++) {
        const at = int(copy.length);
        copy[at] = (copy[at] as number) ^ (1 << int(8));
      }
      return copy;
    }
    case 3: {
      // flip in the structural head region (keys, lengths, small fields)
      const at = int(Math.min(copy.length, 8)) + (rand() < 0.5 ? 0 : copy.length - 1 - int(Math.min(copy.length, 400)));
      copy[Math.max(0, at)] = int(256);
      return copy;
    }
    case 4:
      return copy.subarray(0, int(copy.length));
    case 5: {
      const at = int(copy.length);
      return Uint8Array.from([...copy.subarray(0, at), ...randomBytes(1 + int(8)), ...copy.subarray(at)]);
    }
    default: {
      const at = int(copy.length);
      return Uint8Array.from([...copy.subarray(0, at), ...copy.subarray(at + 1 + int(16))]);
    }
  }
}

test('10,000 random and mutated byte strings: each ends in a typed rejection, nothing is stored, nothing throws', () => {
  const dag = new Dag();
  const reasons = new Map<RejectionReason, number>();
  let decodedOk = 0;
  for (let i = 0; i < 10_000; i++) {
    const input = mutant();
    const decoded = decodeVertex(input);
    if (decoded.ok) {
      decodedOk++;
      // The strict decoder accepts only canonical DAG-CBOR: a generic decode and re-encode agrees.
      assert.ok(equalBytes(dagCbor.encode(dagCbor.decode(input)), input), `input ${i} accepted but not canonical`);
    }
    const result = validateVertex(input, ring, provider);
    if (result.ok) {
      // Only an unchanged copy of a real vertex may pass (a mutation that happened to undo itself).
      assert.ok(seeds.some((s) => equalBytes(s.bytes, input)), `mutant ${i} validated`);
      continue;
    }
    // a bent author field names someone we have no key for: typed, and not permanent
    assert.ok(PERMANENT_REASONS.has(result.reason) || result.reason === 'author-unknown', `unexpected reason ${result.reason}`);
    assert.equal(typeof result.detail, 'string');
    reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
  }
  assert.equal(dag.size, 0);
  assert.equal(dag.quarantine.size, 0);
  // The mix must exercise the decoder broadly, not just one failure path.
  for (const r of ['truncated', 'malformed', 'non-canonical', 'bad-signature'] as const) assert.ok((reasons.get(r) ?? 0) > 20, `${r}: ${reasons.get(r)}`);
  assert.ok(decodedOk > 100);
});
