import assert from 'node:assert/strict';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { toHex } from '../../src/crypto/index.ts';
import { createVertex, Dag, KeyRing, type DecodedVertex } from '../../src/dag/index.ts';
import { LATEST_SCHEMA_VERSION, SqliteStore } from '../../src/store/index.ts';
import { fastProvider, makeAuthor, prng, provider, randomDag, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { storeAtSchema } from './schema-at.ts';

const dir = tempDir();
let n = 0;
const freshPath = (): string => join(dir, `store-${n++}.sqlite`);
const alice = makeAuthor(1);
const vx = (parents: DecodedVertex[], tag: number): DecodedVertex =>
  createVertex(
    { topic: topicOf(1), parents: parents.map((p) => p.id), lamport: 1 + Math.max(0, ...parents.map((p) => p.lamport)), payload: Uint8Array.of(tag) },
    alice,
    fastProvider,
  );

function dagView(dag: Dag): { frontiers: Record<string, string[]>; order: string[] } {
  const frontiers: Record<string, string[]> = {};
  for (const t of dag.topics()) frontiers[t] = dag.frontier(t).map(toHex);
  return { frontiers, order: dag.topologicalOrder().map((m) => m.key) };
}

test('a new store is migrated to the latest schema and uses WAL', () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
  store.close();
  const raw = new Database(path);
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

test('a new store file takes 4 KiB pages; an existing one keeps its page size', () => {
  const pageSize = (path: string): unknown => {
    const raw = new Database(path, { readonly: true });
    try {
      return raw.pragma('page_size', { simple: true });
    } finally {
      raw.close();
    }
  };
  const fresh = freshPath();
  const store = SqliteStore.open(fresh);
  assert.equal(store.pageBytes, 4096);
  store.close();
  assert.equal(pageSize(fresh), 4096);
  // A store made with 32 KiB pages (as this program made them before) is migrated and keeps them.
  const old = freshPath();
  const raw = new Database(old);
  raw.pragma('page_size = 32768');
  raw.pragma('journal_mode = WAL'); // writes the header, which fixes the page size
  raw.close();
  storeAtSchema(old, 1).close();
  assert.equal(pageSize(old), 32_768);
  const migrated = SqliteStore.open(old);
  assert.equal(migrated.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.equal(migrated.pageBytes, 32_768);
  migrated.close();
  assert.equal(pageSize(old), 32_768);
});

test('a new store takes the page size it is given; an impossible one is refused before any file is made', () => {
  const big = freshPath();
  const store = SqliteStore.open(big, { pageBytes: 32_768 });
  assert.equal(store.pageBytes, 32_768);
  store.close();
  const again = SqliteStore.open(big, { pageBytes: 1024 });
  assert.equal(again.pageBytes, 32_768, 'an existing file keeps its own');
  again.close();
  for (const bad of [3000, 256, 131_072, 4096.5, Number.NaN]) {
    const path = freshPath();
    assert.throws(() => SqliteStore.open(path, { pageBytes: bad }), { code: 'ERR_STORE_OPEN', message: /page size must be a power of two/ }, String(bad));
    assert.equal(existsSync(path), false, 'no file made');
  }
});

test('store files are private to their owner: a new one is created 0600, with its WAL; an existing readable one is narrowed', { skip: process.platform === 'win32' }, () => {
  const mode = (file: string): number => statSync(file).mode & 0o777;
  const fresh = freshPath();
  const store = SqliteStore.open(fresh);
  store.putVertices([vx([], 1)]);
  assert.equal(mode(fresh), 0o600);
  assert.equal(mode(`${fresh}-wal`), 0o600, 'SQLite gives the WAL the store file\'s mode');
  assert.equal(mode(`${fresh}-shm`), 0o600);
  store.close();
  // A store file left readable by others (made before, or copied in) is narrowed when opened.
  for (const file of [fresh, `${fresh}-wal`, `${fresh}-shm`]) if (existsSync(file)) chmodSync(file, 0o644);
  const reopened = SqliteStore.open(fresh);
  for (const file of [fresh, `${fresh}-wal`, `${fresh}-shm`]) if (existsSync(file)) assert.equal(mode(file), 0o600, file);
  assert.equal(reopened.vertexCount, 1, 'nothing lost');
  reopened.close();
  // Opening read-only changes nothing and creates nothing.
  chmodSync(fresh, 0o640);
  SqliteStore.open(fresh, { readonly: true }).close();
  assert.equal(mode(fresh), 0o640);
  assert.throws(() => SqliteStore.open(freshPath(), { readonly: true }), { code: 'ERR_STORE_OPEN' });
});

test('a store written by a newer program is refused with a clear error', () => {
  const path = freshPath();
  SqliteStore.open(path).close();
  const raw = new Database(path);
  raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(() => SqliteStore.open(path), { code: 'ERR_STORE_TOO_NEW' });
});

test('a file that is not a database is a StoreError, not a crash', async () => {
  const path = freshPath();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, 'this is not sqlite'.repeat(100));
  assert.throws(() => SqliteStore.open(path), { code: 'ERR_STORE_OPEN' });
});

test('putVertices is idempotent and keeps frontiers; bytes come back unchanged', () => {
  const store = SqliteStore.open(freshPath());
  const a = vx([], 1);
  const b = vx([a], 2);
  const c = vx([a], 3);
  assert.equal(store.putVertices([a, b]), 2);
  assert.equal(store.putVertices([a, b, c]), 1);
  assert.equal(store.vertexCount, 3);
  assert.deepEqual(store.frontier(topicOf(1)).map(toHex), [b.key, c.key].sort());
  assert.ok(store.hasVertex(a.id));
  assert.deepEqual(store.getVertexBytes(c.id), c.bytes);
  assert.equal(store.getVertexBytes(fastProvider.sha3_256(Uint8Array.of(0))), undefined);
  assert.deepEqual([...store.vertexBytes(topicOf(1))].length, 3);
  assert.ok(store.checkIntegrity((d) => provider.sha3_256(d)).ok);
  store.close();
});

test('a batch naming a parent that is not stored is rolled back whole', () => {
  const store = SqliteStore.open(freshPath());
  const a = vx([], 1);
  const b = vx([a], 2);
  const orphan = vx([vx([], 99)], 3);
  assert.throws(() => store.putVertices([a, b, orphan]), { code: 'ERR_STORE_MISSING_PARENT' });
  assert.equal(store.vertexCount, 0);
  assert.deepEqual(store.topics(), []);
  store.close();
});

test('author keys persist and serve as the key ring fallback', () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  const ring = new KeyRing(provider);
  const added = ring.add({ algorithm: 'ml-dsa-65', publicKey: alice.publicKey });
  assert.ok(added.ok);
  store.putKey(added.author, { algorithm: 'ml-dsa-65', publicKey: alice.publicKey });
  store.close();
  const reopened = SqliteStore.open(path);
  const fromStore = new KeyRing(provider, reopened);
  assert.ok(fromStore.verifierFor(alice.author).ok);
  assert.equal(reopened.keys().length, 1);
  reopened.close();
});

test('integrity check catches a frontier that disagrees with the edges, and a vertex that does not hash to its id', () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  const a = vx([], 1);
  const b = vx([a], 2);
  store.putVertices([a, b]);
  store.close();
  const raw = new Database(path);
  raw.prepare('INSERT INTO frontiers (topic, id) SELECT topic, id FROM vertices WHERE id = ?').run(a.id);
  raw.prepare('UPDATE vertices SET bytes = ? WHERE id = ?').run(Buffer.from('x'), b.id);
  raw.close();
  const reopened = SqliteStore.open(path);
  const report = reopened.checkIntegrity((d) => provider.sha3_256(d));
  assert.equal(report.ok, false);
  assert.ok(report.problems.some((p) => p.includes('frontier')));
  assert.ok(report.problems.some((p) => p.includes('hash')));
  reopened.close();
});

