// Benchmark `net-sync`: two node processes over TCP on loopback. A holds N signed vertices
// (several groups and authors, 1 KiB payloads), B none; B dials A and the clock runs until B has
// durably stored all N and its frontiers equal A's. Against the limit measured in the same run:
//
//   limit_seconds = max(bytes on the wire / loopback TCP throughput, N / ingest limit)
//
// where loopback throughput is raw TCP between two processes over 127.0.0.1, and the ingest
// limit is the node's normal ingest path (Ingester, a worker per core, durable commits) on the
// same vertices. Bytes on the wire are the connection's TCP payload both ways, from the kernel's
// counters (`ss -ti`); without `ss`, our protocols' frame bytes. Each round measures the two
// limits and then the sync, and has its own ratio; the round with the median ratio is reported.
//
//   npm run bench -- net-sync [--vertices N] [--rounds R] [--loopback-mb MB]   (PARS_CRYPTO=native|noble)
//   PARS_BENCH_CPU_PROF=DIR writes CPU profiles of both processes (every thread) into DIR.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultProvider, nativeAvailable, providerByName } from '../src/crypto/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { NetChild } from './support/net-child.ts';
import { ingestLimitPerSecond } from './support/ingest-limit.ts';
import { loopbackBytesPerSecond } from './support/net-loopback.ts';
import { signedWorkload } from './support/signed-workload.ts';

const { values } = parseArgs({
  options: {
    vertices: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    'loopback-mb': { type: 'string', default: '200' },
    batch: { type: 'string', default: '512' },
  },
});
const provider = defaultProvider();
const count = Number(values.vertices);
const rounds = Number(values.rounds);
const loopbackBytes = Number(values['loopback-mb']) * 1_000_000;
const signing = nativeAvailable() ? providerByName('native') : providerByName('noble');
const peerScript = fileURLToPath(new URL('./support/net-peer.ts', import.meta.url));

