import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createVertex } from '../../src/dag/index.ts';
import { LATEST_SCHEMA_VERSION, SqliteStore } from '../../src/store/index.ts';
import { fastProvider, makeAuthor, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { storeAtSchema } from './schema-at.ts';

const dir = tempDir();
let n = 0;
const freshPath = (): string => join(dir, `groups-${n++}.sqlite`);
const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);

function vertexOn(topic: number, payload: number): ReturnType<typeof createVertex> {
  return createVertex({ topic: topicOf(topic), parents: [], lamport: 1, payload: Uint8Array.of(payload) }, makeAuthor(1), fastProvider);
}

test('a version 2 store is migrated to version 3: vertices, keys and snapshots are kept, the group tables are empty', () => {
  const path = freshPath();
  const raw = storeAtSchema(path, 2);
  const v = vertexOn(1, 1);
  raw.prepare('INSERT INTO vertices (id, topic, lamport, author, parents, bytes) VALUES (?, ?, ?, ?, ?, ?)').run(v.id, v.topic, 1, v.author, new Uint8Array(0), v.bytes);
  raw.prepare('INSERT INTO frontiers (topic, id) VALUES (?, ?)').run(v.topic, v.id);
  raw.prepare('INSERT INTO author_keys (author, algorithm, public_key) VALUES (?, ?, ?)').run(v.author, 'ml-dsa-65', makeAuthor(1).publicKey);
  raw.prepare('INSERT INTO crdt_topics (topic, frontier, applied_vertices, ignored_payloads, unknown_type_entries) VALUES (?, ?, 1, 0, 0)').run(v.topic, v.id);
  raw.close();

  const store = SqliteStore.open(path);
  assert.ok(LATEST_SCHEMA_VERSION >= 3);
  assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.equal(store.vertexCount, 1);
  assert.equal(store.keys().length, 1);
  assert.equal(store.getSnapshots().length, 1);
  assert.deepEqual(store.groups.groups(), []);
  assert.deepEqual(store.groups.invites(), []);
  assert.deepEqual(store.groups.joins(), []);
  assert.ok(store.checkIntegrity((d) => fastProvider.sha3_256(d)).ok);
  store.close();
});

test('group rows come back field for field; log rows need their vertex; an invite is marked used once', () => {
  const store = SqliteStore.open(freshPath());
  const t = store.groups;
  const group = { groupId: bytes(16, 1), topic: bytes(16, 2), descriptor: bytes(92, 3), secrets: bytes(200, 4), updatedAt: 1000 };
  t.putGroup(group);
  assert.deepEqual(t.groups(), [group]);
  t.putSecrets(group.groupId, bytes(50, 5), 2000);
  assert.deepEqual(t.group(group.groupId), { ...group, secrets: bytes(50, 5), updatedAt: 2000 });
  assert.throws(() => t.putSecrets(bytes(16, 9), bytes(1, 1), 1), { code: 'ERR_STORE_NO_GROUP' });

  const v = vertexOn(2, 7);
  const row = { vertexId: v.id, topic: v.topic, status: 'message', reason: undefined, detail: undefined, record: bytes(40, 6) };
  assert.throws(() => t.transaction(() => t.putLog([row])), { code: 'ERR_STORE_NO_VERTEX' }, 'the vertex is not stored yet');
  assert.deepEqual(t.logOf(v.topic), []);
  store.putVertices([v]);
  t.putLog([row, { ...row, vertexId: v.id, status: 'rejected', reason: 'malformed', detail: 'x', record: undefined }]);
  assert.deepEqual(t.logOf(v.topic), [{ ...row, status: 'rejected', reason: 'malformed', detail: 'x', record: undefined }], 'a row is replaced, not duplicated');
  assert.deepEqual([...t.loggedIds(v.topic)], [v.key]);

  // Counts by status and reason, per topic, without reading the records.
  const others = [3, 4, 5, 6].map((p) => vertexOn(2, 10 + p));
  store.putVertices(others);
  const statuses: [string, string | undefined][] = [['unreadable', 'not-for-me'], ['unreadable', 'not-for-me'], ['unreadable', 'no-key'], ['message', undefined]];
  t.putLog(others.map((o, i) => ({ vertexId: o.id, topic: o.topic, status: statuses[i]?.[0] as string, reason: statuses[i]?.[1], detail: undefined, record: undefined })));
  const counts = t.logCounts(v.topic).map((c) => `${c.status}/${c.reason ?? '-'}=${c.count}`).sort();
  assert.deepEqual(counts, ['message/-=1', 'rejected/malformed=1', 'unreadable/no-key=1', 'unreadable/not-for-me=2']);
  assert.deepEqual(t.logCounts(topicOf(9)), [], 'another topic has none');

  const pending = { nonce: bytes(12, 1), groupId: group.groupId, content: bytes(30, 2), createdAt: 5 };
  t.putPending(pending);
  assert.deepEqual(t.pending(pending.nonce), pending);
  t.deletePending(pending.nonce);
  assert.equal(t.pending(pending.nonce), undefined);

  const invite = { inviteId: bytes(16, 7), groupId: group.groupId, topic: bytes(16, 8), secret: bytes(60, 9), expiresAt: 99, usedBy: undefined, requestId: undefined, welcomeId: undefined, createdAt: 3 };
  t.putInvite(invite);
  assert.equal(t.markInviteUsed(invite.inviteId, bytes(32, 1), bytes(32, 2)), true);
  assert.equal(t.markInviteUsed(invite.inviteId, bytes(32, 3), bytes(32, 4)), false);
  t.setInviteWelcome(invite.inviteId, bytes(32, 5));
  assert.deepEqual(t.invites(), [{ ...invite, usedBy: bytes(32, 1), requestId: bytes(32, 2), welcomeId: bytes(32, 5) }]);

  const join = { topic: bytes(16, 10), invite: bytes(120, 11), createdAt: 4 };
  t.putJoin(join);
  assert.deepEqual(t.joins(), [join]);
  t.deleteJoin(join.topic);
  assert.deepEqual(t.joins(), []);
  store.close();
});

test('a group transaction is all or nothing', () => {
  const store = SqliteStore.open(freshPath());
  const t = store.groups;
  const group = { groupId: bytes(16, 1), topic: bytes(16, 2), descriptor: bytes(92, 3), secrets: bytes(200, 4), updatedAt: 1000 };
  assert.throws(() =>
    t.transaction(() => {
      t.putGroup(group);
      t.putJoin({ topic: bytes(15, 1), invite: bytes(1, 1), createdAt: 1 }); // topic of the wrong length
    }),
  );
  assert.deepEqual(t.groups(), []);
  store.close();
});
