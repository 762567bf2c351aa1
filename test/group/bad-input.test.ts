import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { toHex } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import type { Group} from '../../src/group/index.ts';
import { encodeControl, encodeTaggedKey, sealEnvelope, type ControlOp, type GroupRejectionReason } from '../../src/group/index.ts';
import { GroupMember, syncAll } from '../support/group-member.ts';
import { provider } from '../support/fixtures.ts';

/*
 * Bad input at the group layer: each is refused with its typed reason on every member, and
 * nothing is stored or decrypted — the log gets no message, membership and the receiver's
 * secrets stay byte-identical, and honest traffic afterwards still works.
 */

function setup(): { a: GroupMember; b: GroupMember; c: GroupMember; all: GroupMember[] } {
  const [a, b, c] = ['A', 'B', 'C'].map((n, i) => new GroupMember(n, { seed: 300 + i })) as [GroupMember, GroupMember, GroupMember];
  a.create('bad input');
  a.write({ kind: 'ops', ops: [a.addOp(b), a.addOp(c)] });
  b.joinFrom(a);
  c.joinFrom(a);
  const all = [a, b, c];
  for (const m of all) {
    m.say(`warm-up from ${m.name}`);
    syncAll(all);
  }
  return { a, b, c, all };
}

function sealRaw(author: GroupMember, kind: 'control' | 'message', body: Uint8Array, epoch = 0, index = 0, bodyKey?: Uint8Array): Uint8Array {
  const g = author.group as Group;
  return sealEnvelope(provider, {
    headerKey: g.keys.headerKey,
    bodyKey: bodyKey ?? g.keys.controlKey,
    nonce: author.random(12),
    header: { kind, epoch, index },
    topic: g.topic,
    author: author.author,
    content: body,
  });
}

/** Delivers `bad` from `from` to the others and checks every one refuses it with `reason`, changing nothing. */
function expectRefusedEverywhere(from: GroupMember, others: readonly GroupMember[], bad: DecodedVertex, reason: GroupRejectionReason): void {
  const snapshots = others.map((m) => ({ members: m.members(), secrets: (m.group as Group).secrets.encode(), readable: m.readable().length }));
  for (const m of others) m.receive(bad);
  others.forEach((m, i) => {
    const outcome = m.outcomeOf(bad);
    assert.equal(outcome?.status, 'rejected', `${m.name} refuses`);
    assert.equal(outcome?.status === 'rejected' ? outcome.reason : undefined, reason, `${m.name} says why`);
    const before = snapshots[i] as (typeof snapshots)[number];
    assert.deepEqual(m.members(), before.members, `${m.name}: membership unchanged`);
    assert.deepEqual((m.group as Group).secrets.encode(), before.secrets, `${m.name}: secrets unchanged`);
    assert.equal(m.readable().length, before.readable, `${m.name}: nothing decrypted into the log`);
  });
  void from;
}

test('a forged membership operation (a non-admin adding and removing) is refused identically by every member', () => {
  const { a, b, c } = setup();
  const outsider = new GroupMember('X', { seed: 399 });
  assert.throws(() => b.write({ kind: 'ops', ops: [{ o: 'remove', member: c.author }] }), { code: 'ERR_GROUP_FORBIDDEN' });
  const forged = b.placeRaw(sealRaw(b, 'control', encodeControl([{ o: 'remove', member: c.author }, b.addOp(outsider, 'admin')] as ControlOp[])));
  assert.equal(b.outcomeOf(forged)?.status, 'rejected');
  expectRefusedEverywhere(b, [a, c], forged, 'forbidden');
  b.say('B still talks');
  syncAll([a, b, c]);
  assert.ok(a.readable().includes('B still talks'));
});

test('an ML-KEM key where an ML-DSA key is expected is refused by its type tag', () => {
  const { a, b, c } = setup();
  const x = new GroupMember('X', { seed: 398 });
  const body = dagCbor.encode({ v: 1, ops: [{ o: 'add', m: x.author, dk: encodeTaggedKey('ml-kem-768', x.joinKem), kk: encodeTaggedKey('ml-kem-768', x.joinKem), r: 'member' }] });
  const bad = a.placeRaw(sealRaw(a, 'control', body));
  assert.equal(a.outcomeOf(bad)?.status === 'rejected' && a.outcomeOf(bad)?.status, 'rejected');
  expectRefusedEverywhere(a, [b, c], bad, 'wrong-key-type');
});

