import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { CRDT_TYPE_NAMES, type CrdtTypeName } from '../../src/crdt/crdt-type.ts';
import { encodeEnvelope } from '../../src/crdt/envelope.ts';
import { deleteOp, insertOp, rga, RGA_LIMITS, rgaText, type RgaOp } from '../../src/crdt/rga/index.ts';
import { changeOf, CrdtChangeRejectedError, DocumentStore } from '../../src/crdt/document-store.ts';
import { CrdtError } from '../../src/crdt/errors.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { gSet } from '../../src/crdt/g-set.ts';
import { lwwRegister } from '../../src/crdt/lww-register.ts';
import { orSet } from '../../src/crdt/or-set.ts';
import { pnCounter } from '../../src/crdt/pn-counter.ts';
import { createVertex, type DecodedVertex } from '../../src/dag/index.ts';
import { fastProvider, makeAuthor, prng, topicOf } from '../support/fixtures.ts';
import { commit, commitPayload, deliver, randomChange, replica, type Replica } from './document-support.ts';

const TOPIC = topicOf(5);
const alice = makeAuthor(1);
const bob = makeAuthor(2);
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '-' : Buffer.from(b).toString('hex'));
const inc = (n: number): unknown => gCounter.encodeOp(gCounter.increment(n));
const envelope = (entries: { t: string; n: string; o: unknown[] }[]): Uint8Array => dagCbor.encode({ v: 1, docs: entries });

/** Every document of the topic as (type, name) → state hex, and the frontier. */
function snapshotOf(r: Replica): { states: Record<string, string>; frontier: string[] } {
  const states: Record<string, string> = {};
  for (const d of r.docs.documents(TOPIC)) states[`${d.type}/${d.name}`] = hex(r.docs.encodedState(TOPIC, d.type, d.name));
  return { states, frontier: r.docs.frontier(TOPIC).map(hex) };
}

function history(seed: number, vertices: number): { author: Replica; made: DecodedVertex[]; ops: number } {
  const a = replica(alice);
  const rand = prng(seed);
  const made: DecodedVertex[] = [];
  let ops = 0;
  for (let i = 0; i < vertices; i++) {
    const changes = CRDT_TYPE_NAMES.filter(() => rand() < 0.5).map((t) => randomChange(a, TOPIC, t, `${t}-${Math.floor(rand() * 2)}`, rand));
    if (changes.length === 0) changes.push(randomChange(a, TOPIC, 'g-counter', 'c', rand));
    ops += changes.reduce((n, c) => n + c.ops.length, 0);
    made.push(commit(a, TOPIC, changes));
  }
  return { author: a, made, ops };
}

test('vertices apply once each, in any causal delivery order, to the same bytes', () => {
  const { author, made, ops } = history(1, 24);
  assert.equal(author.docs.topicStats(TOPIC)?.appliedVertices, 24);
  assert.equal(
    author.docs.documents(TOPIC).reduce((n, d) => n + d.stats.appliedOps, 0),
    ops,
  );
  // Bob receives them shuffled: the DAG holds back children until their parents arrive.
  const b = replica(bob);
  const rand = prng(99);
  const shuffled = [...made].sort(() => rand() - 0.5);
  for (const v of shuffled) deliver(b, v);
  assert.deepEqual(snapshotOf(b), snapshotOf(author));
  assert.equal(b.docs.topicStats(TOPIC)?.appliedVertices, 24);
  // Feeding them again changes nothing: each one is a duplicate.
  const before = snapshotOf(b);
  for (const v of made) assert.deepEqual(b.docs.applyVertex(v, v.payload), { status: 'duplicate' });
  assert.deepEqual(snapshotOf(b), before);
  assert.equal(b.docs.topicStats(TOPIC)?.appliedVertices, 24);
  // The applied frontier is the DAG's.
  assert.deepEqual(b.docs.frontier(TOPIC).map(hex), b.dag.frontier(TOPIC).map(hex));
  assert.ok(made.every((v) => b.docs.hasApplied(TOPIC, v.id)));
});

test('a vertex fed before its parent is a caller bug, and changes nothing', () => {
  const { made } = history(2, 3);
  const docs = new DocumentStore();
  const child = made[1] as DecodedVertex;
  assert.throws(() => docs.applyVertex(child, child.payload), { code: 'ERR_CAUSAL_ORDER' });
  assert.equal(docs.hasApplied(TOPIC, child.id), false);
  assert.deepEqual(docs.documents(TOPIC), []);
});

