import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { CRDT_TYPE_NAMES } from '../../src/crdt/crdt-type.ts';
import { DocumentStore } from '../../src/crdt/document-store.ts';
import { materialise, type VertexBytesSource } from '../../src/crdt/materialise.ts';
import type { SnapshotStore } from '../../src/crdt/snapshot.ts';
import { idKey, type DecodedVertex } from '../../src/dag/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { makeAuthor, prng, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { commit, deliver, randomChange, replica, type Replica } from './document-support.ts';

const dir = tempDir();
const TOPICS = [topicOf(11), topicOf(12)];
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '-' : Buffer.from(b).toString('hex'));

/**
 * Two writers edit documents of all seven types in two topics, syncing now and then (so the
 * DAG forks and merges). Returns every vertex in creation order, which is a causal order.
 */
function workload(seed: number, vertices: number): DecodedVertex[] {
  const writers: Replica[] = [replica(makeAuthor(1)), replica(makeAuthor(2))];
  const rand = prng(seed);
  const made: DecodedVertex[] = [];
  for (let i = 0; i < vertices; i++) {
    const w = writers[i % 2] as Replica;
    const topic = TOPICS[Math.floor(rand() * TOPICS.length)] as Uint8Array;
    const types = CRDT_TYPE_NAMES.filter(() => rand() < 0.4);
    const changes = (types.length > 0 ? types : CRDT_TYPE_NAMES.slice(i % 7, (i % 7) + 1)).map((t) => randomChange(w, topic, t, `${t} ${Math.floor(rand() * 2)}`, rand));
    made.push(commit(w, topic, changes));
    if (rand() < 0.3) {
      const other = writers[(i + 1) % 2] as Replica;
      for (const v of made) deliver(other, v);
    }
  }
  return made;
}

interface Node {
  readonly store: SqliteStore;
  readonly docs: DocumentStore;
}

/** What a node receives goes through the DAG, then durably into the store, then into the documents. */
function receiveAll(node: Node, vertices: readonly DecodedVertex[]): void {
  const dag = node.store.loadDag();
  for (const v of vertices) {
    const outcome = dag.add(v);
    assert.equal(outcome.status, 'added');
    if (outcome.status !== 'added') continue;
    node.store.putVertices(outcome.added);
    for (const placed of outcome.added) node.docs.applyVertex(placed, placed.payload);
  }
}

interface View {
  readonly states: Record<string, string>;
  readonly frontiers: string[][];
  readonly stats: unknown[];
}

function view(docs: DocumentStore): View {
  const states: Record<string, string> = {};
  const stats: unknown[] = [];
  for (const t of TOPICS) {
    stats.push(docs.topicStats(t));
    for (const d of docs.documents(t)) {
      states[`${hex(t)}/${d.type}/${d.name}`] = hex(docs.encodedState(t, d.type, d.name));
      stats.push(d.stats);
    }
  }
  return { states, frontiers: TOPICS.map((t) => docs.frontier(t).map(hex)), stats };
}

/** The store as a vertex source that remembers which vertices were read. */
function reading(store: SqliteStore): VertexBytesSource & { read: Set<string> } {
  const read = new Set<string>();
  return {
    read,
    getVertexBytes(id: Uint8Array): Uint8Array | undefined {
      read.add(idKey(id));
      return store.getVertexBytes(id);
    },
  };
}

const vertices = workload(3, 70);

