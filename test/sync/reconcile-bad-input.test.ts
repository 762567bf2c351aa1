import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BloomFilter } from '../../src/dag/index.ts';
import { decodeFrame, encodeErrorFrame, encodeFrame, SYNC_LIMITS, SyncSession, type Frame, type SyncRecord, type SyncStep, type WireRange } from '../../src/sync/index.ts';
import { grow, hash, randomSource, runSession, simAuthor, TestNode, topic } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2)];
const T = topic(30);
const nonce = new Uint8Array(16).fill(5);

function node(): TestNode {
  const n = new TestNode({ member: [T], keys: authors });
  grow([n], { topic: T, count: 40, authors, seed: 50 });
  return n;
}

function responder(n: TestNode): SyncSession {
  const s = SyncSession.respond({ replica: n.replica, hash, random: randomSource(3) });
  s.start();
  return s;
}

function initiator(n: TestNode): SyncSession {
  return SyncSession.initiate({ replica: n.replica, hash, random: randomSource(4), mode: { kind: 'topics', topics: [T] } });
}

const hello = (records: SyncRecord[], extra: Partial<Extract<Frame, { kind: 'hello' }>> = {}): Uint8Array =>
  encodeFrame({ kind: 'hello', more: false, await: true, owe: false, mode: 'topics', nonce, authorFilter: undefined, records, ...extra });
const welcome = (records: SyncRecord[], extra: Partial<Extract<Frame, { kind: 'welcome' }>> = {}): Uint8Array =>
  encodeFrame({ kind: 'welcome', more: false, await: true, owe: false, nonce, authorFilter: undefined, records, ...extra });
const data = (records: SyncRecord[], more = false): Uint8Array => encodeFrame({ kind: 'data', more, await: true, owe: false, records });
const frontier = (n: TestNode): SyncRecord => ({ type: 'frontier', topic: T, count: n.dag.size, tooWide: false, ids: n.dag.frontier(T) });

/** A failure: typed code, session closed, the peer told, nothing handed to the host, replica untouched. */
function assertFailure(session: SyncSession, step: SyncStep, code: string, n?: TestNode, sizeBefore?: number): void {
  assert.equal(step.error?.code, code, step.error?.detail);
  assert.ok(step.done && session.done);
  assert.equal(step.vertices.length + step.keys.length, 0);
  if (code !== 'peer-error' && code !== 'peer-unsupported-version') {
    assert.equal(step.send.length, 1);
    const d = decodeFrame(step.send[0] as Uint8Array);
    assert.ok(d.ok && d.frame.kind === 'error' && d.frame.code === code);
  }
  if (n !== undefined) assert.equal(n.dag.size, sizeBefore);
  const after = session.receive(data([]));
  assert.equal(after.error?.code, 'closed');
  assert.equal(after.send.length, 0);
}

test('unknown wire version: typed failure and an ERROR frame listing the versions spoken', () => {
  const n = node();
  const s = responder(n);
  const frame = hello([frontier(n)]);
  frame[0] = 2;
  const step = s.receive(frame);
  assertFailure(s, step, 'unknown-version', n, 40);
  const d = decodeFrame(step.send[0] as Uint8Array);
  assert.ok(d.ok && d.frame.kind === 'error' && d.frame.supportedVersions.join() === '1');
  assert.deepEqual(step.error?.supportedVersions, [1]);
  // The initiator that receives that ERROR frame learns which versions the peer speaks.
  const i = initiator(n);
  i.start();
  const back = i.receive(encodeErrorFrame('unknown-version', 'no', [3, 4]));
  assert.equal(back.error?.code, 'peer-unsupported-version');
  assert.deepEqual(back.error?.supportedVersions, [3, 4]);
  assert.equal(back.send.length, 0);
});

test('oversized want lists are refused as the frames arrive, before they are answered', () => {
  const a = node();
  const b = node();
  const i = initiator(a);
  const r = responder(b);
  const hi = i.start();
  for (const f of hi) r.receive(f);
  // Two frames of one flight, 20,000 wanted ids each: the flight's total breaks the limit.
  const ids = Array.from({ length: 20_000 }, (_, k) => Uint8Array.from({ length: 32 }, (_, j) => (k * 7 + j) & 0xff));
  const first = i.receive(welcome([{ type: 'want', topic: T, ids }], { more: true }));
  assert.equal(first.error, undefined);
  const second = i.receive(data([{ type: 'want', topic: T, ids }]));
  assertFailure(i, second, 'limit-exceeded', a, 40);
  assert.ok(ids.length * 2 > SYNC_LIMITS.maxWantsPerFlight);
});

test('zero-sized and saturated author filters are refused', () => {
  const n = node();
  const zero = new Uint8Array(21); // a filter header claiming 0 bits
  const s1 = responder(n);
  assertFailure(s1, s1.receive(hello([frontier(n)], { authorFilter: zero })), 'bad-filter', n, 40);
  const full = BloomFilter.create({ bits: 1024, hashes: 7, salt: new Uint8Array(16) }, hash).toBytes();
  full.fill(0xff, 21);
  const s2 = responder(n);
  assertFailure(s2, s2.receive(hello([frontier(n)], { authorFilter: full })), 'bad-filter', n, 40);
  // A filter that is merely sparse is fine.
  const sparse = BloomFilter.create({ bits: 1024, hashes: 7, salt: new Uint8Array(16) }, hash);
  sparse.add(authors[0]?.author as Uint8Array);
  const s3 = responder(n);
  assert.equal(s3.receive(hello([frontier(n)], { authorFilter: sparse.toBytes() })).error, undefined);
});

