// Benchmark `documents`: materialising CRDT documents from DAG vertices.
//
// Three writers edit a shared text (RGA, typing at a cursor with some deletes) plus a counter,
// a set and a register, syncing now and then, so the DAG forks and merges. Measured:
//   - applying every vertex through DocumentStore (envelope decode, op decode, apply, bookkeeping),
//     against the limit measured in the same run: the types' own `apply` on the same operations,
//     already decoded, with no store around them (the ratio is the document layer's overhead);
//   - the same with SQLite snapshots every `--every` vertices (the snapshot policy's cost);
//   - restart: materialise from snapshots (only the tail after the last snapshot is read)
//     against a rebuild from scratch;
//   - the rollback design: one copy of the final text state (what cloning before every
//     multi-operation entry would cost per vertex) against one encoding (what a journal
//     checkpoint costs per `checkpointEvery` operations).
//
//   npm run bench -- documents [--vertices N] [--every K]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nativeAvailable, providerByName } from '../src/crypto/index.ts';
import { changeOf, CRDT_TYPES, crdtTypeByName, decodeEnvelope, deleteOp, DocumentStore, gCounter, insertOp, lwwRegister, materialise, orSet, rga, rgaLength, type AnyCrdtType, type DocumentChange } from '../src/crdt/index.ts';
import { createVertex, Dag, type DecodedVertex } from '../src/dag/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { lcg } from './support/lcg.ts';

const { values } = parseArgs({ options: { vertices: { type: 'string', default: '5000' }, every: { type: 'string', default: '512' } } });
const count = Number(values.vertices);
const every = Number(values.every);
const signing = nativeAvailable() ? providerByName('native') : providerByName('noble');
const TOPIC = new Uint8Array(16).fill(7);

const rand = lcg(4242);

interface Writer {
  readonly author: { author: Uint8Array; sign(m: Uint8Array, c: Uint8Array): Uint8Array };
  readonly dag: Dag;
  readonly docs: DocumentStore;
  cursor: number;
}

function writer(i: number): Writer {
  const pair = signing.mlDsa65.keyPair(new Uint8Array(32).fill(i + 1));
  return { author: { author: signing.sha3_256(pair.publicKey), sign: pair.sign }, dag: new Dag(), docs: new DocumentStore(), cursor: 0 };
}

function receive(w: Writer, v: DecodedVertex): void {
  const outcome = w.dag.add(v);
  if (outcome.status === 'added') for (const p of outcome.added) w.docs.applyVertex(p, p.payload);
}

function edit(w: Writer): DocumentChange[] {
  const text = w.docs.currentState(TOPIC, 'rga', 'text');
  const len = rgaLength(text);
  w.cursor = Math.min(w.cursor, len);
  if (rand() < 0.05) w.cursor = Math.floor(rand() * (len + 1));
  let op;
  if (w.cursor > 3 && rand() < 0.15) {
    const n = 1 + Math.floor(rand() * 3);
    op = deleteOp(text, w.cursor - n, n);
    w.cursor -= n;
  } else {
    const typed = 'lorem ipsum dolor sit amet '.slice(Math.floor(rand() * 20)).slice(0, 1 + Math.floor(rand() * 4));
    op = insertOp(text, w.author.author, w.cursor, typed);
    w.cursor += [...typed].length;
  }
  if (!op.ok) throw new Error(op.detail);
  const changes = [changeOf('rga', 'text', [op.value])];
  if (rand() < 0.3) changes.push(changeOf('g-counter', 'edits', [gCounter.increment(1)]));
  if (rand() < 0.1) changes.push(changeOf('or-set', 'tags', orSet.add(w.docs.currentState(TOPIC, 'or-set', 'tags'), `t${Math.floor(rand() * 20)}`)));
  if (rand() < 0.1) changes.push(changeOf('lww-register', 'title', [lwwRegister.write(`title ${Math.floor(rand() * 100)}`)]));
  return changes;
}

