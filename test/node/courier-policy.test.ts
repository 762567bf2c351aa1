import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { CourierPolicy, MAX_DECLINED_TOPICS, type CourierStoreView } from '../../src/node/courier-policy.ts';
import { COURIER_FULL_MARGIN, CourierQuotaError, courierQuotasOf, DEFAULT_COURIER_QUOTAS, type CourierQuotas } from '../../src/node/courier-quotas.ts';
import { topicOf } from '../support/fixtures.ts';

/*
 * The courier policy on its own: a store view and own topics made up by the test, vertices that
 * are only a topic and a size (all the policy reads of them), and a clock the test moves.
 */

const KIB = 1024;

function vertex(t: Uint8Array, size: number): DecodedVertex {
  return { topic: t, bytes: new Uint8Array(size) } as unknown as DecodedVertex;
}

/** A store that holds what `commit` hands it, per topic. */
class FakeStore implements CourierStoreView {
  readonly bytes = new Map<string, number>();
  readonly counts = new Map<string, number>();
  topics(): string[] {
    return [...this.counts.keys()];
  }
  topicSize(t: string): number {
    return this.counts.get(t) ?? 0;
  }
  storedBytes(t: Uint8Array): number {
    return this.bytes.get(toHex(t)) ?? 0;
  }
  readonly written = new Set<string>();
  authoredTopics(): ReadonlySet<string> {
    return this.written;
  }
  put(vs: readonly DecodedVertex[]): void {
    for (const v of vs) {
      const k = toHex(v.topic);
      this.bytes.set(k, (this.bytes.get(k) ?? 0) + v.bytes.length);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }
}

interface Fixture {
  readonly policy: CourierPolicy;
  readonly store: FakeStore;
  readonly own: { groups: Uint8Array[]; rendezvous: Uint8Array[] };
  readonly clock: { t: number };
  /** One ingest call from `source`: what the policy admits is committed and reported to it. */
  ingest(source: string, vs: readonly DecodedVertex[]): boolean[];
  /** Several calls committed together (a group commit): one admission batch, then each call reported. */
  commit(calls: readonly (readonly [string, readonly DecodedVertex[]])[]): boolean[][];
}

function fixture(quotas: Partial<CourierQuotas>, store = new FakeStore(), own = { groups: [] as Uint8Array[], rendezvous: [] as Uint8Array[] }): Fixture {
  const clock = { t: 1_000_000 };
  const policy = new CourierPolicy({ quotas: courierQuotasOf(quotas), own: { groups: () => own.groups, rendezvous: () => own.rendezvous }, store, now: () => clock.t });
  return {
    policy,
    store,
    own,
    clock,
    ingest(source, vs) {
      return this.commit([[source, vs]])[0] as boolean[];
    },
    commit(calls) {
      const admit = policy.batch();
      const verdicts = calls.map(([source, vs]) => vs.map((v) => admit(v, source)));
      for (const [i, [source, vs]] of calls.entries()) {
        const kept = vs.filter((_, j) => verdicts[i]?.[j]);
        store.put(kept);
        if (source === 'local') for (const v of kept) store.written.add(toHex(v.topic));
        policy.noteStored(kept, source);
      }
      return verdicts;
    },
  };
}

const T1 = topicOf(1);
const T2 = topicOf(2);
const OWN = topicOf(9);

test('quotas: defaults, overrides, and clear errors for values that cannot be used', () => {
  assert.deepEqual(courierQuotasOf(), DEFAULT_COURIER_QUOTAS);
  assert.equal(courierQuotasOf({ maxTotalBytes: 0 }).maxTotalBytes, 0, '0 is allowed: carry nothing of others');
  for (const [field, value] of [
    ['maxTopicBytes', -1],
    ['maxTotalBytes', 1.5],
    ['maxPeerBytes', Number.NaN],
    ['peerWindowMs', 0],
    ['maxTopicBytes', '16MiB'],
  ] as const) {
    assert.throws(
      () => courierQuotasOf({ [field]: value } as Partial<CourierQuotas>),
      (e: unknown) => e instanceof CourierQuotaError && e.code === 'ERR_COURIER_QUOTA' && e.field === field && e.message.includes(field),
      `${field} = ${String(value)}`,
    );
  }
  assert.throws(() => courierQuotasOf({ maxTopicByte: 5 } as unknown as Partial<CourierQuotas>), (e: unknown) => e instanceof CourierQuotaError && e.field === 'maxTopicByte');
});

test('a foreign topic is kept up to its quota; the rest of a call is refused; sync stops taking it', () => {
  const f = fixture({ maxTopicBytes: 100 * KIB });
  assert.equal(f.policy.carries(T1, 'p1'), true);
  const verdicts = f.ingest('p1', Array.from({ length: 30 }, () => vertex(T1, 5 * KIB)));
  assert.deepEqual(verdicts, [...Array(20).fill(true), ...Array(10).fill(false)], 'exactly 100 KiB kept, the rest refused');
  assert.deepEqual(f.policy.usage(), { topics: 1, bytes: 100 * KIB, declined: 0 });
  assert.equal(f.policy.carries(T1, 'p1'), false, 'a full topic is no longer taken');
  assert.equal(f.policy.carries(T1, undefined), false);
  assert.deepEqual(f.policy.declined(), [], 'a held topic is listed anyway, not as declined');
  // Once one vertex of a topic is refused, smaller ones after it in the same call are too.
  const g = fixture({ maxTopicBytes: 10 * KIB });
  assert.deepEqual(g.ingest('p1', [vertex(T1, 6 * KIB), vertex(T1, 6 * KIB), vertex(T1, 1 * KIB)]), [true, false, false]);
  // Another topic is unaffected.
  assert.deepEqual(f.ingest('p1', [vertex(T2, 5 * KIB)]), [true]);
});

test('a topic counts as full once less than one largest vertex of room is left', () => {
  const quota = COURIER_FULL_MARGIN + 10 * KIB;
  const f = fixture({ maxTopicBytes: quota });
  f.ingest('p1', [vertex(T1, 10 * KIB)]);
  assert.equal(f.policy.carries(T1), true, 'exactly one largest vertex of room left');
  f.ingest('p1', [vertex(T1, 1)]);
  assert.equal(f.policy.carries(T1), false);
  assert.deepEqual(f.ingest('p1', [vertex(T1, 1 * KIB)]), [true], 'a vertex that fits is still kept (gossip does not ask)');
});

test('the total quota covers all foreign topics; a new topic then is declined and listed', () => {
  const f = fixture({ maxTopicBytes: 1024 * KIB, maxTotalBytes: 200 * KIB });
  f.ingest('p1', Array.from({ length: 20 }, () => vertex(T1, 10 * KIB)));
  assert.equal(f.policy.usage().bytes, 200 * KIB);
  assert.deepEqual(f.ingest('p2', [vertex(T2, 1 * KIB)]), [false]);
  assert.equal(f.policy.carries(T2, 'p2'), false);
  assert.deepEqual(f.policy.declined().map(toHex), [toHex(T2)], 'held nothing of it: listed so peers do not push it whole');
  for (let i = 0; i < MAX_DECLINED_TOPICS + 5; i++) f.policy.carries(topicOf(100 + i));
  assert.equal(f.policy.declined().length, MAX_DECLINED_TOPICS, 'the declined list is bounded');
});

test('the node’s own topics are never refused nor counted, whatever the quotas', () => {
  const f = fixture({ maxTopicBytes: 0, maxTotalBytes: 0, maxPeerBytes: 0 });
  f.own.groups.push(OWN);
  f.policy.refreshMembership();
  assert.equal(f.policy.carries(OWN, 'p1'), true);
  assert.deepEqual(f.ingest('p1', Array.from({ length: 50 }, () => vertex(OWN, 70 * KIB))), Array(50).fill(true));
  assert.equal(f.policy.usage().bytes, 0);
  assert.equal(f.policy.carries(T1, 'p1'), false, 'quota 0: nothing foreign is carried');
  assert.deepEqual(f.ingest('p1', [vertex(T1, 100)]), [false]);
});

test('a topic that becomes the node’s own (a join, an invite) is taken again at once, and leaves the count', () => {
  const f = fixture({ maxTopicBytes: 100 * KIB, maxTotalBytes: 100 * KIB });
  f.ingest('p1', Array.from({ length: 10 }, () => vertex(T1, 10 * KIB)));
  assert.equal(f.policy.carries(T1), false);
  // An invite was written to the tables: the next refusal re-reads them first.
  f.own.rendezvous.push(T1);
  assert.deepEqual(f.ingest('p1', [vertex(T1, 10 * KIB)]), [true], 'checked again before refusing');
  assert.equal(f.policy.usage().bytes, 0, 'its bytes left the foreign count');
  assert.equal(f.policy.carries(T1), true);
  // And back: a topic that stops being the node's own is counted from the store.
  f.own.rendezvous.length = 0;
  f.policy.refreshMembership();
  assert.equal(f.policy.usage().bytes, 110 * KIB);
});

test('local writes and bundle imports are exempt; a topic written here is the node’s own at once', () => {
  const f = fixture({ maxTopicBytes: 0, maxTotalBytes: 0, maxPeerBytes: 0 });
  assert.deepEqual(f.ingest('bundle:abc', [vertex(T1, 1 * KIB)]), [true]);
  assert.equal(f.policy.usage().bytes, 1 * KIB, 'counted (it is foreign) but kept');
  f.ingest('local', [vertex(T2, 1 * KIB)]);
  assert.equal(f.policy.isMember(toHex(T2)), true, 'a genesis written here makes the topic own before its table row exists');
  assert.deepEqual(f.ingest('p1', [vertex(T2, 1 * KIB)]), [true]);
});

test('one peer’s share per window: that peer is turned away, others are not; the window ends', () => {
  const f = fixture({ maxPeerBytes: 100 * KIB, peerWindowMs: 60_000 });
  assert.deepEqual(f.ingest('greedy', Array.from({ length: 12 }, () => vertex(T1, 10 * KIB))), [...Array(10).fill(true), false, false]);
  assert.equal(f.policy.carries(T1, 'greedy'), false, 'sessions with that peer stop taking foreign topics');
  assert.equal(f.policy.carries(T2, 'greedy'), false);
  assert.equal(f.policy.carries(T1, 'other'), true, 'other peers still deliver');
  assert.deepEqual(f.ingest('other', [vertex(T1, 10 * KIB)]), [true]);
  f.clock.t += 60_000;
  assert.equal(f.policy.carries(T1, 'greedy'), true, 'a new window');
  assert.deepEqual(f.ingest('greedy', [vertex(T1, 10 * KIB)]), [true]);
});

test('calls committed together: the topic and the total count all of them, each peer only its own', () => {
  const topic = fixture({ maxTopicBytes: 100 * KIB });
  const byTopic = topic.commit([
    ['p1', Array.from({ length: 6 }, () => vertex(T1, 10 * KIB))],
    ['p2', Array.from({ length: 6 }, () => vertex(T1, 10 * KIB))],
  ]);
  assert.deepEqual(byTopic, [Array(6).fill(true), [...Array(4).fill(true), false, false]], 'the second call sees what the first was let through');
  assert.equal(topic.policy.usage().bytes, 100 * KIB);
  const total = fixture({ maxTopicBytes: 1024 * KIB, maxTotalBytes: 50 * KIB });
  assert.deepEqual(total.commit([['p1', [vertex(T1, 30 * KIB)]], ['p2', [vertex(T2, 30 * KIB)]]]), [[true], [false]]);
  const peers = fixture({ maxPeerBytes: 30 * KIB, peerWindowMs: 60_000 });
  const byPeer = peers.commit([
    ['p1', Array.from({ length: 4 }, () => vertex(T1, 10 * KIB))],
    ['p2', Array.from({ length: 4 }, () => vertex(T1, 10 * KIB))],
    ['p1', [vertex(T2, 1 * KIB)]],
  ]);
  assert.deepEqual(byPeer, [[true, true, true, false], [true, true, true, false], [false]], "each peer's share counts what it sent in the whole commit");
});

test('counts are derived from the store: a restarted policy sees the same full topic', () => {
  const f = fixture({ maxTopicBytes: 100 * KIB });
  f.ingest('p1', Array.from({ length: 12 }, () => vertex(T1, 10 * KIB)));
  f.own.groups.push(OWN);
  f.policy.refreshMembership();
  f.ingest('p1', [vertex(OWN, 50 * KIB)]);
  f.ingest('local', [vertex(T2, 5 * KIB)]);
  const again = fixture({ maxTopicBytes: 100 * KIB }, f.store, f.own);
  assert.deepEqual(again.policy.usage(), { topics: 1, bytes: 100 * KIB, declined: 0 }, 'only foreign bytes are counted');
  assert.equal(again.policy.isMember(toHex(T2)), true, 'a topic this node wrote in is its own after a restart too');
  assert.equal(again.policy.carries(T1), false);
  assert.equal(again.policy.carries(OWN), true);
});