test('a batch that holds the same vertex twice stores it once; ids are found after reopening, lazily and through loadDag', () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  const a = vx([], 1);
  const b = vx([a], 2);
  assert.equal(store.putVertices([a, b, a, b]), 2);
  assert.equal(store.vertexCount, 2);
  store.close();
  for (const viaDag of [false, true]) {
    const reopened = SqliteStore.open(path);
    if (viaDag) assert.equal(reopened.loadDag().size, 3);
    assert.ok(reopened.hasVertex(a.id));
    assert.deepEqual(reopened.getVertexBytes(b.id), b.bytes);
    assert.equal(reopened.putVertices([b]), 0, 'a stored vertex is a duplicate');
    assert.equal(reopened.hasVertex(a.id.subarray(0, 31)), false);
    const c = vx([b], viaDag ? 4 : 3);
    assert.equal(reopened.putVertices([c]), 1);
    assert.deepEqual(reopened.getVertexBytes(c.id), c.bytes);
    assert.equal(reopened.vertexCount, viaDag ? 4 : 3);
    reopened.close();
  }
});

test('a failed batch leaves no trace in the id index', () => {
  const store = SqliteStore.open(freshPath());
  const a = vx([], 1);
  const orphan = vx([vx([], 99)], 3);
  assert.throws(() => store.putVertices([a, orphan]), { code: 'ERR_STORE_MISSING_PARENT' });
  assert.equal(store.hasVertex(a.id), false);
  assert.equal(store.getVertexBytes(a.id), undefined);
  assert.equal(store.putVertices([a]), 1, 'stored when it comes again');
  assert.ok(store.hasVertex(a.id));
  store.close();
});

