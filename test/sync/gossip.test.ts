import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../src/crypto/index.ts';
import { decodeGossip, encodeGossip, Gossip, GOSSIP_WIRE_LIMITS, type GossipHost, type GossipMessage, type GossipSend } from '../../src/sync/index.ts';

function id(n: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = n >> 8;
  out[1] = n & 0xff;
  out[31] = 0x42;
  return out;
}

/** A host that holds vertices in a map (what a node's store would answer). */
function host(): GossipHost & { held: Map<string, Uint8Array> } {
  const held = new Map<string, Uint8Array>();
  return { held, has: (k) => held.has(k), bytesOf: (k) => held.get(k) };
}

function decoded(send: GossipSend): GossipMessage {
  const r = decodeGossip(send.bytes);
  assert.ok(r.ok, 'engine sent an undecodable message');
  return r.message;
}

function summary(sends: readonly GossipSend[]): string[] {
  return sends.map((s) => {
    const m = decoded(s);
    if ('id' in m) return `${s.peer}:${m.type}:${m.id[1]}`;
    if ('ids' in m) return `${s.peer}:${m.type}:${m.ids.map((i) => i[1]).join(',')}`;
    return `${s.peer}:${m.type}`;
  }).sort();
}

const vertex = (n: number): Uint8Array => new Uint8Array(100).fill(n);
const push = (n: number): Uint8Array => encodeGossip({ type: 'push', id: id(n), vertex: vertex(n) });
const ihave = (...ns: number[]): Uint8Array => encodeGossip({ type: 'ihave', ids: ns.map(id) });