test('a vertex from a removed member after its removal is refused (message and control)', () => {
  const { a, b, c, all } = setup();
  a.write({ kind: 'ops', ops: [{ o: 'remove', member: c.author }] });
  syncAll(all);
  assert.throws(() => c.say('after removal'), { code: 'ERR_NOT_A_MEMBER' });
  // C crafts anyway: a message under its old epoch and a control vertex re-adding itself.
  const oldEpoch = (c.group as Group).secrets.sending?.epoch ?? 1;
  const message = c.placeRaw(sealRaw(c, 'message', new TextEncoder().encode('sneaky'), oldEpoch, 50, new Uint8Array(32)));
  expectRefusedEverywhere(c, [a, b], message, 'not-a-member');
  const control = c.placeRaw(sealRaw(c, 'control', encodeControl([{ o: 'key', kemKey: c.joinKem, reset: [] }])));
  expectRefusedEverywhere(c, [a, b], control, 'not-a-member');
});

test('wrong epoch: a message naming an epoch that is not its sender\'s current one', () => {
  const { a, b, c, all } = setup();
  const old = (a.group as Group).secrets.sending?.epoch as number;
  a.write({ kind: 'update' });
  syncAll(all);
  const bad = a.placeRaw(sealRaw(a, 'message', new TextEncoder().encode('old epoch'), old, 7, new Uint8Array(32)));
  expectRefusedEverywhere(a, [b, c], bad, 'wrong-epoch');
  const future = a.placeRaw(sealRaw(a, 'message', new TextEncoder().encode('future epoch'), old + 50, 0, new Uint8Array(32)));
  expectRefusedEverywhere(a, [b, c], future, 'wrong-epoch');
});

test('replays: the same vertex again is a duplicate; its payload in a new vertex is a replay', () => {
  const { a, b, c, all } = setup();
  const v = a.say('once');
  syncAll(all);
  assert.equal(b.outcomeOf(v)?.status, 'message');
  assert.equal((b.group as Group).process(v).status, 'duplicate');
  const again = a.placeRaw(v.payload);
  expectRefusedEverywhere(a, [b, c], again, 'replay');
  assert.equal(b.readable().filter((t) => t === 'once').length, 1);
});

test('a skipped-key bomb (message number 2^31) is refused at once and the chain still works', () => {
  const { a, b, c, all } = setup();
  a.say('current epoch');
  syncAll(all);
  const g = a.group as Group;
  const epoch = g.secrets.sending?.epoch as number;
  const bomb = a.placeRaw(sealRaw(a, 'message', new TextEncoder().encode('bomb'), epoch, 2 ** 31, new Uint8Array(32)));
  expectRefusedEverywhere(a, [b, c], bomb, 'skip-limit');
  a.say('after the bomb');
  syncAll(all);
  assert.ok(b.readable().includes('after the bomb') && c.readable().includes('after the bomb'));
});

test('bit-flipped and truncated ciphertexts are refused and do not move the chain', () => {
  const { a, b, c, all } = setup();
  a.say('current epoch');
  syncAll(all);
  const g = a.group as Group;
  const prepared = g.prepare(a.dag.nextParents(g.topic, a.author).parents.map(toHex), { kind: 'message', content: new TextEncoder().encode('genuine') });
  assert.equal(prepared.kind, 'message');
  // A (malicious) first sends the message with one bit flipped — at every byte position in turn.
  const reasons = new Set<string>();
  for (let position = 0; position < prepared.payload.length; position++) {
    const flipped = Uint8Array.from(prepared.payload);
    flipped[position] = (flipped[position] as number) ^ (1 << (position % 8));
    const bad = a.placeRaw(flipped);
    for (const m of [b, c]) {
      m.receive(bad);
      const outcome = m.outcomeOf(bad);
      assert.equal(outcome?.status, 'rejected', `flip at byte ${position} refused by ${m.name}`);
      if (outcome?.status === 'rejected') reasons.add(outcome.reason);
    }
  }
  assert.ok(reasons.has('decrypt-failed') && reasons.has('malformed'), [...reasons].join());
  const body = 22 + 40;
  const flipped = Uint8Array.from(prepared.payload);
  flipped[body] = (flipped[body] as number) ^ 0x80;
  expectRefusedEverywhere(a, [b, c], a.placeRaw(flipped), 'decrypt-failed');
  expectRefusedEverywhere(a, [b, c], a.placeRaw(prepared.payload.subarray(0, prepared.payload.length - 1)), 'malformed');
  expectRefusedEverywhere(a, [b, c], a.placeRaw(prepared.payload.subarray(0, 22 + 256)), 'malformed');
  // Now the genuine payload: its message key was never committed by the failures, so it opens.
  a.placeRaw(prepared.payload);
  syncAll(all);
  assert.ok(b.readable().includes('genuine') && c.readable().includes('genuine'));
});
