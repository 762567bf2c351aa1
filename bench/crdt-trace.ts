// Benchmark `crdt-trace`: replays a real editing trace on our RGA and on Yjs in the same run.
//
//   npm run bench -- crdt-trace [--trace PATH] [--runs N] [--signer ml-dsa|sim] [--seed S]
//
// Sequential traces: every patch is a local edit — ours builds the operation (insertOp /
// deleteOp) and applies it, Yjs calls Y.Text insert/delete. Concurrent traces: each agent edits
// its own replica, first receiving what the trace says it had seen (ours: the other agents'
// operations; Yjs: their updates); each transaction is also one signed DAG vertex, and a fresh
// replica applies every vertex's operations in the order a Dag places them after a random
// delivery (Yjs: a fresh doc applies the transactions' updates in that order). Both sides are
// warmed up, then timed in interleaved runs; the medians are reported. The last line is JSON:
// ratio = ours_ms / yjs_ms, size_ratio = snapshot bytes / Y.encodeStateAsUpdate bytes.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { nativeAvailable, providerByName, type CryptoProvider } from '../src/crypto/index.ts';
import { rga, rgaText, type RgaState } from '../src/crdt/rga/index.ts';
import type { VertexSigner } from '../src/dag/index.ts';
import { insecureSimulationProvider } from '../src/sim/insecure-signatures.ts';
import { readTrace, type EditingTrace } from './support/trace-reader.ts';
import { applyVertices, concurrentOps, placeShuffled, planReplay, replaySequential, traceSigners, traceVertices, type ReplayStep } from './support/trace-replay.ts';
import { lcg } from './support/lcg.ts';
import { median } from './support/median.ts';

const { values } = parseArgs({
  options: {
    trace: { type: 'string', default: new URL('../test/vectors/editing-traces/automerge-paper.json.gz', import.meta.url).pathname },
    runs: { type: 'string', default: '5' },
    signer: { type: 'string', default: 'ml-dsa' },
    seed: { type: 'string', default: '1' },
  },
});
const runs = Math.max(1, Number(values.runs));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const trace = readTrace(values.trace);
console.error(`${values.trace}: ${trace.kind}, ${trace.txns.length} transactions, ${trace.patches} patches, ${trace.numAgents} agent(s)`);

/** Code point position → UTF-16 index in `text` (Yjs counts UTF-16 units). */
function unitPos(text: Y.Text, pos: number): number {
  if (!trace.astral) return pos;
  const s = text.toString();
  let unit = 0;
  for (let i = 0; i < pos; i++) unit += (s.codePointAt(unit) as number) > 0xffff ? 2 : 1;
  return unit;
}

function unitLen(text: Y.Text, pos: number, len: number): number {
  return trace.astral ? unitPos(text, pos + len) - unitPos(text, pos) : len;
}

function yjsPatch(text: Y.Text, pos: number, del: number, ins: string): void {
  if (del > 0) text.delete(unitPos(text, pos), unitLen(text, pos, del));
  if (ins.length > 0) text.insert(unitPos(text, pos), ins);
}

interface Side<T> {
  run(): { ms: number; ok: boolean };
  /** The replica the last run made. */
  final(): T;
  /** Drops the last replica made. */
  release(): void;
}

/** Times `replay` (which builds a replica from nothing) and checks its text against `endContent`. */
function timedSide<T>(replay: () => T, textOf: (replica: T) => string, endContent: string): Side<T> {
  let last: T | undefined;
  return {
    run() {
      const start = performance.now();
      const replica = replay();
      const ms = performance.now() - start;
      last = replica;
      return { ms, ok: textOf(replica) === endContent };
    },
    final() {
      if (last === undefined) throw new Error('no run has finished');
      return last;
    },
    release: () => (last = undefined),
  };
}

interface Sides {
  ours: Side<RgaState>;
  yjs: Side<Y.Doc>;
  ops: number;
}

const yjsText = (doc: Y.Doc): string => doc.getText('t').toString();

// ---------------------------------------------------------------- sequential

function sequentialSides(t: EditingTrace): Sides {
  const author = new Uint8Array(32).fill(0x42);
  let ops = 0;
  for (const txn of t.txns) for (const [, del, ins] of txn.patches) ops += (del > 0 ? 1 : 0) + (ins.length > 0 ? 1 : 0);
  if (t.startContent.length > 0) ops++;
  const yjsReplay = (): Y.Doc => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    if (t.startContent.length > 0) text.insert(0, t.startContent);
    for (const txn of t.txns) for (const [pos, del, ins] of txn.patches) yjsPatch(text, pos, del, ins);
    return doc;
  };
  return {
    ops,
    ours: timedSide(() => replaySequential(t, author), rgaText, t.endContent),
    yjs: timedSide(yjsReplay, yjsText, t.endContent),
  };
}

// ---------------------------------------------------------------- concurrent

function signersFor(agents: number): { signers: VertexSigner[]; provider: CryptoProvider } {
  const base = nativeAvailable() ? providerByName('native') : providerByName('noble');
  const provider = values.signer === 'sim' ? insecureSimulationProvider(base) : base;
  return { signers: traceSigners(provider, agents), provider };
}

