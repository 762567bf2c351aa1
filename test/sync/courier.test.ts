import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVertex } from '../../src/dag/index.ts';
import { grow, runSession, simAuthor, simProvider, TestNode, topic } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2), simAuthor(3)];
const T1 = topic(40);
const T2 = topic(41);
const T3 = topic(42);

function member(topics: Uint8Array[]): TestNode {
  return new TestNode({ member: topics, keys: authors });
}

test('courier: A → C → B carries topics C cannot read; B ends with everything', () => {
  const a = member([T1, T2, T3]);
  const b = member([T1, T2, T3]);
  // C is no member of any topic: it carries opaque topics and knows no author keys yet.
  const c = new TestNode({ carriesAll: true });
  grow([a, b], { topic: T1, count: 120, authors, seed: 60 });
  grow([a], { topic: T1, count: 30, authors, seed: 61 }); // A ahead on T1
  grow([b], { topic: T1, count: 10, authors, seed: 62 }); // and B has its own too: diverged
  grow([a], { topic: T2, count: 40, authors, seed: 63 }); // only A has T2
  grow([b], { topic: T3, count: 25, authors, seed: 64 }); // only B has T3

  const ac = runSession(a, c, { kind: 'courier' });
  assert.equal(ac.initiator.error, undefined);
  assert.equal(ac.responder.error, undefined);
  assert.ok(ac.roundTrips <= 2, `A→C in ${ac.roundTrips} round trips`);
  for (const t of [T1, T2]) assert.deepEqual(c.allKeys(t), a.allKeys(t), 'C holds all A has');
  assert.ok(c.keys.size >= authors.length, 'C received the author keys it needed to verify');

  const cb = runSession(c, b, { kind: 'courier' });
  assert.equal(cb.initiator.error, undefined);
  assert.equal(cb.responder.error, undefined);
  for (const t of [T1, T2, T3]) assert.deepEqual(b.allKeys(t), [...new Set([...a.allKeys(t), ...b.allKeys(t)])].sort());
  assert.equal(b.quarantined + c.quarantined, 0);

  // Back the other way: A gets B's vertices through C, and all three agree.
  const ca = runSession(c, a, { kind: 'courier' });
  assert.equal(ca.initiator.error, undefined);
  for (const t of [T1, T2, T3]) {
    assert.deepEqual(a.allKeys(t), b.allKeys(t));
    assert.deepEqual(c.allKeys(t), b.allKeys(t));
    assert.deepEqual(a.frontierKeys(t), b.frontierKeys(t));
  }
});

test('courier: nothing new costs one round trip and a summary per topic', () => {
  const a = member([T1, T2]);
  const c = new TestNode({ carriesAll: true, keys: authors });
  grow([a, c], { topic: T1, count: 200, authors, seed: 65 });
  grow([a, c], { topic: T2, count: 200, authors, seed: 66 });
  const run = runSession(a, c, { kind: 'courier' });
  assert.equal(run.roundTrips, 1);
  assert.ok(run.bytes < 400, `${run.bytes} bytes for two equal topics`);
  assert.equal(run.initiator.stats.verticesSent + run.responder.stats.verticesSent, 0);
});

test('courier: a responder that does not carry a topic says so', () => {
  const a = member([T1, T2]);
  const b = member([T1]); // B carries T1 only
  grow([a, b], { topic: T1, count: 30, authors, seed: 67 });
  grow([a], { topic: T2, count: 30, authors, seed: 68 });
  const run = runSession(a, b, { kind: 'courier' });
  assert.equal(run.initiator.error, undefined);
  assert.equal(b.dag.topicSize(T2), 0);
  assert.equal(run.initiator.stats.verticesSent, 0);
});

test('courier: more topics than one session takes are reconciled in passes that resume', () => {
  const a = member([]);
  const c = new TestNode({ carriesAll: true });
  const author = authors[0] as (typeof authors)[number];
  for (const n of [a, c]) n.addKey(author.key);
  const topics: Uint8Array[] = [];
  for (let i = 0; i < 2100; i++) {
    const t = new Uint8Array(16);
    t[0] = i >> 8;
    t[1] = i & 0xff;
    topics.push(t);
    a.add(createVertex({ topic: t, parents: [], lamport: 1, payload: Uint8Array.of(i & 0xff) }, author, simProvider));
  }
  const first = runSession(a, c, { kind: 'courier' });
  const resume = first.initiator.stats.courierResume;
  assert.ok(resume !== undefined, 'the first pass stopped early');
  assert.equal(c.dag.topics().length, 2048);
  const second = runSession(a, c, { kind: 'courier', after: resume });
  assert.equal(second.initiator.stats.courierResume, undefined, 'the second pass finished');
  assert.equal(c.dag.topics().length, 2100);
  assert.equal(c.dag.size, a.dag.size);
});