test('change builds an envelope any replica applies, and leaves local state alone until the vertex returns', () => {
  const a = replica(alice);
  commit(a, TOPIC, [changeOf('or-set', 'tags', orSet.add(a.docs.currentState(TOPIC, 'or-set', 'tags'), 'x'))]);
  const before = hex(a.docs.encodedState(TOPIC, 'or-set', 'tags'));
  const payload = a.docs.change(TOPIC, [changeOf('or-set', 'tags', orSet.remove(a.docs.currentState(TOPIC, 'or-set', 'tags'), 'x')), changeOf('pn-counter', 'p', [pnCounter.decrement(3)])], alice.author);
  assert.equal(hex(a.docs.encodedState(TOPIC, 'or-set', 'tags')), before);
  assert.equal(a.docs.document(TOPIC, 'pn-counter', 'p'), undefined);
  commitPayload(a, TOPIC, payload);
  assert.deepEqual(a.docs.value(TOPIC, 'or-set', 'tags'), []);
  assert.equal(a.docs.value(TOPIC, 'pn-counter', 'p'), -3n);
  // A document nobody wrote reads as the type's initial value.
  assert.equal(a.docs.value(TOPIC, 'g-counter', 'never'), 0n);
  assert.deepEqual(a.docs.value(TOPIC, 'lww-register', 'never'), undefined);
});

test('change refuses what a receiver would refuse, with an error, before any vertex exists', () => {
  const docs = new DocumentStore();
  assert.throws(() => docs.change(TOPIC, [{ type: 'no-such-type' as CrdtTypeName, name: 'x', ops: [1] }], alice.author), { code: 'ERR_UNKNOWN_TYPE' });
  assert.throws(() => docs.change(TOPIC, [changeOf('g-counter', '', [gCounter.increment(1)])], alice.author), { code: 'ERR_ENVELOPE' });
  assert.throws(() => docs.change(TOPIC, [changeOf('g-counter', 'c', Array.from({ length: 4097 }, () => gCounter.increment(1)))], alice.author), { code: 'ERR_ENVELOPE' });
  assert.throws(() => docs.change(TOPIC, [changeOf('g-counter', 'c', [gCounter.increment(1)]), changeOf('g-counter', 'c', [gCounter.increment(1)])], alice.author), { code: 'ERR_ENVELOPE' });
  // An operation object of another type, passed past the compiler.
  const foreign = { type: 'lww-register' as const, name: 'r', ops: [gSet.add('x')] };
  assert.throws(() => docs.change(TOPIC, [foreign], alice.author), (e: unknown) => e instanceof CrdtChangeRejectedError && e.rejection.reason === 'wrong-type');
  assert.throws(() => docs.change(TOPIC, [], alice.author), CrdtError);
  assert.throws(() => docs.change(TOPIC, [changeOf('g-counter', 'c', [gCounter.increment(1)])], new Uint8Array(31)), { code: 'ERR_CHANGE_AUTHOR' });
});