test('restart from snapshots: only vertices outside the snapshot frontier are read and applied; state is byte-identical to before and to a rebuild', () => {
  const path = join(dir, 'restart.sqlite');
  const opened = SqliteStore.open(path);
  const first: Node = { store: opened, docs: new DocumentStore({ snapshots: opened, snapshotEvery: 16 }) };
  receiveAll(first, vertices);
  const before = view(first.docs);
  // Every type is present with something in it.
  for (const type of CRDT_TYPE_NAMES) assert.ok(Object.keys(before.states).some((k) => k.includes(`/${type}/`)), type);
  // Shut down without a final flush, as a crash would: the last vertices are in no snapshot.
  first.store.close();

  const store = SqliteStore.open(path);
  const dag = store.loadDag();
  const stored = store.getSnapshots();
  assert.equal(stored.length, TOPICS.length);
  const covered = new Set<string>();
  for (const s of stored) {
    for (const k of dag.ancestors(s.topic.frontier)) covered.add(k);
    for (const f of s.topic.frontier) covered.add(idKey(f));
  }
  assert.ok(covered.size > 0 && covered.size < vertices.length, `snapshots cover ${covered.size} of ${vertices.length}`);

  const source = reading(store);
  const docs = new DocumentStore({ snapshots: store, snapshotEvery: 16 });
  const report = materialise(dag, source, docs);
  assert.equal(report.restore.topics, TOPICS.length);
  assert.deepEqual(report.restore.discarded, []);
  assert.equal(report.skipped, covered.size);
  assert.equal(report.replayed, vertices.length - covered.size);
  for (const k of source.read) assert.ok(!covered.has(k), `vertex ${k} is inside a snapshot but was read again`);
  assert.equal(source.read.size, report.replayed);
  assert.deepEqual(view(docs), before);

  // A rebuild from scratch (no snapshots) reaches the same bytes.
  const scratch = new DocumentStore();
  const full = materialise(dag, store, scratch);
  assert.equal(full.replayed, vertices.length);
  assert.deepEqual(view(scratch).states, before.states);
  assert.deepEqual(view(scratch).frontiers, before.frontiers);
  store.close();

  // materialise closed with a snapshot, so the next start reads no vertex at all.
  const again = SqliteStore.open(path);
  const third = new DocumentStore({ snapshots: again });
  const quiet = reading(again);
  const r3 = materialise(again.loadDag(), quiet, third);
  assert.equal(r3.replayed, 0);
  assert.equal(quiet.read.size, 0);
  assert.deepEqual(view(third), before);
  again.close();
});

test('a snapshot that does not fit is discarded and its topic rebuilt; the next write replaces its rows', () => {
  const path = join(dir, 'corrupt.sqlite');
  const store = SqliteStore.open(path);
  const docs = new DocumentStore({ snapshots: store, snapshotEvery: 10 });
  receiveAll({ store, docs }, vertices);
  docs.flush();
  const before = view(docs);
  store.close();

  // One document's state bytes damaged; the other topic's frontier naming a vertex the DAG lacks.
  const raw = new Database(path);
  const damaged = raw.prepare('UPDATE crdt_snapshots SET state = ? WHERE rowid = (SELECT min(rowid) FROM crdt_snapshots WHERE topic = ?)').run(Uint8Array.of(0xff, 1, 2), TOPICS[0]);
  assert.equal(damaged.changes, 1);
  raw.prepare('UPDATE crdt_topics SET frontier = ? WHERE topic = ?').run(new Uint8Array(32).fill(0xee), TOPICS[1]);
  // And a stray row that no rebuild would produce: it must disappear with the discarded snapshot.
  raw.prepare("INSERT INTO crdt_snapshots SELECT topic, randomblob(32), type, 'stray', frontier, 0, 0, NULL, NULL, NULL, state FROM crdt_snapshots WHERE topic = ? LIMIT 1").run(TOPICS[1]);
  raw.close();

  const reopened = SqliteStore.open(path);
  const restored = new DocumentStore({ snapshots: reopened });
  const report = materialise(reopened.loadDag(), reopened, restored);
  assert.deepEqual(
    report.restore.discarded.map((d) => d.topic),
    TOPICS.map(hex),
  );
  assert.match(report.restore.discarded[0]?.problem ?? '', /snapshot|malformed|wrong-type/);
  assert.match(report.restore.discarded[1]?.problem ?? '', /not in the DAG/);
  assert.equal(report.replayed, vertices.length);
  assert.deepEqual(view(restored), before);
  reopened.close();

  const clean = SqliteStore.open(path);
  const names = clean.getSnapshots().flatMap((s) => s.documents.map((d) => d.name));
  assert.ok(!names.includes('stray'));
  const last = materialise(clean.loadDag(), clean, new DocumentStore({ snapshots: clean }));
  assert.deepEqual(last.restore.discarded, []);
  assert.equal(last.replayed, 0);
  clean.close();
});