const t0 = performance.now();
const { vertices, keys } = signedWorkload({ count, authors: 16, topics: 8, payloadBytes: 1052, signing });
console.error(`generated ${vertices.length} vertices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const dir = mkdtempSync(join(tmpdir(), 'pars-bench-net-sync-'));
const sourcePath = join(dir, 'a.sqlite');
{
  const store = SqliteStore.open(sourcePath);
  for (const k of keys) store.putKey(provider.sha3_256(k), { algorithm: 'ml-dsa-65', publicKey: k });
  for (let i = 0; i < count; i += 1000) store.putVertices(vertices.slice(i, i + 1000));
  store.checkpoint();
  store.close();
}

interface Served {
  readonly address: string;
  readonly vertices: number;
  readonly frontiers: Record<string, string[]>;
}

interface Fetched {
  readonly seconds: number;
  readonly stored: number;
  readonly frontiers_equal: boolean;
  readonly tcp_bytes: number | undefined;
  readonly frame_bytes: number | undefined;
  readonly connect_ms: number;
  readonly first_stored_ms: number;
  readonly sessions: string[];
  readonly frames_received: number;
  readonly flights: number;
  readonly vertex_bytes: number;
  readonly cpu_ms: number;
  readonly main_cpu_ms: number;
  readonly page_faults: number;
}

/** One sync of the whole store from a fresh A process into a fresh, empty B process. */
async function netSync(roundDir: string): Promise<Fetched & { serve_cpu_ms: number; serve_page_faults: number }> {
  const a = new NetChild(peerScript, ['--role', 'serve', '--store', sourcePath]);
  let b: NetChild | undefined;
  try {
    const served = await a.next<Served>();
    if (served.vertices !== count) throw new Error(`A holds ${served.vertices} vertices, not ${count}`);
    const frontiersFile = join(roundDir, 'frontiers.json');
    writeFileSync(frontiersFile, JSON.stringify(served.frontiers));
    const args = ['--role', 'fetch', '--store', join(roundDir, 'b.sqlite'), '--address', served.address, '--vertices', String(count), '--frontiers', frontiersFile];
    b = new NetChild(peerScript, args);
    const fetched = await b.finish<Fetched>();
    if (fetched.stored !== count || !fetched.frontiers_equal) throw new Error(`B stored ${fetched.stored} of ${count}, frontiers equal: ${fetched.frontiers_equal}`);
    const { cpu_ms, page_faults } = await a.finish<{ cpu_ms: number; page_faults: number }>();
    return { ...fetched, serve_cpu_ms: cpu_ms, serve_page_faults: page_faults };
  } finally {
    b?.kill();
    a.kill();
  }
}

interface Round extends Fetched {
  readonly serve_cpu_ms: number;
  readonly serve_page_faults: number;
  readonly loopback_bytes_per_s: number;
  readonly ingest_limit_per_s: number;
  readonly bytes_on_wire: number;
  readonly wire_limit_seconds: number;
  readonly ingest_limit_seconds: number;
  readonly limit_seconds: number;
  readonly ratio: number;
}

const results: Round[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const roundDir = join(dir, `round-${round}`);
    mkdirSync(roundDir);
    const loopback = await loopbackBytesPerSecond(loopbackBytes);
    const ingest = await ingestLimitPerSecond({ provider, vertices, keys, path: join(roundDir, 'ingest.sqlite'), batch: Number(values.batch) });
    const sync = await netSync(roundDir);
    rmSync(roundDir, { recursive: true, force: true });
    const bytesOnWire = sync.tcp_bytes ?? (sync.frame_bytes as number);
    const wireSeconds = bytesOnWire / loopback;
    const ingestSeconds = count / ingest;
    const limitSeconds = Math.max(wireSeconds, ingestSeconds);
    results.push({
      ...sync,
      loopback_bytes_per_s: loopback,
      ingest_limit_per_s: ingest,
      bytes_on_wire: bytesOnWire,
      wire_limit_seconds: wireSeconds,
      ingest_limit_seconds: ingestSeconds,
      limit_seconds: limitSeconds,
      ratio: sync.seconds / limitSeconds,
    });
    console.error(`round ${round + 1}/${rounds}: sync ${sync.seconds.toFixed(2)} s, loopback ${(loopback / 1e6).toFixed(0)} MB/s, ingest ${Math.round(ingest)} vertices/s, ratio ${(sync.seconds / limitSeconds).toFixed(2)}, sessions ${sync.sessions.join(' ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Each round's ratio sets its sync against the limits measured just before it, so load that comes
// and goes on a shared machine moves both alike; the round with the median ratio is reported.
const byRatio = [...results].sort((x, y) => x.ratio - y.ratio);
const typical = byRatio[Math.floor(byRatio.length / 2)] as Round;
const round3 = (x: number): number => Number(x.toFixed(3));
console.log(
  JSON.stringify({
    bench: 'net-sync',
    vertices: count,
    seconds: round3(typical.seconds),
    limit_seconds: round3(typical.limit_seconds),
    ratio: round3(typical.ratio),
    bytes_on_wire: typical.bytes_on_wire,
    target_ratio: 1.5,
    provider: provider.name,
    cores: availableParallelism(),
    rounds,
    bytes_on_wire_source: typical.tcp_bytes === undefined ? 'frames' : 'tcp',
    frame_bytes: typical.frame_bytes,
    vertex_bytes: typical.vertex_bytes,
    loopback_bytes_per_s: Math.round(typical.loopback_bytes_per_s),
    ingest_limit_per_s: Math.round(typical.ingest_limit_per_s),
    sync_per_s: Math.round(count / typical.seconds),
    wire_limit_seconds: round3(typical.wire_limit_seconds),
    ingest_limit_seconds: round3(typical.ingest_limit_seconds),
    // Where the time goes (that round): connecting, the first commit, the flights of frames, and
    // CPU of each process over the sync (the fetcher's main thread apart from its verify workers).
    connect_ms: typical.connect_ms,
    first_stored_ms: typical.first_stored_ms,
    sessions: typical.sessions,
    frames_received: typical.frames_received,
    flights: typical.flights,
    fetch_cpu_ms: typical.cpu_ms,
    fetch_main_cpu_ms: typical.main_cpu_ms,
    serve_cpu_ms: typical.serve_cpu_ms,
    // Minor page faults over the sync: fresh pages each process touched (buffers, heap growth).
    fetch_page_faults: typical.page_faults,
    serve_page_faults: typical.serve_page_faults,
    ratios_all: results.map((r) => round3(r.ratio)),
    seconds_all: results.map((r) => round3(r.seconds)),
  }),
);
