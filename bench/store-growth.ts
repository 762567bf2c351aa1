// Benchmark `store-growth`: does storing a vertex cost more as the store grows? Durable batches go
// into one SQLite store, and each step of `--step` vertices reports the main thread's CPU and the
// bytes written (WAL frames and checkpoint copies) per vertex. An index that takes its inserts at
// random places (ids are hashes) rewrites a page per vertex once it outgrows a batch, so its cost
// climbs with the store; the limit is on how much the last step may cost over the first.
//
// The store checks no signatures, so the vertices are stand-ins of the real shape: random 32-byte
// ids, 4,514 bytes each (the encoded size in bench ingest), a chain per topic.
//
//   npm run bench -- store-growth [--vertices N] [--step S] [--batch B] [--topics T]
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { idKey, type DecodedVertex } from '../src/dag/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { bytesWritten } from './support/bytes-written.ts';

const { values } = parseArgs({
  options: {
    vertices: { type: 'string', default: '200000' },
    step: { type: 'string', default: '25000' },
    batch: { type: 'string', default: '256' },
    topics: { type: 'string', default: '8' },
    bytes: { type: 'string', default: '4514' },
  },
});
const total = Number(values.vertices);
const step = Number(values.step);
const batch = Number(values.batch);
const topicCount = Number(values.topics);
const vertexBytes = Number(values.bytes);
/** How much more the last step may cost per vertex than the first, in bytes written. */
const LIMIT_GROWTH = 1.5;

// Vertex bodies are views into one random pool: their content is opaque to the store.
const pool = randomFillSync(new Uint8Array(16 << 20));
let poolAt = 0;
const topics = Array.from({ length: topicCount }, (_, i) => new Uint8Array(16).fill(i + 1));
const tips: ({ id: Uint8Array; lamport: number } | undefined)[] = topics.map(() => undefined);
const author = new Uint8Array(32).fill(7);

function nextVertex(n: number): DecodedVertex {
  const t = n % topicCount;
  const tip = tips[t];
  const id = randomFillSync(new Uint8Array(32));
  if (poolAt + vertexBytes > pool.length) poolAt = 0;
  const bytes = pool.subarray(poolAt, poolAt + vertexBytes);
  poolAt += vertexBytes;
  const lamport = tip === undefined ? 1 : tip.lamport + 1;
  tips[t] = { id, lamport };
  const parents = tip === undefined ? [] : [tip.id];
  return { version: 1, topic: topics[t] as Uint8Array, parents, lamport, author, payload: bytes, sig: bytes, bytes, id, key: idKey(id) };
}

const dir = mkdtempSync(join(tmpdir(), 'pars-bench-store-growth-'));
const store = SqliteStore.open(join(dir, 'node.sqlite'));
const steps: { stored: number; cpu_us_per_vertex: number; written_bytes_per_vertex: number }[] = [];
let stored = 0;
while (stored < total) {
  const until = Math.min(total, stored + step);
  const written = bytesWritten();
  const cpu = process.threadCpuUsage();
  const from = stored;
  while (stored < until) {
    const list: DecodedVertex[] = [];
    for (; list.length < batch && stored < until; stored++) list.push(nextVertex(stored));
    store.putVertices(list);
  }
  const used = process.threadCpuUsage(cpu);
  const n = stored - from;
  steps.push({
    stored,
    cpu_us_per_vertex: Number(((used.user + used.system) / n).toFixed(1)),
    written_bytes_per_vertex: Math.round((bytesWritten() - written) / n),
  });
  console.error(`${stored} vertices: ${JSON.stringify(steps[steps.length - 1])}`);
}
store.close();
rmSync(dir, { recursive: true, force: true });

const first = steps[0] as (typeof steps)[number];
const last = steps[steps.length - 1] as (typeof steps)[number];
const growth = last.written_bytes_per_vertex / first.written_bytes_per_vertex;
console.log(
  JSON.stringify({
    bench: 'store-growth',
    vertices: stored,
    batch,
    topics: topicCount,
    vertex_bytes: vertexBytes,
    first_step_written_bytes_per_vertex: first.written_bytes_per_vertex,
    last_step_written_bytes_per_vertex: last.written_bytes_per_vertex,
    written_growth: Number(growth.toFixed(3)),
    limit_written_growth: LIMIT_GROWTH,
    within_limit: growth <= LIMIT_GROWTH,
    first_step_cpu_us_per_vertex: first.cpu_us_per_vertex,
    last_step_cpu_us_per_vertex: last.cpu_us_per_vertex,
    cpu_growth: Number((last.cpu_us_per_vertex / first.cpu_us_per_vertex).toFixed(3)),
    steps,
  }),
);
