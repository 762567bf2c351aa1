import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idKey } from '../../src/dag/index.ts';
import { SyncPeerState } from '../../src/sync/index.ts';
import { grow, nodePair, runSession, simAuthor, topic, type TestNode } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2), simAuthor(3)];
const T = topic(50);

const pair = (): [TestNode, TestNode] => nodePair({ member: [T], keys: authors });

function restore(bytes: Uint8Array): SyncPeerState {
  const r = SyncPeerState.fromBytes(bytes);
  assert.ok(r.ok, r.ok ? '' : r.failure.detail);
  return r.state;
}

test('peer state: saved after a session, restored from bytes, the next session reconciles only what is new', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 2000, authors, seed: 70 });
  grow([a], { topic: T, count: 30, authors, seed: 71 });
  grow([b], { topic: T, count: 30, authors, seed: 72 });
  const first = runSession(a, b, { kind: 'topics', topics: [T] });
  assert.deepEqual(a.allKeys(T), b.allKeys(T));
  const stateA = restore(first.initiator.peerState.toBytes());
  const stateB = restore(first.responder.peerState.toBytes());
  // Both sides remember the same base: the union of the two frontiers they started from.
  assert.deepEqual(stateA.base(idKey(T))?.map(idKey), stateB.base(idKey(T))?.map(idKey));
  assert.deepEqual(stateA.toBytes(), first.initiator.peerState.toBytes());

  // The two drift apart again; two copies of the setting, one session with the state, one without.
  const a2 = a.copy({ member: [T] });
  const b2 = b.copy({ member: [T] });
  for (const [x, seed] of [[a, 73], [a2, 73]] as const) grow([x], { topic: T, count: 20, authors, seed });
  for (const [x, seed] of [[b, 74], [b2, 74]] as const) grow([x], { topic: T, count: 20, authors, seed });

  const withState = runSession(a, b, { kind: 'topics', topics: [T] }, { stateA, stateB, seed: 9 });
  const without = runSession(a2, b2, { kind: 'topics', topics: [T] }, { seed: 9 });
  for (const run of [withState, without]) assert.equal(run.initiator.error, undefined);
  assert.deepEqual(a.allKeys(T), b.allKeys(T));
  assert.deepEqual(a2.allKeys(T), b2.allKeys(T));
  assert.deepEqual(a.allKeys(T), a2.allKeys(T));
  const hashedWith = withState.initiator.itemsHashed + withState.responder.itemsHashed;
  const hashedWithout = without.initiator.itemsHashed + without.responder.itemsHashed;
  assert.ok(hashedWith < hashedWithout / 10, `items hashed with state ${hashedWith}, without ${hashedWithout}`);
  assert.ok(withState.bytes < without.bytes, `bytes with state ${withState.bytes}, without ${without.bytes}`);
  assert.ok(withState.roundTrips <= without.roundTrips);
});

test('peer state: a side that lost its state, or no longer holds the base, falls back to full reconciliation', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 300, authors, seed: 75 });
  grow([a], { topic: T, count: 10, authors, seed: 76 });
  const first = runSession(a, b, { kind: 'topics', topics: [T] });
  grow([a], { topic: T, count: 10, authors, seed: 77 });
  grow([b], { topic: T, count: 10, authors, seed: 78 });
  // b forgot: a proposes its base, b does not accept, the session still converges.
  const run = runSession(a, b, { kind: 'topics', topics: [T] }, { stateA: first.initiator.peerState, seed: 3 });
  assert.equal(run.initiator.error, undefined);
  assert.deepEqual(a.allKeys(T), b.allKeys(T));
  // A base naming a vertex this side does not hold is not proposed.
  const [c, d] = pair();
  grow([c, d], { topic: T, count: 50, authors, seed: 79 });
  const bogus = SyncPeerState.empty().with(new Map([[idKey(T), [new Uint8Array(32).fill(1)]]]));
  const r2 = runSession(c, d, { kind: 'topics', topics: [T] }, { stateA: bogus, stateB: bogus });
  assert.equal(r2.initiator.error, undefined);
  assert.equal(r2.roundTrips, 1);
});

test('peer state: serialisation is strict', () => {
  const state = SyncPeerState.empty().with(
    new Map([
      [idKey(topic(1)), [new Uint8Array(32).fill(2), new Uint8Array(32).fill(1)]],
      [idKey(topic(2)), [new Uint8Array(32).fill(3)]],
    ]),
  );
  const bytes = state.toBytes();
  assert.deepEqual(restore(bytes).toBytes(), bytes);
  assert.deepEqual(restore(bytes).base(idKey(topic(1)))?.map((x) => x[0]), [1, 2], 'ids sorted');
  const code = (b: Uint8Array): string => {
    const r = SyncPeerState.fromBytes(b);
    return r.ok ? 'ok' : r.failure.code;
  };
  assert.equal(code(bytes.subarray(0, bytes.length - 1)), 'truncated');
  assert.equal(code(Uint8Array.of(2, 0)), 'unknown-version');
  assert.equal(code(Uint8Array.of(1, 0, 0)), 'malformed');
  assert.equal(code(Uint8Array.of(1, 0xff, 0xff, 0xff, 0x7f)), 'limit-exceeded');
  const swapped = Uint8Array.from(bytes);
  // Make the two base ids of the first topic equal: not ascending and unique.
  swapped.set(swapped.subarray(1 + 1 + 16 + 1, 1 + 1 + 16 + 1 + 32), 1 + 1 + 16 + 1 + 32);
  assert.equal(code(swapped), 'non-canonical');
  assert.equal(SyncPeerState.empty().toBytes().length, 2);
});
