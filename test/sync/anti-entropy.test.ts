import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AntiEntropy } from '../../src/sync/index.ts';

/** A deterministic stand-in for the injected random source: a fixed cycle of values. */
function cycle(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('anti-entropy scheduler', () => {
  it('reconciles on connection after a random delay, only on the initiating side', () => {
    const ae = new AntiEntropy(cycle(0.5), 0, { connectDelayMs: 1000, intervalMs: 60_000 });
    ae.connect('a', 100, true);
    ae.connect('b', 100, false);
    assert.equal(ae.nextDeadline(), 600);
    assert.deepEqual(ae.due(599), []);
    assert.deepEqual(ae.due(600), ['a']);
    assert.deepEqual(ae.due(601), [], 'not twice');
  });

  it('runs periodic sessions with the least recently synced peer, period jittered by the random source', () => {
    const ae = new AntiEntropy(cycle(0, 1), 0, { intervalMs: 10_000, jitter: 0.5, connectDelayMs: 0 });
    // First period: 10 000 × (0.5 + 1 × 0) = 5 000.
    for (const p of ['a', 'b', 'c']) ae.connect(p, 0, false);
    assert.equal(ae.nextDeadline(), 5_000);
    const first = ae.due(5_000);
    assert.equal(first.length, 1);
    ae.started(first[0] as string, 1, 'initiator', 5_000);
    ae.ended(first[0] as string, 1, 'completed', 5_100);
    // Next period drew 1: 10 000 × 1.5 = 15 000 after 5 000.
    assert.equal(ae.nextDeadline(), 20_000);
    const second = ae.due(20_000);
    assert.equal(second.length, 1);
    assert.notEqual(second[0], first[0], 'a peer never synced comes before one synced');
    ae.started(second[0] as string, 2, 'initiator', 20_000);
    ae.ended(second[0] as string, 2, 'completed', 20_001);
    const third = ae.due(ae.nextDeadline());
    assert.equal(new Set([...first, ...second, ...third]).size, 3, 'round robin over the peers');
  });

  it('keeps within the concurrency limit and resumes when a session ends', () => {
    const ae = new AntiEntropy(cycle(0), 0, { connectDelayMs: 0, maxConcurrent: 2, intervalMs: 1e9 });
    for (const p of ['a', 'b', 'c']) ae.connect(p, 0, true);
    const started = ae.due(0);
    assert.deepEqual(started, ['a', 'b']);
    started.forEach((p, i) => ae.started(p, i, 'initiator', 0));
    assert.deepEqual(ae.due(10), []);
    assert.equal(ae.nextDeadline(), 15_000, 'only the idle timeouts are pending while full');
    ae.ended('a', 0, 'completed', 20);
    assert.deepEqual(ae.due(20), ['c']);
  });

  it('abandons a session whose peer never answers and retries it later', () => {
    const ae = new AntiEntropy(cycle(0.5), 0, { connectDelayMs: 0, idleTimeoutMs: 3_000, retryDelayMs: 2_000, jitter: 0.5, intervalMs: 1e9 });
    ae.connect('a', 0, true);
    assert.deepEqual(ae.due(0), ['a']);
    ae.started('a', 7, 'initiator', 0);
    ae.progress('a', 7, 1_000);
    assert.deepEqual(ae.expired(3_999), []);
    assert.equal(ae.nextDeadline(), 4_000);
    assert.deepEqual(ae.expired(4_000), [{ peer: 'a', id: 7 }]);
    ae.ended('a', 7, 'failed', 4_000);
    assert.equal(ae.stats.failed, 1);
    assert.equal(ae.nextDeadline(), 6_000);
    assert.deepEqual(ae.due(6_000), ['a']);
  });

  it('backs off a peer whose sessions keep failing: the retry delay doubles up to its cap, and a success resets it', () => {
    // jitter 0: delays are exact (the next test has periodic sessions).
    const ae = new AntiEntropy(cycle(0.5), 0, { connectDelayMs: 0, retryDelayMs: 1_000, maxRetryDelayMs: 5_000, jitter: 0, intervalMs: 1e9 });
    ae.connect('a', 0, true);
    let now = 0;
    let id = 0;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(ae.due(now), ['a']);
      ae.started('a', ++id, 'initiator', now);
      ae.ended('a', id, 'failed', now);
      const next = ae.nextDeadline();
      delays.push(next - now);
      now = next;
    }
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 5_000, 5_000], 'doubling, capped');
    assert.deepEqual(ae.due(now - 1), [], 'not before its delay');
    assert.deepEqual(ae.due(now), ['a']);
    ae.started('a', ++id, 'initiator', now);
    ae.ended('a', id, 'completed', now);
    ae.connect('a', now, true); // a new link: one session soon, as ever
    assert.deepEqual(ae.due(now), ['a']);
    ae.started('a', ++id, 'initiator', now);
    ae.ended('a', id, 'failed', now);
    assert.equal(ae.nextDeadline() - now, 1_000, 'a success reset the backoff');
  });

  it('periodic sessions leave a backed-off peer alone and take another', () => {
    const ae = new AntiEntropy(cycle(0.5), 0, { connectDelayMs: 0, retryDelayMs: 60_000, jitter: 0, intervalMs: 1_000 });
    ae.connect('a', 0, true);
    ae.connect('b', 0, false);
    assert.deepEqual(ae.due(0), ['a']);
    ae.started('a', 1, 'initiator', 0);
    ae.ended('a', 1, 'failed', 0);
    // 'a' was never synced, like 'b', but it waits out its 60 s: the periodic sessions go to 'b'.
    for (let t = 1_000; t <= 5_000; t += 1_000) {
      const due = ae.due(t);
      assert.deepEqual(due, ['b'], `at ${t}`);
      ae.started('b', t, 'initiator', t);
      ae.ended('b', t, 'completed', t);
    }
  });

  it('a session the peer opened covers the one planned on connection; a disconnect forgets the peer', () => {
    const ae = new AntiEntropy(cycle(0.9), 0, { connectDelayMs: 1_000, intervalMs: 1e9 });
    ae.connect('a', 0, true);
    ae.started('a', 1, 'responder', 10);
    ae.ended('a', 1, 'completed', 50);
    assert.deepEqual(ae.due(5_000), []);
    assert.equal(ae.stats.succeeded, 1);
    ae.started('a', 2, 'responder', 60);
    ae.disconnect('a');
    assert.equal(ae.stats.running, 0);
    assert.equal(ae.nextDeadline(), Infinity);
    // A session this node refused (busy) plans no retry here: the peer retries.
    ae.connect('b', 100, false);
    ae.started('b', 3, 'responder', 100);
    ae.ended('b', 3, 'refused', 100);
    assert.deepEqual(ae.due(100_000), []);
    assert.deepEqual(ae.expired(1e12), []);
  });

  it('refuses nonsensical settings', () => {
    assert.throws(() => new AntiEntropy(cycle(0), 0, { intervalMs: -1 }), RangeError);
    assert.throws(() => new AntiEntropy(cycle(0), 0, { jitter: 2 }), RangeError);
    assert.throws(() => new AntiEntropy(cycle(0), 0, { maxConcurrent: 0 }), RangeError);
  });
});