test('a version 5 store (ids indexed by SQLite) is migrated: rows, frontiers and group log kept, no index on id left', () => {
  const path = freshPath();
  const raw = storeAtSchema(path, 5);
  const a = vx([], 1);
  const b = vx([a], 2);
  const insert = raw.prepare('INSERT INTO vertices (id, topic, lamport, author, parents, bytes) VALUES (?, ?, ?, ?, ?, ?)');
  insert.run(a.id, a.topic, a.lamport, a.author, new Uint8Array(0), a.bytes);
  insert.run(b.id, b.topic, b.lamport, b.author, a.id, b.bytes);
  raw.prepare('INSERT INTO frontiers (topic, id) VALUES (?, ?)').run(b.topic, b.id);
  raw.prepare("INSERT INTO group_log (vertex_id, topic, status) VALUES (?, ?, 'message')").run(a.id, a.topic);
  assert.equal((raw.prepare("SELECT count(*) AS n FROM pragma_index_list('vertices') WHERE \"unique\" = 1").get() as { n: number }).n, 1);
  raw.close();

  const store = SqliteStore.open(path);
  assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.deepEqual(store.frontier(b.topic), [b.id]);
  assert.deepEqual(store.getVertexBytes(a.id), a.bytes);
  assert.deepEqual([...store.groups.loggedIds(a.topic)], [a.key]);
  assert.deepEqual(dagView(store.loadDag()).order, [a.key, b.key]);
  const report = store.checkIntegrity((d) => provider.sha3_256(d));
  assert.deepEqual(report.problems, []);
  const c = vx([b], 3);
  assert.equal(store.putVertices([c]), 1);
  store.close();
  const check = new Database(path, { readonly: true });
  const indexes = check.prepare("SELECT name, \"unique\" FROM pragma_index_list('vertices')").all() as { name: string; unique: number }[];
  check.close();
  assert.deepEqual(indexes, [{ name: 'vertices_by_topic_order', unique: 0 }]);
});

