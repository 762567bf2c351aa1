import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVertex } from '../../src/dag/codec.ts';
import { createVertex, decodeVertex } from '../../src/dag/index.ts';
import { scanCanonicalVertex } from '../../src/dag/vertex-scan.ts';
import { fastProvider, makeAuthor, topicOf } from '../support/fixtures.ts';

// decodeVertex tries a straight-line fast path first and falls back to the general parser. The
// fast path must accept exactly the canonical vertices the parser accepts, with the same fields,
// and send everything else to the parser (which alone names rejections).

const alice = makeAuthor(1);
const parents = [3, 1, 2].map((i) => fastProvider.sha3_256(Uint8Array.of(i))).sort(Buffer.compare);
const base = createVertex({ topic: topicOf(4), parents, lamport: 70_000, payload: new Uint8Array(300).fill(9) }, alice, fastProvider).bytes;
const noParents = createVertex({ topic: topicOf(5), parents: [], lamport: 1, payload: new Uint8Array(0) }, alice, fastProvider).bytes;

function agree(input: Uint8Array): 'fast' | 'parsed' | 'rejected' {
  const fast = scanCanonicalVertex(input);
  const parsed = parseVertex(input);
  const decoded = decodeVertex(input);
  if (fast !== undefined) {
    assert.ok(parsed.ok, 'the fast path accepted bytes the parser refuses');
    assert.deepStrictEqual(fast, parsed);
  }
  assert.deepStrictEqual(decoded, parsed);
  return fast !== undefined ? 'fast' : parsed.ok ? 'parsed' : 'rejected';
}

test('vertex fast path: well-formed vertices take it, with the fields the parser reads', () => {
  assert.equal(agree(base), 'fast');
  assert.equal(agree(noParents), 'fast');
});

test('vertex fast path: every byte flipped, cut or set to a head value, agrees with the parser', () => {
  const counts = { fast: 0, parsed: 0, rejected: 0 };
  for (const source of [base, noParents]) {
    for (let at = 0; at < source.length; at++) {
      const variants = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x40, 0x58, 0x59, 0xff, ...[0, 1, 2, 3, 4, 5, 6, 7].map((bit) => (source[at] as number) ^ (1 << bit))];
      for (const value of variants) {
        const copy = Uint8Array.from(source);
        copy[at] = value;
        counts[agree(copy)]++;
      }
      counts[agree(source.subarray(0, at))]++;
    }
    counts[agree(Uint8Array.from([...source, 0]))]++;
  }
  // Flips inside the signature and payload still decode; everywhere else they are refused.
  assert.ok(counts.fast > 1000, `fast ${counts.fast}`);
  assert.ok(counts.rejected > 1000, `rejected ${counts.rejected}`);
});

test('vertex fast path: duplicate and unsorted parents are left to the parser, which refuses them', () => {
  const at = (id: Uint8Array): number => Buffer.from(base).indexOf(Buffer.from(id));
  const [first, second] = [at(parents[0] as Uint8Array), at(parents[1] as Uint8Array)];
  const duplicate = Uint8Array.from(base);
  duplicate.set(parents[0] as Uint8Array, second);
  const swapped = Uint8Array.from(base);
  swapped.set(parents[1] as Uint8Array, first);
  swapped.set(parents[0] as Uint8Array, second);
  for (const [input, reason] of [[duplicate, 'duplicate-parents'], [swapped, 'unsorted-parents']] as const) {
    assert.equal(agree(input), 'rejected');
    const d = decodeVertex(input);
    assert.equal(d.ok ? 'ok' : d.reason, reason);
  }
});

test('vertex fast path: a Lamport clock of 2^32 or more is left to the parser, which accepts it', () => {
  const big = createVertex({ topic: topicOf(6), parents: [], lamport: 2 ** 40, payload: new Uint8Array(8) }, alice, fastProvider).bytes;
  assert.equal(agree(big), 'parsed');
  const d = decodeVertex(big);
  assert.ok(d.ok);
  assert.equal(d.vertex.lamport, 2 ** 40);
});
