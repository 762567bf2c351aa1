import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';

import { deriveInviteKeys, decodeInvite, sealJoinRequest, ownKemKey } from '../../src/group/index.ts';
import { decodeMessageContent, encodeMessageContent, MESSAGE_LIMITS } from '../../src/node/index.ts';
import { provider } from '../support/fixtures.ts';
import { admit, copy, memberIds, nodeHarness, START, syncAll, texts, type TestNode } from '../support/node-harness.ts';
import { tempDir } from '../support/tmp.ts';

// Three nodes in three data directories; without a network, `copy` carries vertices between them.
const dir = tempDir('pars-node-groups-');
const { open, stop, restart } = nodeHarness(dir);

test('three nodes: create, invite, join by copied vertices, talk both ways, restart, verify', async () => {
  const a = open('a1', 1);
  const b = open('b1', 2);
  const c = open('c1', 3);
  const g = await a.groups.createGroup('zebra-secret-club');
  assert.match(g, /^[0-9a-f]{32}$/);
  assert.deepEqual(a.groups.groups(), [{ id: g, name: 'zebra-secret-club', members: 1, role: 'admin' }]);

  await admit(a, b, g);
  assert.deepEqual(b.groups.groups(), [{ id: g, name: 'zebra-secret-club', members: 2, role: 'member' }]);
  assert.deepEqual(memberIds(b, g), [a.identity.nodeIdHex, b.identity.nodeIdHex].sort());
  assert.deepEqual(a.groups.joinRequests().map((r) => r.status), ['join-accepted', 'own']);

  await a.groups.send(g, 'the eagle lands at dawn');
  await copy(a, b);
  await b.groups.send('zebra-secret-club', 'hi from b');
  await copy(b, a);
  for (const n of [a, b]) assert.deepEqual(texts(n, g), ['the eagle lands at dawn', 'hi from b'], n.name);
  const aLog = a.groups.log(g);
  assert.deepEqual(aLog.map((m) => [m.own, m.author]), [[true, a.identity.nodeIdHex], [false, b.identity.nodeIdHex]]);
  assert.equal(aLog[0]?.sentAt, START);
  assert.ok((aLog[0]?.lamport ?? 0) < (aLog[1]?.lamport ?? 0));

  await admit(a, c, g.slice(0, 6));
  await syncAll([a, b, c]);
  await c.groups.send(g, 'carol here');
  await b.groups.send(g, 'bob again');
  await syncAll([a, b, c]);
  const expected = ['the eagle lands at dawn', 'hi from b'];
  for (const n of [a, b]) assert.deepEqual(texts(n, g).slice(0, 2), expected, n.name);
  for (const n of [a, b, c]) {
    assert.deepEqual(texts(n, g).slice(-2).sort(), ['bob again', 'carol here'], n.name);
    assert.deepEqual(memberIds(n, g), [a, b, c].map((x) => x.identity.nodeIdHex).sort(), n.name);
  }
  // C joined after the first two messages: their epochs were not sealed to it.
  assert.deepEqual(texts(c, g).slice(0, -2), []);
  assert.deepEqual(texts(a, g), texts(b, g), 'every member orders the log the same way');

  // Restart B: its log is intact and it still reads new messages.
  const before = b.groups.log(g);
  await restart(b);
  assert.deepEqual(b.groups.log(g), before);
  await a.groups.send(g, 'after the restart');
  await copy(a, b);
  assert.equal(texts(b, g).at(-1), 'after the restart');
  await b.groups.send(g, 'b is back');
  await copy(b, a);
  assert.equal(texts(a, g).at(-1), 'b is back');

  // Safety numbers agree on both sides.
  await syncAll([a, b]);
  const ab = a.groups.verify(g, b.identity.nodeIdHex.slice(0, 8));
  assert.match(ab, /^\d{5}( \d{5}){11}$/);
  assert.equal(b.groups.verify(g, a.identity.nodeIdHex.slice(0, 8)), ab);
  assert.notEqual(a.groups.verify(g, c.identity.nodeIdHex.slice(0, 8)), ab);

  // Sealed rows: neither the group name nor a message text is on disk in clear.
  for (const n of [a, b]) n.ingester.store.checkpoint();
  for (const n of [a, b]) {
    const path = n.ingester.store.path;
    const bytes = Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
    assert.ok(bytes.length > 10_000);
    for (const secret of ['zebra-secret-club', 'the eagle lands at dawn', 'hi from b']) assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${n.name}: ${secret}`);
  }
  for (const n of [a, b, c]) await stop(n);
});

test('argument resolution and refusals of the API', async () => {
  const a = open('a2', 11);
  const g = await a.groups.createGroup('alpha');
  await a.groups.createGroup('beta');
  assert.equal(a.groups.members('alpha')[0]?.you, true);
  assert.equal(a.groups.members(g.slice(0, 4))[0]?.role, 'admin');
  await assert.rejects(a.groups.createGroup(''), { code: 'ERR_GROUP_NAME' });
  await assert.rejects(a.groups.createGroup('bad\u001b[31m'), { code: 'ERR_GROUP_NAME' });
  assert.throws(() => a.groups.members('gamma'), { code: 'ERR_GROUP_NOT_FOUND' });
  assert.throws(() => a.groups.members(g.slice(0, 3)), { code: 'ERR_GROUP_NOT_FOUND' });
  await assert.rejects(a.groups.send('alpha', ''), { code: 'ERR_MESSAGE_TEXT' });
  await assert.rejects(a.groups.invite('alpha', 0), { code: 'ERR_INVITE_TTL' });
  await assert.rejects(a.groups.join(await a.groups.invite('alpha')), { code: 'ERR_INVITE_OWN' });
  await assert.rejects(a.groups.join('PARSNOTACODE'), { code: 'ERR_INVITE_INVALID' });
  assert.throws(() => a.groups.verify('alpha', 'ffff'), { code: 'ERR_MEMBER_NOT_FOUND' });
  await assert.rejects(a.groups.remove('alpha', 'zz'), { code: 'ERR_MEMBER_NOT_FOUND' });
  await a.groups.send('alpha', 'alone');
  assert.deepEqual(texts(a, 'alpha'), ['alone']);
  await stop(a);
});

test('an invite admits once: a second join request with the same code is refused (invite-used)', async () => {
  const a = open('a3', 21);
  const b = open('b3', 22);
  const c = open('c3', 23);
  const g = await a.groups.createGroup('once');
  const code = await a.groups.invite(g, 600);
  await b.groups.join(code);
  await c.groups.join(code);
  await copy(b, a);
  await copy(c, a);
  const requests = a.groups.joinRequests(g).filter((r) => r.status !== 'own');
  const verdicts = new Map(requests.map((r) => [r.author, [r.status, r.reason]]));
  assert.equal(requests.length, 2);
  assert.deepEqual(verdicts.get(b.identity.nodeIdHex), ['join-accepted', undefined]);
  assert.deepEqual(verdicts.get(c.identity.nodeIdHex), ['join-refused', 'invite-used']);
  assert.deepEqual(memberIds(a, g), [a.identity.nodeIdHex, b.identity.nodeIdHex].sort());
  await copy(a, c);
  assert.deepEqual(c.groups.groups(), [], 'no welcome for the second joiner');
  assert.equal(c.groups.pendingJoins().length, 1);
  // Still refused after a restart of the inviter (the refusal is logged, not judged again).
  await restart(a);
  assert.deepEqual(new Map(a.groups.joinRequests(g).filter((r) => r.status !== 'own').map((r) => [r.author, [r.status, r.reason]])), verdicts);
  for (const n of [a, b, c]) await stop(n);
});

test('an expired invite is refused by the inviter (invite-expired) and by the joiner', async () => {
  const a = open('a4', 31);
  const b = open('b4', 32);
  const g = await a.groups.createGroup('late');
  const code = await a.groups.invite(g, 60);
  await b.groups.join(code); // B's clock: still valid
  a.clock.t += 61_000; // the request reaches A after expiry
  await copy(b, a);
  assert.deepEqual(a.groups.joinRequests(g).map((r) => [r.status, r.reason]), [['join-refused', 'invite-expired']]);
  assert.deepEqual(memberIds(a, g), [a.identity.nodeIdHex], 'nothing added');
  assert.equal(a.ingester.dag.topicSize(deriveInviteKeys(provider, decodeInviteSecret(code)).topic), 1, 'no welcome written');

  const expired = await a.groups.invite(g, 60);
  b.clock.t = a.clock.t + 60_000;
  await assert.rejects(b.groups.join(expired), { code: 'ERR_INVITE_EXPIRED' });
  for (const n of [a, b]) await stop(n);
});

test('a join request sealed under another invite key is refused and admits nobody', async () => {
  const a = open('a5', 41);
  const b = open('b5', 42);
  const g = await a.groups.createGroup('keys');
  const code = await a.groups.invite(g, 600);
  const topic = deriveInviteKeys(provider, decodeInviteSecret(code)).topic;
  const wrong = deriveInviteKeys(provider, new Uint8Array(32).fill(9));
  const signer = { author: b.identity.nodeId, sign: (m: Uint8Array, c: Uint8Array) => b.identity.sign(m, c) };
  const payload = sealJoinRequest(provider, { topic, key: wrong.key }, b.identity.nodeId, { signingKey: b.identity.signingPublicKey, kemKey: ownKemKey(provider, new Uint8Array(64).fill(1)).publicKey }, new Uint8Array(12).fill(2));
  await b.ingester.append(topic, payload, signer);
  await copy(b, a);
  assert.deepEqual(a.groups.joinRequests(g).map((r) => [r.author, r.status, r.reason]), [[b.identity.nodeIdHex, 'join-refused', 'decrypt-failed']]);
  assert.deepEqual(memberIds(a, g), [a.identity.nodeIdHex]);
  // The invite is still unused: the real request is accepted.
  await b.groups.join(code);
  await copy(b, a);
  await copy(a, b);
  assert.deepEqual(memberIds(b, g), [a.identity.nodeIdHex, b.identity.nodeIdHex].sort());
  for (const n of [a, b]) await stop(n);
});

test('a removed member reads nothing sent after its removal; promote and leave', async () => {
  const a = open('a6', 51);
  const b = open('b6', 52);
  const c = open('c6', 53);
  const g = await a.groups.createGroup('shrinking');
  await admit(a, b, g);
  await admit(a, c, g);
  await syncAll([a, b, c]);
  await a.groups.send(g, 'for all three');
  await syncAll([a, b, c]);
  assert.deepEqual(texts(c, g), ['for all three']);
  await a.groups.promote(g, b.identity.nodeIdHex.slice(0, 6));
  await a.groups.remove(g, c.identity.nodeIdHex.slice(0, 6));
  await a.groups.send(g, 'c is gone');
  await syncAll([a, b, c]);
  await b.groups.send(g, 'b agrees');
  await syncAll([a, b, c]);
  assert.deepEqual(texts(c, g), ['for all three']);
  assert.deepEqual(texts(b, g), ['for all three', 'c is gone', 'b agrees']);
  assert.deepEqual(b.groups.members(g).map((m) => m.role), ['admin', 'admin']);
  await assert.rejects(c.groups.send(g, 'let me in'), { code: 'ERR_NOT_A_MEMBER', message: /^you are no longer a member of "[^"]+" \(you left or were removed\), so you cannot write to it/ });
  await assert.rejects(c.groups.update(g), { code: 'ERR_NOT_A_MEMBER' }, 'the same for every write');
  assert.deepEqual(texts(c, g), ['for all three'], 'nothing of the refused writes shows');
  await b.groups.leave(g);
  await copy(b, a);
  assert.deepEqual(memberIds(a, g), [a.identity.nodeIdHex]);
  for (const n of [a, b, c]) await stop(n);
});

/** A and B, admin and member of a new group `name`. */
async function twoMembers(name: string, n: number): Promise<{ a: TestNode; b: TestNode; g: string }> {
  const a = open(`a${n}`, n);
  const b = open(`b${n}`, n + 1);
  const g = await a.groups.createGroup(name);
  await admit(a, b, g);
  return { a, b, g };
}

/** After A's failed send: B reads A's next message, and one after A restarts; both logs agree. */
async function talksOnAfterFailure(a: TestNode, b: TestNode, g: string): Promise<void> {
  await a.groups.send(g, 'kept'); // the engine did not keep the failed slot's advance: B opens the next one
  await copy(a, b);
  assert.deepEqual(texts(b, g), ['kept']);
  await restart(a);
  await a.groups.send(g, 'and after a restart');
  await copy(a, b);
  assert.deepEqual(texts(b, g), ['kept', 'and after a restart']);
  assert.deepEqual(texts(a, g), ['kept', 'and after a restart']);
}

test('a write whose vertex is never stored leaves the secrets as they were (no pair-key chain advances)', async () => {
  const { a, b, g } = await twoMembers('flaky disk', 61);
  const store = a.ingester.store;
  const put = store.putVertices.bind(store);
  let failures = 0;
  store.putVertices = (vertices) => {
    if (failures++ === 0) throw new Error('disk full (simulated)');
    return put(vertices);
  };
  // A's first message needs an epoch slot for B first: that vertex fails to store.
  await assert.rejects(a.groups.send(g, 'lost'), /disk full/);
  await talksOnAfterFailure(a, b, g);
});

test('on a full disk a failed write leaves the engine\'s secrets as they were, though the store cannot be written to restore them', async () => {
  const { a, b, g } = await twoMembers('full disk', 63);
  const tables = a.ingester.store.groups;
  const putSecrets = tables.putSecrets.bind(tables);
  let full = true;
  let refused = 0;
  tables.putSecrets = (...args) => {
    if (full) {
      refused++;
      throw new Error('database or disk is full (simulated)');
    }
    putSecrets(...args);
  };
  // A's first message needs an epoch slot for B: its secrets cannot be persisted, so the write fails.
  await assert.rejects(a.groups.send(g, 'lost'), /disk is full/);
  assert.equal(refused, 1, 'the store already holds the secrets from before: nothing to write back');
  full = false;
  await talksOnAfterFailure(a, b, g);
});

test('an admission interrupted before the welcome is resumed at the next start', async () => {
  const a = open('a8', 71);
  const b = open('b8', 72);
  const g = await a.groups.createGroup('resumed');
  await b.groups.join(await a.groups.invite(g, 600));
  const append = a.ingester.append.bind(a.ingester);
  a.ingester.append = () => Promise.reject(new Error('disk full (simulated)'));
  await copy(b, a); // accepted and added; the welcome fails
  a.ingester.append = append;
  assert.deepEqual(a.groups.joinRequests(g).map((r) => r.status), ['join-failed']);
  assert.deepEqual(memberIds(a, g), [a.identity.nodeIdHex, b.identity.nodeIdHex].sort());
  await restart(a);
  assert.deepEqual(a.groups.joinRequests(g).map((r) => r.status), ['join-accepted', 'own']);
  await copy(a, b);
  assert.deepEqual(memberIds(b, g), [a.identity.nodeIdHex, b.identity.nodeIdHex].sort());
});

test('message content: round trip, and any bytes decode to a value or a typed refusal', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), (text, at) => {
      fc.pre(!/[\uD800-\uDFFF]/.test(text));
      assert.deepEqual(decodeMessageContent(encodeMessageContent({ text, at })), { ok: true, value: { text, at } });
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const r = decodeMessageContent(bytes);
      if (!r.ok) assert.ok(r.reason === 'malformed' || r.reason === 'limit');
    }),
  );
  const refused = (value: unknown): string => {
    const r = decodeMessageContent(dagCbor.encode(value));
    assert.equal(r.ok, false);
    return r.ok ? '' : r.reason;
  };
  assert.equal(refused({ v: 2, text: 'x', at: 1 }), 'malformed');
  assert.equal(refused({ v: 1, text: 'x', at: -1 }), 'malformed');
  assert.equal(refused({ v: 1, text: 'x', at: 1, extra: 0 }), 'malformed');
  assert.equal(refused({ v: 1, text: '', at: 1 }), 'malformed');
  assert.equal(refused({ v: 1, text: 'x'.repeat(MESSAGE_LIMITS.maxTextBytes + 1), at: 1 }), 'limit');
  assert.equal(refused([[[[1]]]]), 'limit');
  assert.throws(() => encodeMessageContent({ text: 'x', at: 1.5 }), RangeError);
});

function decodeInviteSecret(code: string): Uint8Array {
  const d = decodeInvite(provider, code, 0);
  assert.ok(d.ok);
  return d.value.secret;
}