test('a document store keeps working after a restart: later vertices apply on top of the restored state', () => {
  const path = join(dir, 'continue.sqlite');
  const half = Math.floor(vertices.length / 2);
  const store = SqliteStore.open(path);
  receiveAll({ store, docs: new DocumentStore({ snapshots: store, snapshotEvery: 7 }) }, vertices.slice(0, half));
  store.close();
  const reopened = SqliteStore.open(path);
  const docs = new DocumentStore({ snapshots: reopened, snapshotEvery: 7 });
  materialise(reopened.loadDag(), reopened, docs);
  receiveAll({ store: reopened, docs }, vertices.slice(half));
  const reference = new DocumentStore();
  materialise(reopened.loadDag(), reopened, reference);
  assert.deepEqual(view(docs).states, view(reference).states);
  assert.deepEqual(view(docs).frontiers, view(reference).frontiers);
  reopened.close();
});

test('snapshot policy: a topic is written every `snapshotEvery` vertices and on flush, changed documents only; a failed write is retried', () => {
  const store = SqliteStore.open(join(dir, 'policy.sqlite'));
  let failing = false;
  const snapshots: SnapshotStore = {
    putSnapshots: (batch) => {
      if (failing) throw new Error('disk full');
      store.putSnapshots(batch);
    },
    getSnapshots: (topic) => store.getSnapshots(topic),
  };
  const docs = new DocumentStore({ snapshots, snapshotEvery: 4 });
  const a = replica(makeAuthor(5));
  const topic = TOPICS[0] as Uint8Array;
  const feed = (changes: Parameters<typeof commit>[2]): DecodedVertex => {
    const v = commit(a, topic, changes);
    store.putVertices([v]);
    docs.applyVertex(v, v.payload);
    return v;
  };
  const rand = prng(4);
  const made: DecodedVertex[] = [];
  for (let i = 0; i < 3; i++) made.push(feed([randomChange(a, topic, 'g-counter', 'c', rand)]));
  assert.deepEqual(store.getSnapshots(), []);
  made.push(feed([randomChange(a, topic, 'rga', 'text', rand)]));
  let [s] = store.getSnapshots();
  assert.deepEqual(s?.topic.frontier.map(hex), [hex(made[3]?.id)]);
  assert.equal(s?.topic.appliedVertices, 4);
  assert.deepEqual(s?.documents.map((d) => d.name).sort(), ['c', 'text']);
  // The next write holds only what changed: the text's row keeps the frontier it was written at.
  for (let i = 0; i < 4; i++) made.push(feed([randomChange(a, topic, 'g-counter', 'c', rand)]));
  [s] = store.getSnapshots();
  assert.deepEqual(s?.topic.frontier.map(hex), [hex(made[7]?.id)]);
  assert.deepEqual(s?.documents.find((d) => d.name === 'c')?.frontier.map(hex), [hex(made[7]?.id)]);
  assert.deepEqual(s?.documents.find((d) => d.name === 'text')?.frontier.map(hex), [hex(made[3]?.id)]);
  // A failed write propagates after the vertex is applied, and the next one catches up.
  made.push(feed([randomChange(a, topic, 'lww-register', 'r', rand)]));
  failing = true;
  assert.throws(() => docs.flush(), /disk full/);
  failing = false;
  assert.equal(docs.flush(), 1);
  assert.equal(docs.flush(), 0);
  [s] = store.getSnapshots();
  assert.deepEqual(s?.topic.frontier.map(hex), [hex(made[8]?.id)]);
  assert.deepEqual(s?.documents.map((d) => d.name).sort(), ['c', 'r', 'text']);
  store.close();
});