test('bad input is refused, recorded and harmless: the DAG keeps the vertex and later operations apply', () => {
  const a = replica(alice);
  const log: DecodedVertex[] = [];
  log.push(commit(a, TOPIC, [changeOf('g-counter', 'c', [gCounter.increment(5)]), changeOf('lww-register', 'r', [lwwRegister.write('first')])]));
  const clean = snapshotOf(a);
  const bad: [string, Uint8Array][] = [
    ['wrong-type op', envelope([{ t: 'g-counter', n: 'c', o: [orSet.encodeOp({ k: 'ors.rm', d: [] })] }])],
    ['absurd count', envelope([{ t: 'g-counter', n: 'c', o: [{ k: 'gc.inc', n: 2 ** 40 }] }])],
    ['negative count', envelope([{ t: 'g-counter', n: 'c', o: [{ k: 'gc.inc', n: -1 }] }])],
    ['absurd length', envelope([{ t: 'lww-register', n: 'r', o: [{ k: 'lww.set', v: 'x'.repeat(5000) }] }])],
    ['absurd dot list', envelope([{ t: 'or-set', n: 's', o: [{ k: 'ors.rm', d: Array.from({ length: 1025 }, (_, i) => [new Uint8Array(32).fill(1), i]) }] }])],
    ['not a map', envelope([{ t: 'g-counter', n: 'c', o: ['inc'] }])],
    ['all or nothing', envelope([{ t: 'g-counter', n: 'c', o: [inc(1), inc(2), { k: 'gc.inc' }] }])],
  ];
  for (const [what, payload] of bad) {
    const v = commitPayload(a, TOPIC, payload);
    log.push(v);
    assert.ok(a.dag.has(v.id), what);
    assert.ok(a.docs.hasApplied(TOPIC, v.id), what);
    // Documents keep their state; a document first named by a refused entry has the initial state.
    const emptyOrSet = hex(orSet.encodeState(orSet.create()));
    assert.deepEqual(snapshotOf(a).states, { ...clean.states, ...(a.docs.documentStats(TOPIC, 'or-set', 's') ? { 'or-set/s': emptyOrSet } : {}) }, `${what}: state untouched`);
  }
  const c = a.docs.documentStats(TOPIC, 'g-counter', 'c');
  assert.equal(c?.rejectedEntries, 5);
  assert.equal(c?.lastRejection?.reason, 'malformed');
  assert.match(c?.lastRejection?.detail ?? '', /operation 2/);
  assert.equal(a.docs.documentStats(TOPIC, 'lww-register', 'r')?.lastRejection?.reason, 'limit');
  // A document whose only entry was refused exists, empty, with the refusal on record.
  assert.equal(a.docs.documentStats(TOPIC, 'or-set', 's')?.lastRejection?.reason, 'limit');
  assert.deepEqual(a.docs.value(TOPIC, 'or-set', 's'), []);

  // An unknown type: that entry alone is refused; the rest of the vertex applies.
  const mixed = commitPayload(a, TOPIC, envelope([{ t: 'future-type', n: 'f', o: [1] }, { t: 'g-counter', n: 'c', o: [inc(2)] }]));
  log.push(mixed);
  assert.equal(a.docs.topicStats(TOPIC)?.unknownTypeEntries, 1);
  assert.equal(a.docs.topicStats(TOPIC)?.lastProblem?.reason, 'unknown-type');
  assert.equal(a.docs.topicStats(TOPIC)?.lastProblem?.vertex, mixed.key);
  assert.equal(a.docs.value(TOPIC, 'g-counter', 'c'), 7n);

  // Payloads that are not envelopes: ignored and counted.
  const garbage = [new Uint8Array(0), new TextEncoder().encode('a chat message'), Uint8Array.of(0x81, 0x81, 0x81), prngBytes(7, 300), dagCbor.encode({ v: 2, docs: [] })];
  for (const payload of garbage) {
    const v = createVertex({ topic: TOPIC, ...a.dag.nextParents(TOPIC), payload }, alice, fastProvider);
    assert.equal(a.dag.add(v).status, 'added');
    assert.equal(a.docs.applyVertex(v, v.payload).status, 'ignored');
    log.push(v);
  }
  assert.equal(a.docs.topicStats(TOPIC)?.ignoredPayloads, garbage.length);
  assert.deepEqual(a.docs.frontier(TOPIC).map(hex), a.dag.frontier(TOPIC).map(hex));

  // Valid operations after all of that still apply.
  log.push(commit(a, TOPIC, [changeOf('g-counter', 'c', [gCounter.increment(1)]), changeOf('lww-register', 'r', [lwwRegister.write('second')])]));
  assert.equal(a.docs.value(TOPIC, 'g-counter', 'c'), 8n);
  assert.equal(a.docs.value(TOPIC, 'lww-register', 'r'), 'second');

  // Another replica judges the same vertices the same way.
  const b = replica(bob);
  for (const v of [...log].reverse()) deliver(b, v);
  assert.deepEqual(snapshotOf(b), snapshotOf(a));
  assert.deepEqual(b.docs.topicStats(TOPIC), a.docs.topicStats(TOPIC));
  assert.deepEqual(b.docs.documentStats(TOPIC, 'g-counter', 'c'), a.docs.documentStats(TOPIC, 'g-counter', 'c'));
});

