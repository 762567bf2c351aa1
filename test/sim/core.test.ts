import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EventQueue } from '../../src/sim/event-queue.ts';
import { DEFAULT_LINK_PROFILE, Link } from '../../src/sim/link.ts';
import { Prng } from '../../src/sim/prng.ts';
import { completeTopology, connectedComponents, randomTopology } from '../../src/sim/topology.ts';

describe('simulator PRNG (xoshiro128**)', () => {
  it('is a pure function of its seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    assert.deepEqual(Array.from({ length: 100 }, () => b.nextU32()), xs);
    assert.notDeepEqual(Array.from({ length: 100 }, () => c.nextU32()), xs);
    // Seed 0 works (splitmix seeding never leaves the all-zero state).
    const zero = new Prng(0);
    assert.ok(new Set(Array.from({ length: 10 }, () => zero.nextU32())).size === 10);
  });

  it('is roughly uniform and stays in range', () => {
    const p = new Prng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = p.next();
      assert.ok(x >= 0 && x < 1);
      const k = Math.floor(x * 10);
      buckets[k] = (buckets[k] ?? 0) + 1;
    }
    for (const b of buckets) assert.ok(Math.abs(b - 10_000) < 500, `bucket ${b}`);
    for (let i = 0; i < 1000; i++) {
      const k = p.int(7);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    }
    const bytes = p.fill(new Uint8Array(33));
    assert.ok(bytes.some((b) => b !== 0));
    const shuffled = p.shuffle([1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...shuffled].sort(), [1, 2, 3, 4, 5, 6]);
  });
});

describe('event queue', () => {
  it('pops in time order, ties in insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const out: [number, number][] = [];
        for (let e = q.pop(); e !== undefined; e = q.pop()) out.push([e.time, e.item]);
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        assert.deepEqual(out, expected);
      }),
    );
    assert.throws(() => new EventQueue<number>().push(Number.NaN, 1), RangeError);
  });
});

describe('topology', () => {
  it('random graphs are connected with about the asked degree', () => {
    for (const seed of [1, 2, 3]) {
      const n = 500;
      const edges = randomTopology(n, 6, new Prng(seed));
      assert.equal(connectedComponents(n, edges).length, 1);
      const keys = new Set(edges.map(([a, b]) => `${a}-${b}`));
      assert.equal(keys.size, edges.length, 'no repeated edges');
      for (const [a, b] of edges) assert.ok(a < b, 'ordered, no self-loops');
      const mean = (2 * edges.length) / n;
      assert.ok(mean > 5.7 && mean <= 6.1, `mean degree ${mean}`);
    }
    assert.deepEqual(randomTopology(20, 3, new Prng(9)), randomTopology(20, 3, new Prng(9)));
    assert.equal(completeTopology(5).length, 10);
    assert.throws(() => randomTopology(5, 5, new Prng(1)), RangeError);
  });
});

describe('link model', () => {
  it('serialises by bandwidth, adds latency, keeps order, fragments by MTU', () => {
    const link = new Link(0, 1, { ...DEFAULT_LINK_PROFILE, latencyMs: 10, jitterMs: 0, bandwidthBytesPerSec: 1000, mtu: 100, frameOverheadBytes: 2 });
    const p = new Prng(1);
    const a = link.transmit(0, 250, 0, p);
    assert.equal(a.frames, 3);
    assert.equal(a.wireBytes, 256);
    assert.deepEqual(a.arrivals, [256 + 10]);
    // Queued behind the first message in the same direction; the other direction is independent.
    const b = link.transmit(0, 100, 0, p);
    assert.deepEqual(b.arrivals, [256 + 102 + 10]);
    const c = link.transmit(1, 100, 0, p);
    assert.deepEqual(c.arrivals, [102 + 10]);
  });

  it('loses a message with every frame at risk, duplicates and reorders as configured', () => {
    const p = new Prng(5);
    const lossy = new Link(0, 1, { ...DEFAULT_LINK_PROFILE, loss: 0.1, bandwidthBytesPerSec: Infinity, mtu: 100 });
    let lostSmall = 0;
    let lostLarge = 0;
    for (let i = 0; i < 4000; i++) {
      if (lossy.transmit(0, 50, 0, p).arrivals.length === 0) lostSmall++;
      if (lossy.transmit(0, 1000, 0, p).arrivals.length === 0) lostLarge++;
    }
    assert.ok(Math.abs(lostSmall / 4000 - 0.1) < 0.03, `small ${lostSmall}`);
    assert.ok(Math.abs(lostLarge / 4000 - (1 - 0.9 ** 10)) < 0.04, `large ${lostLarge}`);
    const dup = new Link(0, 1, { ...DEFAULT_LINK_PROFILE, duplicate: 1 });
    assert.equal(dup.transmit(0, 10, 0, p).arrivals.length, 2);
    const re = new Link(0, 1, { ...DEFAULT_LINK_PROFILE, reorder: 0.5, reorderDelayMs: 1000, jitterMs: 0, bandwidthBytesPerSec: Infinity });
    const arrivals = Array.from({ length: 50 }, (_, i) => re.transmit(0, 10, i, p).arrivals[0] as number);
    assert.ok(arrivals.some((t, i) => i > 0 && t < (arrivals[i - 1] as number)), 'some messages overtake others');
    assert.throws(() => new Link(0, 1, { ...DEFAULT_LINK_PROFILE, loss: 2 }), RangeError);
    // A profile set later is checked the same way, and a refused one changes nothing.
    assert.throws(() => (dup.profile = { ...dup.profile, bandwidthBytesPerSec: 0 }), RangeError);
    assert.equal(dup.profile.duplicate, 1);
    assert.equal(dup.profile.bandwidthBytesPerSec, DEFAULT_LINK_PROFILE.bandwidthBytesPerSec);
  });
});
