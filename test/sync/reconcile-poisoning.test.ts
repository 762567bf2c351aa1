import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVertex, type DecodedVertex } from '../../src/dag/index.ts';
import { SaltedFingerprints, sessionSalt } from '../../src/sync/fingerprint.ts';
import { SortedItems } from '../../src/sync/sorted-items.ts';
import { hash, grow, nodePair, randomSource, runSession, simAuthor, simProvider, topic, type TestNode } from './sync-fixtures.ts';

/*
 * An adversary who can get vertices into honest replicas grinds their ids in advance: ids that
 * share long prefixes and the same Lamport clock (so they pile up in one spot of the order), or
 * ids whose item hashes collide under a salt it knows. Ranges are split by item count, so a pile
 * cannot deepen the recursion; item hashes are keyed by a salt made from both sides' nonces, so a
 * precomputed collision is useless in a real session.
 */

const authors = [simAuthor(1), simAuthor(2)];
const T = topic(12);

const pair = (): [TestNode, TestNode] => nodePair({ member: [T], keys: authors });

/** Children of one parent whose ids start with `prefix`: all share a clock and a prefix. */
function grind(parent: DecodedVertex, count: number, prefix: number, salt: number): DecodedVertex[] {
  const out: DecodedVertex[] = [];
  for (let nonce = 0; out.length < count; nonce++) {
    const payload = Uint8Array.of(salt, nonce & 0xff, (nonce >> 8) & 0xff, (nonce >> 16) & 0xff);
    const v = createVertex({ topic: T, parents: [parent.id], lamport: parent.lamport + 1, payload }, authors[0] as (typeof authors)[number], simProvider);
    if (v.id[0] === prefix) out.push(v);
  }
  return out;
}

function bound(n: number): number {
  return Math.ceil(Math.log(n) / Math.log(16)) + 2;
}

test('ground ids piled in one spot of the order (same clock, same prefix) do not deepen the recursion', () => {
  const [a, b] = pair();
  const shared = grow([a, b], { topic: T, count: 1500, authors, seed: 31 });
  const anchor = shared[shared.length - 1] as DecodedVertex;
  const pile = grind(anchor, 120, 0x00, 1);
  // The adversary feeds disjoint halves of its pile to each side, plus a few honest vertices.
  for (const v of pile.slice(0, 60)) a.add(v);
  for (const v of pile.slice(60)) b.add(v);
  const run = runSession(a, b, { kind: 'topics', topics: [T] });
  assert.equal(run.initiator.error, undefined);
  assert.deepEqual(a.allKeys(T), b.allKeys(T));
  assert.ok(run.roundTrips <= bound(1620), `${run.roundTrips} round trips, bound ${bound(1620)}`);
});

test('a pile that straddles the whole history at many clocks stays within the bound too', () => {
  const [a, b] = pair();
  const shared = grow([a, b], { topic: T, count: 600, authors, seed: 32 });
  // Children of every 50th shared vertex, each ground to the same id prefix, split between sides.
  for (let i = 0; i < shared.length; i += 50) {
    const kids = grind(shared[i] as DecodedVertex, 4, 0xff, i & 0xff);
    a.add(kids[0] as DecodedVertex);
    a.add(kids[1] as DecodedVertex);
    b.add(kids[2] as DecodedVertex);
    b.add(kids[3] as DecodedVertex);
  }
  const run = runSession(a, b, { kind: 'topics', topics: [T] });
  assert.deepEqual(a.allKeys(T), b.allKeys(T));
  assert.ok(run.roundTrips <= bound(650), `${run.roundTrips} round trips`);
});

test('ids ground to collide under a fixed salt do not collide under a session salt', () => {
  // The adversary's guess: the salt of a session where both nonces are zero (it controls its own).
  const zero = new Uint8Array(16);
  const fixed = new SaltedFingerprints(hash, sessionSalt(hash, zero, zero));
  const [a, b] = pair();
  const shared = grow([a, b], { topic: T, count: 400, authors, seed: 33 });
  const anchor = shared[shared.length - 1] as DecodedVertex;
  // Grind two siblings whose item hashes under the fixed salt agree in their first 2 bytes, so a
  // truncated fingerprint under that salt could not tell {x} from {y}.
  const seen = new Map<string, DecodedVertex>();
  let pairFound: [DecodedVertex, DecodedVertex] | undefined;
  for (let nonce = 0; pairFound === undefined; nonce++) {
    const payload = Uint8Array.of(0xee, nonce & 0xff, (nonce >> 8) & 0xff, (nonce >> 16) & 0xff);
    const v = createVertex({ topic: T, parents: [anchor.id], lamport: anchor.lamport + 1, payload }, authors[1] as (typeof authors)[number], simProvider);
    const fp = fixed.of(new SortedItems([{ lamport: v.lamport, id: v.id, key: v.key }]), 0, 1);
    const tag = `${fp[0]}.${fp[1]}`;
    const other = seen.get(tag);
    if (other !== undefined) pairFound = [other, v];
    else seen.set(tag, v);
  }
  const [x, y] = pairFound;
  const one = (v: DecodedVertex, f: SaltedFingerprints): Uint8Array => f.of(new SortedItems([{ lamport: v.lamport, id: v.id, key: v.key }]), 0, 1);
  assert.deepEqual(one(x, fixed).subarray(0, 2), one(y, fixed).subarray(0, 2), 'the grind worked under the fixed salt');
  a.add(x);
  b.add(y);
  // A malicious initiator even pins its own nonce to zero: the responder's nonce still changes the salt.
  const honest = randomSource(77)(16);
  const live = new SaltedFingerprints(hash, sessionSalt(hash, zero, honest));
  assert.notDeepEqual(one(x, live).subarray(0, 2), one(y, live).subarray(0, 2));
  const run = runSession(a, b, { kind: 'topics', topics: [T] }, { seed: 5, initiatorRandom: (n) => new Uint8Array(n) });
  assert.deepEqual(a.allKeys(T), b.allKeys(T));
  assert.ok(a.dag.has(y.key) && b.dag.has(x.key));
  assert.ok(run.roundTrips <= bound(402));
});

test('the session salt depends on both nonces', () => {
  const n1 = randomSource(1)(16);
  const n2 = randomSource(2)(16);
  const n3 = randomSource(3)(16);
  const s12 = sessionSalt(hash, n1, n2);
  assert.notDeepEqual(s12, sessionSalt(hash, n1, n3));
  assert.notDeepEqual(s12, sessionSalt(hash, n3, n2));
  assert.notDeepEqual(s12, sessionSalt(hash, n2, n1));
});
