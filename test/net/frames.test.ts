import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nobleProvider } from '../../src/crypto/index.ts';
import { Identity } from '../../src/identity/index.ts';
import {
  derivePeerKey,
  encodeLengthPrefix,
  FrameMalformedError,
  FrameTooLargeError,
  LengthPrefixParser,
  NET_LIMITS,
  netLimitsOf,
  NetOptionsError,
  peerIdOfKey,
} from '../../src/net/index.ts';
import { Dag } from '../../src/dag/index.ts';
import { DagReplica, encodeErrorFrame, SyncSession } from '../../src/sync/index.ts';
import { PeerBook } from '../../src/net/peer-book.ts';
import { PeerGuard } from '../../src/net/peer-guard.ts';
import { provider } from '../support/fixtures.ts';

/** Feeds bytes to a parser; returns the length and how many bytes it took, or the error and where it came. */
function parse(bytes: Uint8Array, limit: number): { length?: number; used: number; error?: unknown } {
  const p = new LengthPrefixParser(limit);
  for (let i = 0; i < bytes.length; i++) {
    try {
      const length = p.push(bytes[i] as number);
      if (length !== undefined) return { length, used: i + 1 };
    } catch (error) {
      return { error, used: i + 1 };
    }
  }
  return { used: bytes.length };
}

test('length prefix: shortest LEB128 varints round-trip, byte by byte', () => {
  for (const n of [1, 127, 128, 300, 16_383, 16_384, 73_762, NET_LIMITS.maxSyncFrameBytes]) {
    const prefix = encodeLengthPrefix(n);
    assert.equal(prefix.length, n < 128 ? 1 : n < 16_384 ? 2 : 3);
    assert.deepEqual(parse(prefix, NET_LIMITS.maxSyncFrameBytes), { length: n, used: prefix.length });
  }
  assert.throws(() => encodeLengthPrefix(0), RangeError);
});

test('length prefix: refused before any body byte — too large as soon as it must be, empty, not shortest', () => {
  const limit = NET_LIMITS.maxSyncFrameBytes; // 2^20
  const huge = parse(encodeLengthPrefix(2 ** 31), limit);
  assert.ok(huge.error instanceof FrameTooLargeError);
  assert.equal(huge.used, 3, 'after three bytes the value is at least 2^21');
  const justOver = parse(encodeLengthPrefix(limit + 1), limit);
  assert.ok(justOver.error instanceof FrameTooLargeError);
  assert.equal(justOver.used, 3);
  assert.ok(parse(Uint8Array.of(0), limit).error instanceof FrameMalformedError);
  assert.ok(parse(Uint8Array.of(0x81, 0x00), limit).error instanceof FrameMalformedError, 'a padded varint is refused');
  const gossip = parse(encodeLengthPrefix(NET_LIMITS.maxGossipFrameBytes + 1), NET_LIMITS.maxGossipFrameBytes);
  assert.ok(gossip.error instanceof FrameTooLargeError);
  // The parser starts over after each complete prefix.
  const p = new LengthPrefixParser(limit);
  assert.equal(p.push(5), 5);
  assert.equal(p.started, false);
});

test('net limits: defaults frozen; overrides checked', () => {
  assert.ok(Object.isFrozen(NET_LIMITS));
  assert.equal(netLimitsOf({ idleTimeoutMs: 300 }).idleTimeoutMs, 300);
  assert.throws(() => netLimitsOf({ maxConnections: 0 }), NetOptionsError);
  assert.throws(() => netLimitsOf({ maxSyncFrameBytes: 1_000 }), NetOptionsError, 'honest frames must fit');
  assert.throws(() => netLimitsOf({ streamWindowBytes: 8 * 1024 * 1024 }), NetOptionsError, 'the window must stay under the read buffer');
});

test('peer key: derived from the identity seed, the same with both crypto providers, distinct per seed', async () => {
  const zero = new Uint8Array(32);
  const id = peerIdOfKey(await derivePeerKey(Identity.fromSeed(zero, provider)));
  assert.equal(id, '12D3KooWQbPjei3LbHr3QZ1gj6WN7tbLgkTPckTZiPUjk2vPTfA3', 'regression vector');
  assert.equal(peerIdOfKey(await derivePeerKey(Identity.fromSeed(zero, nobleProvider))), id);
  assert.notEqual(peerIdOfKey(await derivePeerKey(Identity.fromSeed(new Uint8Array(32).fill(1), provider))), id);
});

test('peer guard: small faults add up to the budget, a protocol fault spends it at once; bans expire', () => {
  let now = 0;
  const banned: string[] = [];
  const guard = new PeerGuard({ misbehaviourBudget: 4, banMs: 1_000, now: () => now, onBan: (p) => banned.push(p) });
  for (let i = 0; i < 3; i++) assert.equal(guard.penalise('p1', 'invalid-vertex', 'bad'), false);
  assert.equal(guard.pointsOf('p1'), 3);
  assert.equal(guard.penalise('p1', 'invalid-vertex', 'bad'), true);
  assert.equal(guard.penalise('p2', 'framing', 'oversized'), true);
  assert.deepEqual(banned, ['p1', 'p2']);
  assert.ok(guard.isBanned('p1') && guard.isBanned('p2'));
  now = 1_000;
  assert.equal(guard.isBanned('p1'), false, 'the cool-down ended');
  assert.equal(guard.pointsOf('p1'), 0, 'and the peer starts again with its full budget');
  assert.deepEqual(guard.banned(), []);
});

test('peer book: a book rebuilt from another\'s known peers keeps their recency order', () => {
  let now = 1_000;
  const first = new PeerBook({ now: () => now });
  for (const peer of ['p-old', 'p-mid', 'p-new']) {
    first.learn(peer, [`/ip4/127.0.0.1/tcp/${peer.length}`]);
    first.connected(peer, 'outbound');
    now += 1_000;
  }
  const order = first.known().map((p) => p.peerId);
  assert.equal(order[0], 'p-new', 'most recently connected first');
  const second = new PeerBook({ known: first.known() });
  assert.deepEqual(second.known().map((p) => p.peerId), order, 'a restart does not flip the order');
  assert.deepEqual(new PeerBook({ known: second.known() }).known().map((p) => p.peerId), order, 'nor does a second one');
});

test('the ERROR frame SyncProtocol.refuse encodes for a busy node is the one a fresh responder session sends when aborted as busy', () => {
  const replica = new DagReplica({ dag: new Dag(), bytes: () => undefined, keys: { getKey: () => undefined } });
  const session = SyncSession.respond({ replica, hash: (d) => provider.sha3_256(d), random: (n) => provider.randomBytes(n) });
  session.start();
  const step = session.abort('busy');
  assert.equal(step.send.length, 1);
  assert.deepEqual(step.send[0], encodeErrorFrame('aborted', 'busy'));
});