function prngBytes(seed: number, n: number): Uint8Array {
  const rand = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

/** An RGA insert by `r`'s author at `pos` of the document's current state. */
function insert(r: Replica, name: string, pos: number, text: string): RgaOp {
  const op = insertOp(r.docs.currentState(TOPIC, 'rga', name), r.author.author, pos, text);
  assert.ok(op.ok);
  return op.value;
}
const ins = (r: Replica, name: string, pos: number, text: string): unknown => rga.encodeOp(insert(r, name, pos, text));

test('rga: positions that do not exist are refused; a refused operation after applied ones rolls the entry back', () => {
  for (const checkpointEvery of [256, 2]) {
    const a = replica(alice, { checkpointEvery });
    const log: DecodedVertex[] = [];
    // Enough edits that the small checkpoint interval re-takes its checkpoint several times.
    for (let i = 0; i < 7; i++) log.push(commitPayload(a, TOPIC, encodeEnvelope([{ type: 'rga', name: 't', ops: [ins(a, 't', 0, `${i}`)] }])));
    assert.equal(rgaText(a.docs.currentState(TOPIC, 'rga', 't')), '6543210');
    const before = hex(a.docs.encodedState(TOPIC, 'rga', 't'));
    const ghost = rga.encodeOp({ kind: 'rga.del', ranges: [{ author: bob.author, seq: 0, len: 1 }] });
    const beyond = rga.encodeOp({ kind: 'rga.del', ranges: [{ author: alice.author, seq: 5, len: 9 }] });
    const orphan = rga.encodeOp({ kind: 'rga.ins', seq: 7, left: { author: bob.author, seq: 3 }, right: null, content: 'x' });
    const entries: [string, unknown[]][] = [
      ['delete of an item nobody made', [ghost]],
      ['delete past the items there are', [beyond]],
      ['insert next to an item nobody made', [orphan]],
      // The first two apply, then the third is refused: the entry must leave no trace.
      ['rollback', [ins(a, 't', 3, 'ab'), rga.encodeOp({ kind: 'rga.ins', seq: 9, left: null, right: null, content: 'c' }), ghost]],
    ];
    for (const [what, ops] of entries) {
      log.push(commitPayload(a, TOPIC, encodeEnvelope([{ type: 'rga', name: 't', ops }])));
      assert.equal(hex(a.docs.encodedState(TOPIC, 'rga', 't')), before, what);
      assert.equal(a.docs.documentStats(TOPIC, 'rga', 't')?.lastRejection?.reason, 'bad-position', what);
    }
    assert.equal(a.docs.documentStats(TOPIC, 'rga', 't')?.rejectedEntries, 4);
    // The author's next insert has the seq it would have had: the rollback restored the counters.
    log.push(commit(a, TOPIC, [changeOf('rga', 't', [insert(a, 't', 7, '!')])]));
    assert.equal(rgaText(a.docs.currentState(TOPIC, 'rga', 't')), '6543210!');
    // An absurd insert is refused by its size alone.
    log.push(commitPayload(a, TOPIC, encodeEnvelope([{ type: 'rga', name: 't', ops: [rga.encodeOp({ kind: 'rga.ins', seq: 8, left: null, right: null, content: 'x'.repeat(RGA_LIMITS.maxInsertElements + 1) })] }])));
    assert.equal(a.docs.documentStats(TOPIC, 'rga', 't')?.lastRejection?.reason, 'limit');
    const b = replica(bob);
    for (const v of log) deliver(b, v);
    assert.deepEqual(snapshotOf(b), snapshotOf(a));
  }
});

test('rga: a local edit built on another state is refused by change', () => {
  const a = replica(alice);
  commit(a, TOPIC, [changeOf('rga', 'full', [insert(a, 'full', 0, 'hello')])]);
  const del = deleteOp(a.docs.currentState(TOPIC, 'rga', 'full'), 1, 2);
  assert.ok(del.ok);
  assert.throws(
    () => a.docs.change(TOPIC, [changeOf('rga', 'empty', [del.value])], alice.author),
    (e: unknown) => e instanceof CrdtChangeRejectedError && e.rejection.reason === 'bad-position' && e.rejection.name === 'empty',
  );
  commit(a, TOPIC, [changeOf('rga', 'full', [del.value])]);
  assert.equal(rgaText(a.docs.currentState(TOPIC, 'rga', 'full')), 'hlo');
});

test('options are checked', () => {
  assert.throws(() => new DocumentStore({ snapshotEvery: 0 }), { code: 'ERR_OPTION' });
  assert.throws(() => new DocumentStore({ checkpointEvery: 1.5 }), { code: 'ERR_OPTION' });
});
