import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SnapshotStore, TopicSnapshot } from '../../src/crdt/snapshot.ts';
import { createVertex } from '../../src/dag/index.ts';
import { LATEST_SCHEMA_VERSION, SqliteStore } from '../../src/store/index.ts';
import { fastProvider, makeAuthor, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { storeAtSchema } from './schema-at.ts';

const dir = tempDir();
let n = 0;
const freshPath = (): string => join(dir, `snapshots-${n++}.sqlite`);
const id = (b: number): Uint8Array => new Uint8Array(32).fill(b);

function topicSnapshot(topic: number, docs: number[], replace = false): TopicSnapshot {
  return {
    topic: {
      topic: topicOf(topic),
      frontier: [id(1), id(2)],
      appliedVertices: 12,
      ignoredPayloads: 3,
      unknownTypeEntries: 1,
      lastProblem: { reason: 'unknown-type', detail: 'unknown CRDT type "x"', vertex: id(9) },
    },
    documents: docs.map((d) => ({
      id: id(100 + d),
      type: 'g-counter',
      name: `doc ${d}`,
      frontier: [id(1), id(2)],
      state: Uint8Array.of(1, 1, d),
      appliedOps: d,
      rejectedEntries: d % 2,
      lastRejection: d % 2 === 1 ? { reason: 'malformed', detail: 'operation 0: no kind', vertex: id(7) } : undefined,
    })),
    replace,
  };
}

test('SqliteStore is the crdt layer’s SnapshotStore; records come back field for field', () => {
  const store = SqliteStore.open(freshPath());
  const snapshots: SnapshotStore = store; // checked by the compiler: the shapes agree
  snapshots.putSnapshots([topicSnapshot(1, [1, 2]), topicSnapshot(2, [3])]);
  const all = snapshots.getSnapshots();
  assert.equal(all.length, 2);
  assert.deepEqual(all[0], { ...topicSnapshot(1, [1, 2]), replace: true });
  assert.deepEqual(all[1], { ...topicSnapshot(2, [3]), replace: true });
  assert.deepEqual(snapshots.getSnapshots(topicOf(2)), [{ ...topicSnapshot(2, [3]), replace: true }]);
  assert.deepEqual(snapshots.getSnapshots(topicOf(3)), []);
  store.close();
});

test('a later write updates rows in place; replace drops the topic’s other documents', () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  store.putSnapshots([topicSnapshot(1, [1, 2, 3])]);
  const newer = topicSnapshot(1, [2]);
  const changed = { ...newer, topic: { ...newer.topic, appliedVertices: 40, lastProblem: undefined }, documents: [{ ...(newer.documents[0] as TopicSnapshot['documents'][number]), state: Uint8Array.of(9) }] };
  store.putSnapshots([changed]);
  let [back] = store.getSnapshots();
  assert.equal(back?.topic.appliedVertices, 40);
  assert.equal(back?.topic.lastProblem, undefined);
  assert.deepEqual(
    back?.documents.map((d) => [d.name, [...d.state]]),
    [
      ['doc 1', [1, 1, 1]],
      ['doc 2', [9]],
      ['doc 3', [1, 1, 3]],
    ],
  );
  store.putSnapshots([{ ...topicSnapshot(1, [3]), replace: true }]);
  [back] = store.getSnapshots();
  assert.deepEqual(back?.documents.map((d) => d.name), ['doc 3']);
  store.close();
  // Durable: a reopened store (and a read-only one) reads the same.
  const again = SqliteStore.open(path, { readonly: true });
  assert.deepEqual(again.getSnapshots()[0]?.documents.map((d) => d.name), ['doc 3']);
  again.close();
});

test('a batch is all or nothing', () => {
  const store = SqliteStore.open(freshPath());
  store.putSnapshots([topicSnapshot(1, [1])]);
  const broken = topicSnapshot(2, [5]);
  const bad = { ...broken, documents: [{ ...(broken.documents[0] as TopicSnapshot['documents'][number]), id: new Uint8Array(31) }] };
  assert.throws(() => store.putSnapshots([topicSnapshot(1, [1, 2]), bad]), { code: 'ERR_STORE_WRITE' });
  const all = store.getSnapshots();
  assert.equal(all.length, 1, 'topic 2 was not written');
  assert.deepEqual(all[0]?.documents.map((d) => d.name), ['doc 1'], 'the first item of the failed batch was rolled back');
  store.putSnapshots([]);
  store.close();
});

test('a version 1 store is migrated to version 2 and keeps its vertices', () => {
  const path = freshPath();
  storeAtSchema(path, 1).close();
  const v1 = SqliteStore.open(path);
  assert.equal(v1.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.ok(LATEST_SCHEMA_VERSION >= 2);
  const v = createVertex({ topic: topicOf(1), parents: [], lamport: 1, payload: Uint8Array.of(1) }, makeAuthor(1), fastProvider);
  v1.putVertices([v]);
  v1.putSnapshots([topicSnapshot(1, [1])]);
  assert.ok(v1.checkIntegrity().ok);
  v1.close();
  const reopened = SqliteStore.open(path);
  assert.equal(reopened.vertexCount, 1);
  assert.equal(reopened.getSnapshots().length, 1);
  reopened.close();
});
