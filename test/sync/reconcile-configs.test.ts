import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grow, nodePair, runSession, simAuthor, TestNode, topic, type SessionRun } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2), simAuthor(3), simAuthor(4)];
const T = topic(1);

const pair = (): [TestNode, TestNode] => nodePair({ keys: authors });

/** Runs a topics-mode session over `topics` and checks that it converged them. */
function converge(a: TestNode, b: TestNode, topics: readonly Uint8Array[] = [T], options: Parameters<typeof runSession>[3] = {}): SessionRun {
  const run = runSession(a, b, { kind: 'topics', topics }, options);
  assert.equal(run.initiator.error, undefined, `initiator failed: ${run.initiator.error?.detail}`);
  assert.equal(run.responder.error, undefined, `responder failed: ${run.responder.error?.detail}`);
  assert.ok(run.initiator.done && run.responder.done, 'both sessions ended');
  for (const t of topics) {
    assert.deepEqual(a.allKeys(t), b.allKeys(t), 'same vertices');
    assert.deepEqual(a.frontierKeys(t), b.frontierKeys(t), 'same frontier');
  }
  // Parents always went first: nothing waited in a quarantine, nothing was refused.
  assert.equal(a.quarantined + b.quarantined, 0);
  assert.equal(a.rejected + b.rejected, 0);
  return run;
}

function divergedBound(n: number): number {
  return Math.ceil(Math.log(n) / Math.log(16)) + 2;
}

test('equal replicas: one round trip, no vertex sent', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 200, authors, seed: 1 });
  const run = converge(a, b);
  assert.equal(run.roundTrips, 1);
  assert.equal(run.initiator.stats.verticesSent + run.responder.stats.verticesSent, 0);
  assert.ok(run.bytes < 600, `equal replicas cost ${run.bytes} bytes`);
});

test('initiator behind: the responder covers it in one round trip and sends exactly what it lacks', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 300, authors, seed: 2 });
  const extra = grow([b], { topic: T, count: 25, authors, seed: 3 });
  const run = converge(a, b);
  assert.equal(run.roundTrips, 1);
  assert.equal(run.responder.stats.verticesSent, extra.length);
  assert.equal(run.initiator.stats.verticesSent, 0);
});

test('initiator ahead: at most two round trips, exactly the missing vertices', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 300, authors, seed: 4 });
  const extra = grow([a], { topic: T, count: 40, authors, seed: 5 });
  const run = converge(a, b);
  assert.ok(run.roundTrips <= 2, `${run.roundTrips} round trips`);
  assert.equal(run.initiator.stats.verticesSent, extra.length);
  assert.equal(run.responder.stats.verticesSent, 0);
});

test('diverged replicas: both get what they lack within ceil(log16 n) + 2 round trips', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 3000, authors, seed: 6 });
  const onlyA = grow([a], { topic: T, count: 60, authors, seed: 7 });
  const onlyB = grow([b], { topic: T, count: 45, authors, seed: 8 });
  const run = converge(a, b);
  assert.ok(run.roundTrips <= divergedBound(3105), `${run.roundTrips} round trips`);
  assert.equal(run.initiator.stats.verticesSent, onlyA.length);
  assert.equal(run.responder.stats.verticesSent, onlyB.length);
});

test('diverged deep in history (an old fork, differences spread over the whole order)', () => {
  const [a, b] = pair();
  grow([a, b], { topic: T, count: 200, authors, seed: 9 });
  grow([a], { topic: T, count: 700, authors, seed: 10 });
  grow([b], { topic: T, count: 700, authors, seed: 11 });
  const run = converge(a, b);
  assert.ok(run.roundTrips <= divergedBound(1600), `${run.roundTrips} round trips`);
});

test('disjoint histories (no common vertex)', () => {
  const [a, b] = pair();
  grow([a], { topic: T, count: 400, authors, seed: 12 });
  grow([b], { topic: T, count: 500, authors, seed: 13 });
  const run = converge(a, b);
  assert.ok(run.roundTrips <= divergedBound(900), `${run.roundTrips} round trips`);
});

test('empty sides: empty initiator, empty responder, both empty', () => {
  {
    const [a, b] = pair();
    grow([b], { topic: T, count: 50, authors, seed: 14 });
    const run = converge(a, b);
    assert.equal(run.roundTrips, 1);
  }
  {
    const [a] = pair();
    const mine = new TestNode({ member: [T], keys: authors });
    grow([a], { topic: T, count: 50, authors, seed: 15 });
    const run = converge(a, mine);
    assert.ok(run.roundTrips <= 2);
  }
  {
    const [a, b] = pair();
    const run = runSession(a, b, { kind: 'topics', topics: [T] });
    assert.equal(run.roundTrips, 1);
    assert.ok(run.initiator.done && run.responder.done && run.initiator.error === undefined);
  }
});

test('a responder that does not carry a topic says so and receives nothing of it', () => {
  const [a, b] = pair();
  grow([a], { topic: T, count: 20, authors, seed: 16 });
  const run = runSession(a, b, { kind: 'topics', topics: [T] });
  assert.equal(run.initiator.error, undefined);
  assert.equal(b.dag.size, 0);
  assert.equal(run.initiator.stats.verticesSent, 0);
  assert.equal(run.roundTrips, 1);
});

test('several topics in one session, each in its own configuration', () => {
  const [a, b] = pair();
  const topics = [topic(2), topic(3), topic(4), topic(5)];
  grow([a, b], { topic: topics[0] as Uint8Array, count: 100, authors, seed: 17 }); // equal
  grow([a, b], { topic: topics[1] as Uint8Array, count: 100, authors, seed: 18 });
  grow([a], { topic: topics[1] as Uint8Array, count: 10, authors, seed: 19 }); // a ahead
  grow([a, b], { topic: topics[2] as Uint8Array, count: 100, authors, seed: 20 });
  grow([b], { topic: topics[2] as Uint8Array, count: 10, authors, seed: 21 }); // b ahead
  grow([a, b], { topic: topics[3] as Uint8Array, count: 500, authors, seed: 22 });
  grow([a], { topic: topics[3] as Uint8Array, count: 15, authors, seed: 23 }); // diverged
  grow([b], { topic: topics[3] as Uint8Array, count: 15, authors, seed: 24 });
  const run = converge(a, b, topics);
  assert.ok(run.roundTrips <= divergedBound(530));
  assert.equal(run.initiator.stats.topics, 4);
});

test('authors unknown to the receiver: keys travel with the vertices, no extra round trip', () => {
  const [a, b] = pair();
  const stranger = simAuthor(99);
  a.addKey(stranger.key);
  grow([a, b], { topic: T, count: 100, authors, seed: 25 });
  grow([a], { topic: T, count: 12, authors: [stranger], seed: 26 });
  const run = converge(a, b);
  assert.ok(run.roundTrips <= 2);
  assert.equal(run.initiator.stats.keysSent, 1, 'only the key the responder lacked');
  assert.ok(b.keys.has(stranger.author));
});

test('a big difference spans several frames and flights without breaking limits', () => {
  const [a] = pair();
  const b = new TestNode({ member: [T], keys: authors });
  grow([a], { topic: T, count: 700, authors, seed: 27, payload: 1500 });
  const run = converge(a, b, [T], { tuning: { frameBytes: 262_144, flightBytes: 524_288 } });
  assert.ok(run.initiator.stats.framesSent > 4, 'vertices were split into frames');
  assert.ok(run.flights > 3, 'the flight budget made the sender continue in later flights');
});