test('integrity check catches what SQLite no longer enforces: an id stored twice, a group log row naming no stored vertex', () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  const a = vx([], 1);
  store.putVertices([a]);
  store.close();
  const raw = new Database(path);
  raw.prepare('INSERT INTO vertices (id, topic, lamport, author, parents, bytes) SELECT id, topic, lamport, author, parents, bytes FROM vertices').run();
  raw.prepare("INSERT INTO group_log (vertex_id, topic, status) VALUES (?, ?, 'message')").run(new Uint8Array(32).fill(5), a.topic);
  raw.close();
  const reopened = SqliteStore.open(path);
  const report = reopened.checkIntegrity();
  assert.equal(report.ok, false);
  assert.ok(report.problems.some((p) => p.includes('stored more than once')), report.problems.join('; '));
  assert.ok(report.problems.some((p) => p.includes('group_log')), report.problems.join('; '));
  reopened.close();
});

test('the integrity check reads one snapshot: a vertex and its log row written meanwhile are neither seen nor half seen', () => {
  const path = freshPath();
  const writer = SqliteStore.open(path);
  const a = vx([], 1);
  writer.putVertices([a]);
  const checker = SqliteStore.open(path, { readonly: true });
  const b = vx([a], 2);
  let wrote = false;
  // The hash runs during the check's scan of the vertices; the node writes then.
  const report = checker.checkIntegrity((data) => {
    if (!wrote) {
      wrote = true;
      writer.putVertices([b]);
      writer.groups.putLog([{ vertexId: b.id, topic: b.topic, status: 'message', reason: undefined, detail: undefined, record: undefined }]);
    }
    return provider.sha3_256(data);
  });
  assert.ok(wrote);
  assert.deepEqual(report.problems, []);
  assert.ok(checker.checkIntegrity().ok, 'and the next check sees both');
  checker.close();
  writer.close();
});

test('property: any delivery order into DAG + store, then reopen, gives the same frontiers and order as the reference', () => {
  const authors = [1, 2, 3, 4, 5].map((i) => makeAuthor(i));
  const vertices = randomDag({ vertices: 500, authors, topics: 2, seed: 99 });
  const reference = new Dag();
  for (const v of vertices) reference.add(v);
  const expected = dagView(reference);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 64 }), (seed, batchSize) => {
      const rand = prng(seed);
      const order = [...vertices].sort(() => rand() - 0.5);
      const path = freshPath();
      const store = SqliteStore.open(path);
      const dag = new Dag();
      let pending: DecodedVertex[] = [];
      for (const v of [...order, ...order.slice(0, 50)]) {
        const out = dag.add(v);
        if (out.status === 'added') pending.push(...out.added);
        if (pending.length >= batchSize) {
          store.putVertices(pending);
          pending = [];
        }
      }
      store.putVertices(pending);
      assert.deepEqual(dagView(dag), expected);
      store.close();
      const reopened = SqliteStore.open(path);
      assert.deepEqual(dagView(reopened.loadDag()), expected);
      const stored = Object.fromEntries(reopened.frontiers());
      assert.deepEqual(stored, expected.frontiers);
      assert.deepEqual(Object.fromEntries(reopened.rebuildFrontiers()), expected.frontiers);
      assert.ok(reopened.checkIntegrity().ok);
      reopened.close();
    }),
    { numRuns: 15, seed: 5 },
  );
});

test('topicBytes is the encoded size of each topic\'s stored vertices, 0 for a topic it lacks', () => {
  const vertices = randomDag({ vertices: 60, authors: [alice, makeAuthor(2)], topics: 3, seed: 17 });
  const store = SqliteStore.open(freshPath());
  try {
    store.putVertices(vertices);
    const expected = new Map<string, number>();
    for (const v of vertices) expected.set(toHex(v.topic), (expected.get(toHex(v.topic)) ?? 0) + v.bytes.length);
    assert.equal(expected.size, 3);
    for (const [topic, bytes] of expected) assert.equal(store.topicBytes(Uint8Array.from(Buffer.from(topic, 'hex'))), bytes);
    assert.equal(store.topicBytes(new Uint8Array(16).fill(0xee)), 0);
  } finally {
    store.close();
  }
});