function concurrentSides(t: EditingTrace): Sides {
  const plan = planReplay(t);
  const { signers, provider } = signersFor(t.numAgents);
  const authors = signers.map((s) => s.author);
  const ops0 = concurrentOps(t, authors, plan);
  const started = performance.now();
  const vertices = traceVertices(t, ops0, signers, provider, new Uint8Array(16).fill(7));
  console.error(`signed ${vertices.length} vertices (${provider.name}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // The delivery order, seeded by --seed.
  const placed = placeShuffled(vertices, lcg(Number(values.seed)));
  const index = new Map(vertices.map((v, i) => [v.key, i]));
  const placedTxns = placed.map((v) => index.get(v.key) as number);
  const oursReplay = (): RgaState => {
    // The agents' editing is timed, as the Yjs side times making its updates; the operations
    // are the ones the vertices (made once, untimed) already carry.
    concurrentOps(t, authors, plan);
    const replica = rga.create();
    applyVertices(replica, placed);
    return replica;
  };
  const yjsReplay = (): Y.Doc => {
    const updates = yjsConcurrent(t, plan);
    const doc = new Y.Doc();
    for (const i of placedTxns) Y.applyUpdate(doc, updates[i] as Uint8Array);
    return doc;
  };
  return {
    ops: ops0.reduce((n, list) => n + list.length, 0),
    ours: timedSide(oursReplay, rgaText, t.endContent),
    yjs: timedSide(yjsReplay, yjsText, t.endContent),
  };
}

/** Each agent edits its own Y.Doc (client id = agent + 1, lower agent first on conflicts); returns each transaction's update. */
function yjsConcurrent(t: EditingTrace, plan: readonly ReplayStep[]): Uint8Array[] {
  const docFor = (agent: number): Y.Doc => {
    const doc = new Y.Doc();
    doc.clientID = agent + 1;
    return doc;
  };
  const docs = Array.from({ length: t.numAgents }, (_, a) => docFor(a));
  const updates: Uint8Array[] = [];
  for (let i = 0; i < t.txns.length; i++) {
    const txn = t.txns[i] as EditingTrace['txns'][number];
    const step = plan[i] as ReplayStep;
    if (step.restart) docs[txn.agent] = docFor(txn.agent);
    const doc = docs[txn.agent] as Y.Doc;
    for (const m of step.receive) Y.applyUpdate(doc, updates[m] as Uint8Array);
    let update: Uint8Array = new Uint8Array(0);
    const capture = (u: Uint8Array): void => {
      update = u;
    };
    doc.on('update', capture);
    const text = doc.getText('t');
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) yjsPatch(text, pos, del, ins);
    });
    doc.off('update', capture);
    updates.push(update);
  }
  return updates;
}

// ---------------------------------------------------------------- run

const sides = trace.kind === 'sequential' ? sequentialSides(trace) : concurrentSides(trace);
const oursMs: number[] = [];
const yjsMs: number[] = [];
let oursOk = true;
let yjsOk = true;
sides.ours.run(); // warm-up
sides.yjs.run();
for (let r = 0; r < runs; r++) {
  const a = sides.ours.run();
  const b = sides.yjs.run();
  oursMs.push(a.ms);
  yjsMs.push(b.ms);
  oursOk &&= a.ok;
  yjsOk &&= b.ok;
  console.error(`run ${r + 1}: ours ${a.ms.toFixed(1)} ms, yjs ${b.ms.toFixed(1)} ms`);
}
const yjsBytes = Y.encodeStateAsUpdate(sides.yjs.final()).length;
const oursBytes = rga.encodeState(sides.ours.final()).length;
if (!oursOk) console.error('ours did not reproduce endContent');
if (!yjsOk) console.error('yjs did not reproduce endContent');

// Heap with only our final replica alive (and the trace itself).
sides.ours.release();
sides.yjs.release();
gc();
const before = process.memoryUsage().heapUsed;
sides.ours.run();
gc();
const heap = process.memoryUsage().heapUsed;
console.error(`heap used: ${(heap / 2 ** 20).toFixed(1)} MiB with our final replica alive, ${(before / 2 ** 20).toFixed(1)} MiB before replaying it (both after a full GC)`);

const oursMedian = median(oursMs);
const yjsMedian = median(yjsMs);
const round = (n: number, d = 3): number => Number(n.toFixed(d));
console.log(
  JSON.stringify({
    bench: 'crdt-trace',
    trace: values.trace.split('/').pop(),
    ops: sides.ops,
    ours_ms: round(oursMedian, 1),
    yjs_ms: round(yjsMedian, 1),
    ratio: round(oursMedian / yjsMedian),
    ours_bytes: oursBytes,
    yjs_bytes: yjsBytes,
    size_ratio: round(oursBytes / yjsBytes),
    final_text_ok: oursOk && yjsOk,
    heap_mb: round(heap / 2 ** 20, 1),
  }),
);
