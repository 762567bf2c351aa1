import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grow, runSession, simAuthor, TestNode, topic } from './sync-fixtures.ts';

/*
 * A courier at its quota for a topic (its replica's `carries` says no) still gives what it holds
 * to a peer it covers, and never makes a peer send what it would refuse: the topic ends with
 * NOT_CARRIED, in either role, at every session.
 */

const authors = [simAuthor(11), simAuthor(12)];
const T = topic(70);

/** A courier that holds vertices of T but takes no more of it. */
function fullCourier(): TestNode {
  const c = new TestNode({ carriesAll: true, keys: authors });
  c.replica.carries = (): boolean => false;
  return c;
}

test('a full courier gives a topic to a peer whose frontier it covers', () => {
  const c = fullCourier();
  const b = new TestNode({ member: [T], keys: authors });
  grow([c, b], { topic: T, count: 20, authors, seed: 90 });
  grow([c], { topic: T, count: 15, authors, seed: 91 }); // C is ahead: B's frontier is in its past
  const run = runSession(c, b, { kind: 'courier' });
  assert.equal(run.initiator.error, undefined);
  assert.equal(run.responder.error, undefined);
  assert.deepEqual(b.allKeys(T), c.allKeys(T), 'B got everything C carried');
  assert.equal(run.initiator.stats.verticesSent, 15);
});

test('a full courier that lacks part of a topic ends it at once, as initiator or responder, session after session', () => {
  const c = fullCourier();
  const b = new TestNode({ member: [T], keys: authors });
  grow([c, b], { topic: T, count: 20, authors, seed: 92 });
  grow([b], { topic: T, count: 25, authors, seed: 93 }); // B is ahead: C would have to receive
  grow([c], { topic: T, count: 3, authors, seed: 94 }); // and C has its own branch too
  const before = c.allKeys(T);
  for (const [first, second] of [
    [c, b],
    [b, c],
    [c, b],
  ] as const) {
    const run = runSession(first, second, { kind: 'courier' });
    assert.equal(run.initiator.error, undefined);
    assert.equal(run.responder.error, undefined);
    assert.equal(run.initiator.stats.verticesSent + run.responder.stats.verticesSent, 0, 'nothing is sent to be refused');
    assert.ok(run.roundTrips <= 2, `${run.roundTrips} round trips`);
  }
  assert.deepEqual(c.allKeys(T), before);
});

test('a topic a courier declined and lists with an empty frontier is not pushed to it whole', () => {
  const b = new TestNode({ member: [T], keys: authors });
  grow([b], { topic: T, count: 30, authors, seed: 95 });
  // Not listed: the peer takes the absence as "send me all of it" (and the courier drops it).
  const silent = new TestNode({ carriesAll: true, keys: authors });
  silent.replica.carries = (): boolean => false;
  const pushed = runSession(silent, b, { kind: 'courier' });
  assert.equal(pushed.responder.stats.verticesSent, 30);
  assert.equal(silent.dag.size, 0);
  // Listed with an empty frontier (MeshNode lists the topics its policy declined): nothing moves.
  const listing = new TestNode({ carriesAll: true, keys: authors });
  listing.replica.carries = (): boolean => false;
  listing.replica.topics = (): Uint8Array[] => [T];
  const run = runSession(listing, b, { kind: 'courier' });
  assert.equal(run.initiator.error, undefined);
  assert.equal(run.responder.stats.verticesSent, 0);
});
