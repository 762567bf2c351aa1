import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CRDT_TYPE_NAMES, type CrdtTypeName } from '../../src/crdt/crdt-type.ts';
import type { CRDTDocument } from '../../src/crdt/document.ts';
import { DocumentStore } from '../../src/crdt/document-store.ts';
import { materialise } from '../../src/crdt/materialise.ts';
import { createVertex, Dag, type DecodedVertex } from '../../src/dag/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { fastProvider, makeAuthor, prng, topicOf, type TestAuthor } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { randomChange } from './document-support.ts';

/*
 * Randomised multi-replica convergence, in the style of Yjs' random tests: replicas edit
 * documents of all seven types in two topics, each vertex made by its replica's author; messages
 * are delivered in random order, duplicated, dropped while a replica is disconnected, and a
 * reconnecting replica exchanges what each side lacks (`Dag.missingFor`). One replica persists
 * to SQLite with frequent snapshots and restarts now and then. At the end every replica has the
 * same frontiers and byte-identical states, and nothing honest was refused.
 */

const TOPICS = [topicOf(41), topicOf(42)];
const DOCS: [CrdtTypeName, string][] = CRDT_TYPE_NAMES.flatMap((t) => [[t, `${t}/a`] as [CrdtTypeName, string], [t, `${t}/b`] as [CrdtTypeName, string]]);
const REPLICAS = 5;
const STEPS = 400;
const SEEDS = [1, 2, 3, 4, 5, 6];
const dir = tempDir();
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '-' : Buffer.from(b).toString('hex'));

/** What the run exercised, so a seed that happens to exercise little fails loudly. */
interface Tally {
  quarantined: number;
  duplicates: number;
  dropped: number;
  synced: number;
}

class Peer {
  readonly author: TestAuthor;
  readonly name: string;
  dag = new Dag();
  docs: DocumentStore;
  readonly store: SqliteStore | undefined;
  /** Messages on their way to this peer, delivered in random order. */
  inbox: DecodedVertex[] = [];
  connected = true;

  readonly tally: Tally;

  constructor(index: number, tally: Tally, store?: SqliteStore) {
    this.tally = tally;
    this.author = makeAuthor(index + 1);
    this.name = `peer ${index}`;
    this.store = store;
    // Peers differ in their rollback checkpoint interval, which must not change any state.
    this.docs = new DocumentStore({ snapshots: store, snapshotEvery: 5, checkpointEvery: 1 + index * 3 });
  }

  /** A vertex arrives: the DAG places it (or holds it back), the store commits, the documents apply. */
  receive(v: DecodedVertex, source: string): void {
    const outcome = this.dag.add(v, source);
    if (outcome.status === 'rejected') assert.fail(`${this.name} refused ${v.key}: ${outcome.reason}`);
    if (outcome.status === 'quarantined') this.tally.quarantined++;
    if (outcome.status === 'duplicate') this.tally.duplicates++;
    if (outcome.status !== 'added') return;
    this.store?.putVertices(outcome.added);
    for (const placed of outcome.added) this.docs.applyVertex(placed, placed.payload);
  }

  /** Crash and restart: reload the DAG from disk and materialise the documents from snapshots. */
  restart(): void {
    const store = this.store as SqliteStore;
    this.dag = store.loadDag();
    this.docs = new DocumentStore({ snapshots: store, snapshotEvery: 5, checkpointEvery: 1 });
    const report = materialise(this.dag, store, this.docs);
    assert.deepEqual(report.restore.discarded, []);
  }
}