test('frames out of state-machine order are refused', () => {
  const n = node();
  // A responder must open with a hello.
  const r1 = responder(n);
  assertFailure(r1, r1.receive(data([frontier(n)])), 'unexpected-frame', n, 40);
  // A second hello (the first names a tip the responder lacks, so the session goes on).
  const r2 = responder(n);
  const unknownTip: SyncRecord = { type: 'frontier', topic: T, count: 1, tooWide: false, ids: [new Uint8Array(32).fill(9)] };
  const first = r2.receive(hello([unknownTip]));
  assert.ok(first.error === undefined && !first.done);
  assertFailure(r2, r2.receive(hello([unknownTip])), 'unexpected-frame', n, 40);
  // An initiator gets a hello, or a data frame before the welcome.
  const i1 = initiator(n);
  i1.start();
  assertFailure(i1, i1.receive(hello([])), 'unexpected-frame', n, 40);
  const i2 = initiator(n);
  i2.start();
  assertFailure(i2, i2.receive(data([])), 'unexpected-frame', n, 40);
  // A frame before start().
  const i3 = initiator(n);
  assert.equal(i3.receive(data([])).error?.code, 'unexpected-frame');
  // A summary in a topics-mode hello; ranges for a topic outside the session.
  const r3 = responder(n);
  assertFailure(r3, r3.receive(hello([frontier(n), { type: 'summary', after: undefined, upTo: undefined, entries: [] }])), 'unexpected-frame', n, 40);
  const r4 = responder(n);
  assertFailure(r4, r4.receive(hello([frontier(n), { type: 'ranges', topic: topic(99), ranges: [{ upper: { lamport: Infinity, prefix: new Uint8Array(0) }, mode: 'skip' }] }])), 'unexpected-frame', n, 40);
  // Ranges that do not reach the end of the order, or go backwards.
  const a = node();
  const b = new TestNode({ member: [T], keys: authors });
  grow([b], { topic: T, count: 10, authors, seed: 51 });
  const skipTo = (lamport: number): WireRange => ({ upper: { lamport, prefix: new Uint8Array(0) }, mode: 'skip' });
  const i4 = initiator(a);
  i4.start();
  const short = welcome([frontier(b), { type: 'ranges', topic: T, ranges: [skipTo(3)] }]);
  assertFailure(i4, i4.receive(short), 'malformed', a, 40);
  const i5 = initiator(a);
  i5.start();
  const backwards = welcome([frontier(b), { type: 'ranges', topic: T, ranges: [skipTo(5), skipTo(4), skipTo(Infinity)] }]);
  assertFailure(i5, i5.receive(backwards), 'malformed', a, 40);
  // A welcome that leaves a named topic unanswered.
  const i6 = initiator(a);
  i6.start();
  assertFailure(i6, i6.receive(welcome([])), 'unexpected-frame', a, 40);
});

test('vertex bytes that do not decode, or belong to another topic, are refused', () => {
  const a = node();
  const other = new TestNode({ member: [topic(31)] });
  const foreign = grow([other], { topic: topic(31), count: 1, authors, seed: 52 })[0];
  for (const records of [
    [{ type: 'vertices', topic: T, vertices: [Uint8Array.of(0xa7, 1, 2)] }],
    [{ type: 'vertices', topic: T, vertices: [foreign?.bytes as Uint8Array] }],
  ] as SyncRecord[][]) {
    const i = initiator(a);
    i.start();
    const step = i.receive(welcome([{ type: 'covered', topic: T }, ...records], { await: false }));
    assertFailure(i, step, 'bad-vertex', a, 40);
  }
});

test('a peer that never answers: the session stays bounded, abort() closes it and tells the peer', () => {
  const n = node();
  const i = initiator(n);
  const sent = i.start();
  assert.ok(sent.length >= 1);
  assert.equal(i.done, false);
  const step = i.abort('timeout');
  assert.equal(step.error?.code, 'aborted');
  assert.ok(step.done && i.done);
  const d = decodeFrame(step.send[0] as Uint8Array);
  assert.ok(d.ok && d.frame.kind === 'error' && d.frame.code === 'aborted');
  assert.equal(i.receive(data([])).error?.code, 'closed');
  assert.equal(i.abort().send.length, 0, 'aborting twice sends nothing more');
  // The peer that gets the ERROR frame ends too.
  const behind = new TestNode({ member: [T] });
  const r = responder(behind);
  for (const f of sent) r.receive(f);
  const told = r.receive(step.send[0] as Uint8Array);
  assert.equal(told.error?.code, 'peer-error');
  assert.ok(r.done);
});

test('a peer that streams frames without ever ending its flight is cut off at the frame limit', () => {
  const n = node();
  const r = responder(n);
  assert.equal(r.receive(encodeFrame({ kind: 'hello', more: true, await: true, owe: false, mode: 'topics', nonce, authorFilter: undefined, records: [frontier(n)] })).error, undefined);
  let step: SyncStep | undefined;
  let frames = 1;
  const more = data([], true);
  while (step?.error === undefined && frames < SYNC_LIMITS.maxFramesPerFlight + 10) {
    step = r.receive(more);
    frames++;
    assert.equal(step.send.length === 0 || step.error !== undefined, true, 'nothing is answered mid-flight');
  }
  assert.equal(step?.error?.code, 'limit-exceeded');
  assert.equal(frames, SYNC_LIMITS.maxFramesPerFlight + 1);
});

test('receive after a completed session is refused without side effects', () => {
  const { initiator: i, responder: r } = runSession(node(), node(), { kind: 'topics', topics: [T] });
  assert.ok(i.done && r.done && i.error === undefined);
  const late = r.receive(data([]));
  assert.equal(late.error?.code, 'closed');
  assert.equal(r.error, undefined, 'a late frame does not turn a completed session into a failed one');
});