describe('gossip wire', () => {
  it('round-trips every message type', () => {
    const messages: GossipMessage[] = [
      { type: 'push', id: id(1), vertex: vertex(1) },
      { type: 'reply', id: id(2), vertex: vertex(2) },
      { type: 'ihave', ids: [id(1), id(2), id(3)] },
      { type: 'iwant', ids: [id(4)] },
      { type: 'graft', ids: [id(5), id(6)] },
      { type: 'prune' },
    ];
    for (const m of messages) {
      const bytes = encodeGossip(m);
      assert.equal(bytes[0], 1, 'version byte');
      const r = decodeGossip(bytes);
      assert.ok(r.ok);
      assert.deepEqual(r.message, m);
    }
  });

  it('refuses bad input with a typed reason', () => {
    const ids = (n: number, type = 3): Uint8Array => {
      const b = new Uint8Array(4 + 32 * n);
      b.set([1, type, n >> 8, n & 0xff]);
      return b;
    };
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'empty'],
      [Uint8Array.of(2, 1, 0), 'unknown-version'],
      [Uint8Array.of(1), 'truncated'],
      [Uint8Array.of(1, 99), 'unknown-type'],
      [Uint8Array.of(1, 0), 'unknown-type'],
      [new Uint8Array([1, 1, ...new Array<number>(32).fill(7)]), 'truncated'], // PUSH without a vertex
      [Uint8Array.of(1, 3, 0), 'truncated'],
      [ids(0), 'no-ids'],
      [ids(GOSSIP_WIRE_LIMITS.maxAnnounceIds + 1), 'too-many-ids'],
      [ids(GOSSIP_WIRE_LIMITS.maxRequestIds + 1, 4), 'too-many-ids'],
      [ids(GOSSIP_WIRE_LIMITS.maxRequestIds + 1, 5), 'too-many-ids'],
      [ids(3).subarray(0, 4 + 32 * 2), 'truncated'],
      [new Uint8Array([...ids(1), 0]), 'bad-length'],
      [Uint8Array.of(1, 6, 0), 'bad-length'],
      [new Uint8Array(GOSSIP_WIRE_LIMITS.maxMessageBytes + 1).fill(1), 'too-long'],
    ];
    for (const [bytes, reason] of cases) {
      const r = decodeGossip(bytes);
      assert.equal(r.ok, false, `accepted ${reason} case`);
      if (!r.ok) assert.equal(r.reason, reason);
    }
    // The largest legal IHAVE decodes.
    assert.ok(decodeGossip(ids(GOSSIP_WIRE_LIMITS.maxAnnounceIds)).ok);
  });

  it('a PUSH or REPLY may carry its author\'s key (types 7 and 8), every length checked', () => {
    const authorKey = { algorithm: 'ml-dsa-65', publicKey: new Uint8Array(1952).fill(9) };
    for (const type of ['push', 'reply'] as const) {
      const m: GossipMessage = { type, id: id(3), vertex: vertex(3), authorKey };
      const bytes = encodeGossip(m);
      assert.equal(bytes[1], type === 'push' ? 7 : 8);
      assert.equal(bytes.length, 2 + 32 + 1 + 9 + 2 + 1952 + 100);
      const r = decodeGossip(bytes);
      assert.ok(r.ok);
      assert.deepEqual(r.message, m);
    }
    // id ‖ u8 label length ‖ label ‖ varint key length ‖ key ‖ vertex, with each part broken in turn.
    const keyed = (label: number[], keyLength: number[], keyBytes: number, vertexBytes: number): Uint8Array =>
      new Uint8Array([1, 7, ...new Array<number>(32).fill(5), label.length, ...label, ...keyLength, ...new Array<number>(keyBytes + vertexBytes).fill(3)]);
    const ok = [0x61, 0x2d, 0x31]; // "a-1"
    const over = GOSSIP_WIRE_LIMITS.maxKeyBytes + 1;
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([1, 7, ...new Array<number>(32).fill(5)]), 'truncated'], // no key
      [keyed([], [4], 4, 10), 'bad-key'], // empty label
      [keyed(new Array<number>(GOSSIP_WIRE_LIMITS.maxAlgorithmBytes + 1).fill(0x61), [4], 4, 10), 'bad-key'],
      [keyed([0x41], [4], 4, 10), 'bad-key'], // "A": not [a-z0-9-]
      [keyed(ok, [0], 0, 10), 'bad-key'], // empty key
      [keyed(ok, [(over & 0x7f) | 0x80, over >> 7], 0, 10), 'bad-key'], // one byte over the limit
      [keyed(ok, [0x84, 0x00], 4, 10), 'bad-key'], // 4 as a two-byte varint: not canonical
      [keyed(ok, [0x80], 0, 0), 'truncated'], // ends inside the key length
      [keyed(ok, [40], 10, 0), 'truncated'], // ends inside the key
      [keyed(ok, [4], 4, 0), 'truncated'], // key, no vertex
    ];
    for (const [bytes, reason] of cases) {
      const r = decodeGossip(bytes);
      assert.equal(r.ok, false, `accepted ${reason} case`);
      if (!r.ok) assert.equal(r.reason, reason);
    }
    const smallest = decodeGossip(keyed(ok, [4], 4, 1));
    assert.ok(smallest.ok && 'vertex' in smallest.message && smallest.message.vertex.length === 1 && smallest.message.authorKey?.algorithm === 'a-1');
  });

  it('never throws, and whatever decodes re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 8 }), fc.boolean(), (tail, type, framed) => {
        const bytes = framed ? new Uint8Array([1, type, ...tail]) : tail;
        const r = decodeGossip(bytes);
        if (r.ok) assert.deepEqual(encodeGossip(r.message), bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('gossip engine', () => {
  it('pushes a new vertex to the fanout and announces it to the other peers, batched', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 3, announceDelayMs: 40 });
    for (const p of ['a', 'b', 'c', 'd', 'e']) g.connect(p);
    assert.deepEqual(g.stats.eager, 3);
    h.held.set(toHex(id(1)), vertex(1));
    h.held.set(toHex(id(2)), vertex(2));
    assert.deepEqual(summary(g.publish(toHex(id(1)), 0)), ['a:push:1', 'b:push:1', 'c:push:1']);
    assert.deepEqual(summary(g.publish(toHex(id(2)), 10)), ['a:push:2', 'b:push:2', 'c:push:2']);
    assert.equal(g.nextDeadline(), 40);
    assert.deepEqual(g.tick(39), []);
    // Both ids ride in one IHAVE per lazy peer.
    assert.deepEqual(summary(g.tick(40)), ['d:ihave:1,2', 'e:ihave:1,2']);
    assert.equal(g.nextDeadline(), Infinity);
    // Publishing again is a no-op: the id is known.
    assert.deepEqual(g.publish(toHex(id(1)), 50), []);
  });

  it('sends the author\'s key along to the peers the host says lack it, on pushes and replies', () => {
    const authorKey = { algorithm: 'ml-dsa-65', publicKey: new Uint8Array(64).fill(4) };
    const lacking = new Set(['b', 'c']);
    const asked: string[] = [];
    const h = host();
    const g = new Gossip(
      {
        ...h,
        authorKeyFor: (key, peer) => {
          asked.push(`${peer}:${key === toHex(id(1)) ? 1 : '?'}`);
          return lacking.delete(peer) ? authorKey : undefined;
        },
      },
      { fanout: 3 },
    );
    for (const p of ['a', 'b', 'c', 'd']) g.connect(p);
    h.held.set(toHex(id(1)), vertex(1));
    const keyedTo = (sends: readonly GossipSend[]): string[] =>
      sends.map((s) => {
        const m = decoded(s);
        return `${s.peer}:${m.type}:${'authorKey' in m && m.authorKey !== undefined ? 'keyed' : 'plain'}`;
      }).sort();
    assert.deepEqual(keyedTo(g.publish(toHex(id(1)), 0)), ['a:push:plain', 'b:push:keyed', 'c:push:keyed']);
    assert.deepEqual(asked.sort(), ['a:1', 'b:1', 'c:1'], 'asked once per eager peer; lazy peers get ids only');
    // d (lazy) asks for it; the host says d lacks the key now.
    lacking.add('d');
    assert.deepEqual(keyedTo(g.receive('d', encodeGossip({ type: 'iwant', ids: [id(1)] }), 1).send), ['d:reply:keyed']);
    // A keyed message received hands the key to the host with the vertex, unverified.
    const got = g.receive('a', encodeGossip({ type: 'push', id: id(2), vertex: vertex(2), authorKey }), 2);
    assert.deepEqual(got.vertices.map((v) => [v.key, v.authorKey?.algorithm, v.authorKey?.publicKey.length]), [[toHex(id(2)), 'ml-dsa-65', 64]]);
    assert.equal(g.receive('b', push(3), 3).vertices[0]?.authorKey, undefined);
  });

  it('deduplicates by id: a second copy is not delivered and prunes the eager link it came over', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 4 });
    for (const p of ['a', 'b', 'c']) g.connect(p);
    const first = g.receive('a', push(7), 0);
    assert.equal(first.vertices.length, 1);
    assert.equal(first.vertices[0]?.key, toHex(id(7)));
    assert.equal(first.duplicate, false);
    // While the host validates, another copy is already a duplicate.
    const during = g.receive('b', push(7), 1);
    assert.equal(during.vertices.length, 0);
    assert.equal(during.duplicate, true);
    assert.deepEqual(summary(during.send), ['b:prune']);
    assert.equal(g.isEager('b'), false);
    h.held.set(toHex(id(7)), vertex(7));
    // Forwarded to the remaining eager peer only: not back to the sender, not to the pruned link.
    assert.deepEqual(summary(g.accept(toHex(id(7)), 'a', 2)), ['c:push:7']);
    const after = g.receive('c', push(7), 3);
    assert.equal(after.duplicate, true);
    assert.deepEqual(summary(after.send), ['c:prune']);
    // A REPLY duplicate (an answer we asked for) never prunes.
    assert.ok(g.isEager('a'));
    const reply = g.receive('a', encodeGossip({ type: 'reply', id: id(7), vertex: vertex(7) }), 4);
    assert.equal(reply.duplicate, true);
    assert.deepEqual(reply.send, []);
    assert.ok(g.isEager('a'));
    // A PRUNE from a peer turns the link lazy on this side too.
    g.receive('a', encodeGossip({ type: 'prune' }), 5);
    assert.equal(g.isEager('a'), false);
  });

  it('lazy pull: waits for an eager copy, then grafts the announcer, then the next one', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 0, wantTimeoutMs: 100, retryTimeoutMs: 500 });
    for (const p of ['a', 'b', 'c']) g.connect(p);
    g.receive('a', ihave(1, 2), 0);
    g.receive('b', ihave(2), 10);
    g.receive('c', ihave(1), 20);
    assert.equal(g.nextDeadline(), 100);
    assert.deepEqual(g.tick(99), []);
    assert.deepEqual(summary(g.tick(100)), ['a:graft:1,2']);
    assert.ok(g.isEager('a'), 'GRAFT re-links the tree through a');
    // a answers 1 but not 2; after the retry timeout, 2 is asked of the next announcer.
    const got = g.receive('a', encodeGossip({ type: 'reply', id: id(1), vertex: vertex(1) }), 150);
    assert.equal(got.vertices.length, 1);
    h.held.set(toHex(id(1)), vertex(1));
    g.accept(toHex(id(1)), 'a', 150);
    assert.equal(g.nextDeadline(), 150 + 40, 'announcement of 1 to b is pending');
    assert.deepEqual(summary(g.tick(190)), ['b:ihave:1']); // c announced 1, so it is not told again
    assert.deepEqual(g.tick(599), []);
    assert.deepEqual(summary(g.tick(600)), ['b:graft:2']);
    assert.equal(g.stats.wants, 1);
    // b delivers; nothing more is pending.
    g.receive('b', encodeGossip({ type: 'reply', id: id(2), vertex: vertex(2) }), 620);
    h.held.set(toHex(id(2)), vertex(2));
    g.accept(toHex(id(2)), 'b', 620);
    g.tick(700);
    assert.equal(g.stats.wants, 0);
    assert.equal(g.nextDeadline(), Infinity);
  });

  it('retries at once when the asked announcer disappears or sends bad bytes, and gives up when none is left', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 0, wantTimeoutMs: 100, retryTimeoutMs: 10_000 });
    for (const p of ['a', 'b', 'c']) g.connect(p);
    g.receive('a', ihave(3), 0);
    g.receive('b', ihave(3), 1);
    g.receive('c', ihave(3), 2);
    assert.deepEqual(summary(g.tick(100)), ['a:graft:3']);
    g.disconnect('a', 120);
    assert.equal(g.nextDeadline(), 120);
    assert.deepEqual(summary(g.tick(120)), ['b:graft:3']);
    // b answers with bytes that fail validation: the host refuses them, c is asked next.
    const bad = g.receive('b', encodeGossip({ type: 'reply', id: id(3), vertex: vertex(99) }), 130);
    assert.equal(bad.vertices.length, 1);
    g.refuse(toHex(id(3)), 'b', 130);
    assert.deepEqual(summary(g.tick(130)), ['c:graft:3']);
    g.disconnect('c', 140);
    assert.deepEqual(g.tick(140), []);
    assert.equal(g.stats.wants, 0, 'no announcer left: anti-entropy will repair it');
  });

  it('asks the sender for missing parents with IWANT, without changing the link', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 0, retryTimeoutMs: 300 });
    g.connect('a');
    h.held.set(toHex(id(1)), vertex(1));
    assert.deepEqual(summary(g.want([id(1), id(2), id(3)], 'a', 0)), ['a:iwant:2,3']);
    assert.deepEqual(g.want([id(2)], 'a', 5), [], 'already asked');
    assert.equal(g.isEager('a'), false);
    assert.equal(g.nextDeadline(), 300);
    assert.deepEqual(g.tick(300), [], 'no other announcer: given up');
    assert.equal(g.stats.wants, 0);
  });

  it('answers IWANT and GRAFT from what the host holds; GRAFT makes the link eager', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 0 });
    g.connect('a');
    h.held.set(toHex(id(1)), vertex(1));
    const w = g.receive('a', encodeGossip({ type: 'iwant', ids: [id(1), id(2)] }), 0);
    assert.deepEqual(summary(w.send), ['a:reply:1']);
    assert.equal(g.isEager('a'), false);
    const gr = g.receive('a', encodeGossip({ type: 'graft', ids: [id(1)] }), 0);
    assert.deepEqual(summary(gr.send), ['a:reply:1']);
    assert.ok(g.isEager('a'));
    const r = decodeGossip(gr.send[0]?.bytes as Uint8Array);
    assert.ok(r.ok && r.message.type === 'reply');
    if (r.ok && r.message.type === 'reply') assert.deepEqual(r.message.vertex, vertex(1));
  });

  it('bad input is a typed rejection and changes nothing', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 1, wantTimeoutMs: 100 });
    g.connect('a');
    g.connect('b');
    g.receive('b', ihave(9), 0);
    const before = { stats: g.stats, deadline: g.nextDeadline(), eager: g.isEager('a') };
    for (const bytes of [new Uint8Array(0), Uint8Array.of(9, 1), Uint8Array.of(1, 3, 0, 1, 5)]) {
      const step = g.receive('a', bytes, 50);
      assert.ok(step.rejected !== undefined);
      assert.deepEqual(step.send, []);
      assert.deepEqual(step.vertices, []);
    }
    assert.deepEqual({ stats: g.stats, deadline: g.nextDeadline(), eager: g.isEager('a') }, before);
    assert.throws(() => new Gossip(h, { fanout: -1 }), RangeError);
  });

  it('forgets the oldest ids beyond the seen-cache capacity', () => {
    const h = host();
    const g = new Gossip(h, { fanout: 1, seenCapacity: 4 });
    g.connect('a');
    for (let n = 1; n <= 6; n++) {
      h.held.set(toHex(id(n)), vertex(n));
      g.publish(toHex(id(n)), n);
    }
    assert.equal(g.stats.seen, 4);
    // The host's own store still answers for forgotten ids, so they are not fetched again.
    assert.equal(g.receive('a', push(1), 10).duplicate, true);
    h.held.delete(toHex(id(1)));
    assert.equal(g.receive('a', push(1), 11).duplicate, false);
    assert.equal(g.receive('a', push(6), 12).duplicate, true);
  });

  it('spreads a vertex to every node of a random graph with about one full copy per node', () => {
    // Nodes joined in a ring plus chords, messages delivered in a FIFO queue (no timing): the
    // first broadcast prunes the eager graph into a tree, later ones cost one copy per node.
    const n = 40;
    const hosts = Array.from({ length: n }, () => host());
    const nodes = hosts.map((h) => new Gossip(h, { fanout: 4 }));
    const links = new Set<string>();
    const link = (a: number, b: number): void => {
      if (a === b || links.has(`${Math.min(a, b)}-${Math.max(a, b)}`)) return;
      links.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
      nodes[a]?.connect(`${b}`);
      nodes[b]?.connect(`${a}`);
    };
    for (let i = 0; i < n; i++) {
      link(i, (i + 1) % n);
      link(i, (i * 7 + 3) % n);
      link(i, (i * 13 + 5) % n);
    }
    let now = 0;
    const queue: { to: number; from: number; bytes: Uint8Array }[] = [];
    let vertexBytes = 0;
    const run = (): void => {
      for (let guard = 0; guard < 100_000; guard++) {
        while (queue.length > 0) {
          const m = queue.shift() as (typeof queue)[number];
          if (m.bytes[1] === 1 || m.bytes[1] === 2) vertexBytes += m.bytes.length;
          const g = nodes[m.to] as Gossip;
          const step = g.receive(`${m.from}`, m.bytes, now);
          const out = [...step.send];
          for (const v of step.vertices) {
            hosts[m.to]?.held.set(v.key, v.bytes);
            out.push(...g.accept(v.key, v.from, now));
          }
          for (const s of out) queue.push({ to: Number(s.peer), from: m.to, bytes: s.bytes });
        }
        const next = Math.min(...nodes.map((g) => g.nextDeadline()));
        if (next === Infinity) return;
        now = Math.max(now, next);
        nodes.forEach((g, i) => {
          for (const s of g.tick(now)) queue.push({ to: Number(s.peer), from: i, bytes: s.bytes });
        });
      }
      assert.fail('gossip did not settle');
    };
    const perBroadcast: number[] = [];
    for (let k = 1; k <= 20; k++) {
      const origin = (k * 11) % n;
      hosts[origin]?.held.set(toHex(id(k)), vertex(k));
      for (const s of (nodes[origin] as Gossip).publish(toHex(id(k)), now)) queue.push({ to: Number(s.peer), from: origin, bytes: s.bytes });
      const before = vertexBytes;
      run();
      perBroadcast.push((vertexBytes - before) / (push(k).length * (n - 1)));
      for (const h of hosts) assert.ok(h.held.has(toHex(id(k))), 'every node got the vertex');
    }
    // The first broadcasts flood the eager links and prune every cycle they close; once the eager
    // links form a spanning tree, a broadcast from any origin costs exactly one copy per node.
    assert.ok((perBroadcast[0] as number) > 1.2, `first broadcast ${perBroadcast[0]}`);
    const shown = perBroadcast.map((x) => x.toFixed(2)).join(', ');
    for (const r of perBroadcast.slice(-5)) assert.ok(r <= 1.001, `copies per node: ${shown}`);
  });
});