function run(seed: number): void {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const store = SqliteStore.open(join(dir, `replica-${seed}.sqlite`));
  const tally: Tally = { quarantined: 0, duplicates: 0, dropped: 0, synced: 0 };
  const peers = Array.from({ length: REPLICAS }, (_, i) => new Peer(i, tally, i === 0 ? store : undefined));
  /** Every vertex ever made, by key: what the peers' stores hold between them. */
  const made = new Map<string, DecodedVertex>();
  let restarts = 0;
  let mid: { a: Map<string, CRDTDocument>; b: Map<string, CRDTDocument>; applied: Set<string> } | undefined;

  const send = (from: Peer, v: DecodedVertex): void => {
    for (const to of peers) {
      if (to === from) continue;
      if (!from.connected || !to.connected) {
        tally.dropped++;
        continue;
      }
      to.inbox.push(v);
      if (rand() < 0.15) to.inbox.push(v); // duplicated by the network
    }
  };

  /** Each side sends the other what it lacks, per topic, parents first. */
  const sync = (a: Peer, b: Peer): void => {
    for (const topic of TOPICS) {
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        for (const meta of from.dag.missingFor(topic, to.dag.frontier(topic))) {
          to.receive(made.get(meta.key) as DecodedVertex, from.name);
          tally.synced++;
        }
      }
    }
  };

  const edit = (p: Peer): void => {
    const topic = pick(TOPICS);
    const chosen = DOCS.filter(() => rand() < 0.2);
    if (chosen.length === 0) chosen.push(pick(DOCS));
    const changes = chosen.map(([type, name]) => randomChange({ author: p.author, dag: p.dag, docs: p.docs }, topic, type, name, rand));
    const payload = p.docs.change(topic, changes, p.author.author);
    const v = createVertex({ topic, ...p.dag.nextParents(topic), payload }, p.author, fastProvider);
    made.set(v.key, v);
    p.receive(v, 'local');
    send(p, v);
  };

  for (let step = 0; step < STEPS; step++) {
    const roll = rand();
    if (roll < 0.42) {
      edit(pick(peers));
    } else if (roll < 0.8) {
      const waiting = peers.filter((p) => p.connected && p.inbox.length > 0);
      if (waiting.length === 0) continue;
      const p = pick(waiting);
      const [v] = p.inbox.splice(Math.floor(rand() * p.inbox.length), 1);
      p.receive(v as DecodedVertex, 'network');
    } else if (roll < 0.85) {
      // An old vertex again, from a slow path of the network.
      if (made.size > 0) pick(peers).receive(pick([...made.values()]), 'replay');
    } else if (roll < 0.91) {
      const p = pick(peers);
      if (p.connected) {
        p.connected = false;
        if (rand() < 0.5) p.inbox = []; // in flight when the link went down: lost
      }
    } else if (roll < 0.97) {
      const p = pick(peers.filter((q) => !q.connected).concat(peers[0] as Peer));
      p.connected = true;
      for (const q of peers) if (q !== p && q.connected && rand() < 0.6) sync(p, q);
    } else {
      (peers[0] as Peer).restart();
      restarts++;
    }
    if (step === Math.floor(STEPS * 0.6)) {
      // Keep two replicas' documents as they are now, to merge state-based at the end.
      const [a, b] = [peers[1] as Peer, peers[2] as Peer];
      const docsOf = (p: Peer): Map<string, CRDTDocument> => {
        const out = new Map<string, CRDTDocument>();
        for (const t of TOPICS) {
          for (const [type, name] of DOCS) {
            const doc = p.docs.document(t, type, name);
            if (doc !== undefined) out.set(`${hex(t)} ${name}`, doc);
          }
        }
        return out;
      };
      const applied = new Set([...made.keys()].filter((k) => TOPICS.some((t) => a.docs.hasApplied(t, k) || b.docs.hasApplied(t, k))));
      mid = { a: docsOf(a), b: docsOf(b), applied };
    }
  }

  // Heal: everyone reconnects, and pairwise exchange runs until nobody lacks anything.
  for (const p of peers) p.connected = true;
  for (let round = 0; round < 3; round++) for (const a of peers) for (const b of peers) if (a !== b) sync(a, b);
  for (const p of peers) for (const v of p.inbox.splice(0)) p.receive(v, 'network');
  (peers[0] as Peer).restart();
  restarts++;

  const reference = peers[1] as Peer;
  for (const topic of TOPICS) {
    const frontier = reference.dag.frontier(topic).map(hex);
    assert.ok(frontier.length > 0);
    for (const p of peers) {
      assert.deepEqual(p.dag.frontier(topic).map(hex), frontier, `${p.name}: DAG frontier`);
      assert.deepEqual(p.docs.frontier(topic).map(hex), frontier, `${p.name}: applied frontier`);
      assert.equal(p.dag.topicSize(topic), reference.dag.topicSize(topic));
      assert.deepEqual(
        p.docs.documents(topic).map((d) => `${d.type}:${d.name}`),
        reference.docs.documents(topic).map((d) => `${d.type}:${d.name}`),
      );
      for (const d of p.docs.documents(topic)) {
        const here = hex(p.docs.encodedState(topic, d.type, d.name));
        assert.equal(here, hex(reference.docs.encodedState(topic, d.type, d.name)), `${p.name}: ${d.type} ${d.name} state`);
        assert.deepEqual(p.docs.value(topic, d.type, d.name), reference.docs.value(topic, d.type, d.name));
        assert.equal(d.stats.rejectedEntries, 0, `${p.name}: ${d.name} refused an honest entry: ${d.stats.lastRejection?.detail}`);
      }
    }
  }
  assert.ok(restarts > 1);
  assert.ok(made.size >= 50, `${made.size} vertices`);
  assert.ok(tally.quarantined > 0 && tally.duplicates > 0 && tally.dropped > 0 && tally.synced > 0, JSON.stringify(tally));
  const text = reference.docs.value(pick(TOPICS), 'rga', 'rga/a');
  assert.ok(TOPICS.some((t) => reference.docs.value(t, 'rga', 'rga/a').length + reference.docs.value(t, 'rga', 'rga/b').length > 10), `rga ${text.length}`);

  // State-based check: the two kept replicas merged equal a replica that applied both histories.
  assert.ok(mid !== undefined);
  const union = new Peer(REPLICAS, tally);
  for (const meta of reference.dag.topologicalOrder()) if (mid.applied.has(meta.key)) union.receive(made.get(meta.key) as DecodedVertex, 'union');
  for (const topic of TOPICS) {
    for (const [type, name] of DOCS) {
      const key = `${hex(topic)} ${name}`;
      const a: CRDTDocument | undefined = mid.a.get(key);
      const b: CRDTDocument | undefined = mid.b.get(key);
      const merged: CRDTDocument | undefined = a !== undefined && b !== undefined ? a.merge(b, reference.dag) : (a ?? b);
      const expected = union.docs.document(topic, type, name);
      assert.equal(merged === undefined, expected === undefined, key);
      if (merged === undefined || expected === undefined) continue;
      assert.equal(hex(merged.encodeState()), hex(expected.encodeState()), `${key}: merged state`);
    }
  }
  store.close();
}

for (const seed of SEEDS) {
  test(`${REPLICAS} replicas converge under random delivery, duplicates, partitions and restarts (seed ${seed})`, () => {
    run(seed);
  });
}
