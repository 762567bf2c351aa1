import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LATEST_SCHEMA_VERSION, NET_TABLE_LIMITS, SqliteStore } from '../../src/store/index.ts';
import { topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { storeAtSchema } from './schema-at.ts';

const dir = tempDir('pars-net-tables-');
let n = 0;
const freshPath = (): string => join(dir, `net-${n++}.sqlite`);

test('a version 4 store is migrated to the latest schema with empty network tables', () => {
  const path = freshPath();
  storeAtSchema(path, 4).close();
  const store = SqliteStore.open(path);
  try {
    assert.ok(LATEST_SCHEMA_VERSION >= 5);
    assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.deepEqual(store.net.knownPeers(), []);
    assert.equal(store.net.syncState('p'), undefined);
    assert.equal(store.net.topicSyncs().size, 0);
    assert.ok(store.checkIntegrity().ok);
  } finally {
    store.close();
  }
});

test('known peers: replaced as a whole, order kept, survive reopening; peers without a usable address are not kept', () => {
  const path = freshPath();
  let store = SqliteStore.open(path);
  store.net.replaceKnownPeers([
    { peerId: 'old', addresses: ['/ip4/10.0.0.1/tcp/1'], lastConnectedAt: 5 },
    { peerId: 'gone', addresses: ['/ip4/10.0.0.2/tcp/2'], lastConnectedAt: undefined },
  ]);
  const peers = [
    { peerId: 'b', addresses: ['/ip4/127.0.0.1/tcp/2', '/ip4/127.0.0.1/tcp/3/ws'], lastConnectedAt: 1_700_000_000_000 },
    { peerId: 'a', addresses: ['/ip4/127.0.0.1/tcp/1'], lastConnectedAt: undefined },
    { peerId: 'no-address', addresses: [], lastConnectedAt: undefined },
    { peerId: 'too-long', addresses: [`/dns4/${'x'.repeat(NET_TABLE_LIMITS.maxTextBytes)}/tcp/1`], lastConnectedAt: undefined },
    { peerId: 'b', addresses: ['/ip4/127.0.0.1/tcp/9'], lastConnectedAt: undefined },
  ];
  store.net.replaceKnownPeers(peers);
  store.close();
  store = SqliteStore.open(path);
  try {
    assert.deepEqual(store.net.knownPeers(), peers.slice(0, 2));
    store.net.replaceKnownPeers([]);
    assert.deepEqual(store.net.knownPeers(), []);
  } finally {
    store.close();
  }
});

test('sync states: upsert, delete, and at most maxSyncStates peers kept (least recently updated dropped)', () => {
  const store = SqliteStore.open(freshPath());
  try {
    store.net.putSyncState('p1', Uint8Array.of(1), 10);
    store.net.putSyncState('p1', Uint8Array.of(1, 2), 20);
    assert.deepEqual(store.net.syncState('p1'), Uint8Array.of(1, 2));
    store.net.deleteSyncState('p1');
    assert.equal(store.net.syncState('p1'), undefined);
    const max = NET_TABLE_LIMITS.maxSyncStates;
    for (let i = 0; i <= max; i++) store.net.putSyncState(`peer-${i}`, Uint8Array.of(i & 0xff), 1_000 + i);
    assert.equal(store.net.syncState('peer-0'), undefined, 'the oldest is dropped');
    assert.deepEqual(store.net.syncState('peer-1'), Uint8Array.of(1));
    assert.deepEqual(store.net.syncState(`peer-${max}`), Uint8Array.of(max & 0xff));
    assert.throws(() => store.net.putSyncState('x'.repeat(NET_TABLE_LIMITS.maxTextBytes + 1), Uint8Array.of(1), 1), { code: 'ERR_STORE_INPUT' });
  } finally {
    store.close();
  }
});

test('topic reconciliation times only move forward', () => {
  const store = SqliteStore.open(freshPath());
  try {
    store.net.putTopicSyncs([topicOf(1), topicOf(2)], 100);
    store.net.putTopicSyncs([topicOf(1)], 50);
    store.net.putTopicSyncs([topicOf(2)], 200);
    const times = store.net.topicSyncs();
    assert.equal(times.get(Buffer.from(topicOf(1)).toString('hex')), 100);
    assert.equal(times.get(Buffer.from(topicOf(2)).toString('hex')), 200);
    assert.equal(times.size, 2);
  } finally {
    store.close();
  }
});

test('a write SQLite refuses is a StoreError ERR_STORE_WRITE, and nothing of its transaction is kept', () => {
  const store = SqliteStore.open(freshPath());
  try {
    // The second topic breaks the table's length check: the first must not be kept either.
    assert.throws(() => store.net.putTopicSyncs([topicOf(1), new Uint8Array(15)], 100), { name: 'StoreError', code: 'ERR_STORE_WRITE' });
    assert.equal(store.net.topicSyncs().size, 0);
  } finally {
    store.close();
  }
});