const t0 = performance.now();
const writers = [writer(0), writer(1), writer(2)];
const vertices: DecodedVertex[] = [];
for (let i = 0; i < count; i++) {
  const w = writers[Math.floor(rand() * writers.length)] as Writer;
  if (rand() < 0.05) for (const v of vertices) receive(w, v);
  const payload = w.docs.change(TOPIC, edit(w), w.author.author);
  const v = createVertex({ topic: TOPIC, ...w.dag.nextParents(TOPIC), payload }, w.author, signing);
  receive(w, v);
  vertices.push(v);
}
console.error(`generated ${count} vertices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Causal order for every consumer below: what a node's DAG hands over.
const dag = new Dag();
for (const v of vertices) dag.add(v);
const byKey = new Map(vertices.map((v) => [v.key, v]));
const ordered = dag.topologicalOrder(TOPIC).map((m) => byKey.get(m.key) as DecodedVertex);

function applyAll(docs: DocumentStore): number {
  const start = performance.now();
  for (const v of ordered) docs.applyVertex(v, v.payload);
  return (performance.now() - start) / 1000;
}

// Limit: the same operations, decoded in advance, applied straight to the types' states.
const prepared = ordered.map((v) => {
  const env = decodeEnvelope(v.payload);
  if (!env.ok) throw new Error(env.detail);
  let index = 0;
  return env.value.entries.map((e) => {
    const crdt = crdtTypeByName(e.type) as AnyCrdtType;
    const ops = e.ops.map((raw) => {
      const d = crdt.decodeOp(raw);
      if (!d.ok) throw new Error(d.detail);
      return { op: d.value, origin: { author: v.author, lamport: v.lamport, vertex: v.id, index: index++ } };
    });
    return { key: `${e.type}/${e.name}`, crdt, ops };
  });
});
const opCount = prepared.reduce((n, entries) => n + entries.reduce((m, e) => m + e.ops.length, 0), 0);
function direct(): number {
  const states = new Map<string, unknown>();
  const start = performance.now();
  for (const entries of prepared) {
    for (const e of entries) {
      let s = states.get(e.key);
      if (s === undefined) states.set(e.key, (s = e.crdt.create()));
      for (const { op, origin } of e.ops) if (!e.crdt.apply(s, op, origin).ok) throw new Error('refused');
    }
  }
  return (performance.now() - start) / 1000;
}

applyAll(new DocumentStore()); // warm up
direct();
const memoryDocs = new DocumentStore();
const applySeconds = applyAll(memoryDocs);
const directSeconds = direct();

const dir = mkdtempSync(join(tmpdir(), 'pars-bench-documents-'));
const path = join(dir, 'node.sqlite');
let store = SqliteStore.open(path);
store.putVertices(ordered);
const persisted = new DocumentStore({ snapshots: store, snapshotEvery: every });
const snapshotSeconds = applyAll(persisted);
store.close(); // no flush: the tail after the last periodic snapshot must be replayed

store = SqliteStore.open(path);
const loaded = store.loadDag();
// The rebuild runs first, so both run on warm code; the restart also writes its closing snapshot.
let start = performance.now();
const rebuilt = new DocumentStore();
materialise(loaded, store, rebuilt);
const rebuildSeconds = (performance.now() - start) / 1000;
start = performance.now();
const resumed = new DocumentStore({ snapshots: store, snapshotEvery: every });
const report = materialise(loaded, store, resumed);
const restartSeconds = (performance.now() - start) / 1000;
store.close();
rmSync(dir, { recursive: true, force: true });

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');
for (const d of memoryDocs.documents(TOPIC)) {
  const want = hex(memoryDocs.encodedState(TOPIC, d.type, d.name));
  if (hex(resumed.encodedState(TOPIC, d.type, d.name)) !== want || hex(rebuilt.encodedState(TOPIC, d.type, d.name)) !== want) throw new Error(`${d.name} differs after restart`);
}

const text = memoryDocs.currentState(TOPIC, 'rga', 'text');
const time = (f: () => unknown, n: number): number => {
  const s = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - s) / n;
};
const cloneMs = time(() => rga.clone(text), 50);
const encodeMs = time(() => CRDT_TYPES.rga.encodeState(text), 50);

const result = {
  bench: 'documents',
  vertices: count,
  ops: opCount,
  text_chars: rgaLength(text),
  apply_vertices_per_s: Math.round(count / applySeconds),
  apply_ops_per_s: Math.round(opCount / applySeconds),
  limit_ops_per_s: Math.round(opCount / directSeconds),
  ratio: Number((directSeconds / applySeconds).toFixed(3)),
  with_snapshots_vertices_per_s: Math.round(count / snapshotSeconds),
  snapshot_every: every,
  restart_ms: Math.round(restartSeconds * 1000),
  restart_replayed: report.replayed,
  restart_skipped: report.skipped,
  rebuild_ms: Math.round(rebuildSeconds * 1000),
  restart_over_rebuild: Number((restartSeconds / rebuildSeconds).toFixed(3)),
  text_clone_ms: Number(cloneMs.toFixed(3)),
  text_encode_ms: Number(encodeMs.toFixed(3)),
};
console.log(JSON.stringify(result));
