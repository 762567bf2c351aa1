// Benchmark `bundle`: export a store's vertices to a sneakernet bundle and import it into an
// empty node, against the node's normal ingest path on the same vertices in the same run.
// Peak memory is measured in child processes for two bundle sizes (one 10× the other): a
// streaming format keeps the large one close to the small one.
//
//   npm run bench -- bundle [--vertices N] [--small N] [--batch B]   (PARS_CRYPTO=native|noble)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exportBundle, importBundle, type BundleGroupKey } from '../src/bundle/index.ts';
import { defaultProvider, nativeAvailable, providerByName } from '../src/crypto/index.ts';
import { Identity } from '../src/identity/index.ts';
import { Ingester } from '../src/node/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { signedWorkload } from './support/signed-workload.ts';
import { median } from './support/median.ts';
import { ingestLimitPerSecond } from './support/ingest-limit.ts';

const { values } = parseArgs({
  options: {
    vertices: { type: 'string', default: '20000' },
    small: { type: 'string', default: '' },
    batch: { type: 'string', default: '512' },
    child: { type: 'string', default: '' },
    store: { type: 'string', default: '' },
    file: { type: 'string', default: '' },
    topics: { type: 'string', default: '8' },
  },
});
const provider = defaultProvider();
const cores = availableParallelism();
const batch = Number(values.batch);
const topicCount = Number(values.topics);
const exporter = Identity.fromSeed(new Uint8Array(32).fill(7), provider);
const now = (): number => Date.UTC(2026, 0, 1);

/** The bench's groups: one per topic, with a bundle key both processes derive alike. */
function benchGroups(): BundleGroupKey[] {
  return Array.from({ length: topicCount }, (_, i) => {
    const topic = new Uint8Array(16).fill(i + 1);
    return { topic, bundleKey: provider.sha3_256(topic) };
  });
}

async function exportStore(storePath: string, file: string): Promise<void> {
  const store = SqliteStore.open(storePath);
  try {
    await exportBundle({ provider, store, dag: store.loadDag(), identity: exporter, path: file, groups: benchGroups(), now });
  } finally {
    store.close();
  }
}

async function importFile(storePath: string, file: string): Promise<number> {
  const ingester = new Ingester({ provider, store: SqliteStore.open(storePath), workers: cores });
  try {
    const report = await importBundle({ provider, path: file, sink: ingester, groups: benchGroups(), batch, now });
    if (report.rejected !== 0 || report.waiting !== 0) throw new Error(`import rejected ${report.rejected}, left ${report.waiting} waiting`);
    return report.stored;
  } finally {
    await ingester.close();
    ingester.store.close();
  }
}

if (values.child !== '') {
  // Child mode: one operation, then its peak resident set size.
  if (values.child === 'export') await exportStore(values.store, values.file);
  else await importFile(values.store, values.file);
  // VmHWM, not getrusage: Linux carries ru_maxrss over fork and exec, so a child would report
  // the parent's peak (which holds every generated vertex).
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (hwm === null) throw new Error('no VmHWM in /proc/self/status');
  console.log(JSON.stringify({ maxRssMb: Number(hwm[1]) / 1024 }));
  process.exit(0);
}

const count = Number(values.vertices);
const small = Number(values.small || Math.floor(count / 10));
const signing = nativeAvailable() ? providerByName('native') : providerByName('noble');
const t0 = performance.now();
const { vertices, keys } = signedWorkload({ count, authors: 16, topics: topicCount, payloadBytes: 1052, signing });
console.error(`generated ${vertices.length} vertices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const dir = mkdtempSync(join(tmpdir(), 'pars-bench-bundle-'));
/** A store holding the first `n` vertices (a prefix of the generation order is causally closed). */
function sourceStore(name: string, n: number): string {
  const path = join(dir, name);
  const store = SqliteStore.open(path);
  for (const k of keys) store.putKey(provider.sha3_256(k), { algorithm: 'ml-dsa-65', publicKey: k });
  for (let i = 0; i < n; i += 1000) store.putVertices(vertices.slice(i, Math.min(n, i + 1000)));
  store.close();
  return path;
}
const largeStore = sourceStore('large.sqlite', count);
const smallStore = sourceStore('small.sqlite', small);

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1000, value };
}

const largeFile = join(dir, 'large.pars');
const exported = await timed(() => exportStore(largeStore, largeFile));
const bytes = statSync(largeFile).size;
// Alternate the two so drift on a shared machine hits both alike; report each one's median.
const ROUNDS = 3;
const limits: number[] = [];
const imports: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  limits.push(await ingestLimitPerSecond({ provider, vertices, keys, path: join(dir, `ingest-${round}.sqlite`), batch }));
  const run = await timed(() => importFile(join(dir, `import-${round}.sqlite`), largeFile));
  if (run.value !== vertices.length) throw new Error(`import stored ${run.value} of ${vertices.length}`);
  imports.push(run.seconds);
}
const ingestLimit = median(limits);
const importSeconds = median(imports);

const script = fileURLToPath(import.meta.url);
function childRss(mode: 'export' | 'import', store: string, file: string): number {
  const out = execFileSync(process.execPath, [script, '--child', mode, '--store', store, '--file', file, '--batch', String(batch), '--topics', String(topicCount)], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').at(-1) as string) as { maxRssMb: number }).maxRssMb;
}
const peaks = (store: string, name: string): { export: number; import: number } => {
  const file = join(dir, name);
  return { export: childRss('export', store, file), import: childRss('import', join(dir, `rss-${name}.sqlite`), file) };
};
const small_ = peaks(smallStore, 'small.pars');
const large_ = peaks(largeStore, 'large-rss.pars');
const rssSmall = Math.max(small_.export, small_.import);
const rssLarge = Math.max(large_.export, large_.import);
rmSync(dir, { recursive: true, force: true });

const importPerSec = vertices.length / importSeconds;
console.log(
  JSON.stringify({
    bench: 'bundle',
    provider: provider.name,
    vertices: vertices.length,
    bytes,
    export_s: Number(exported.seconds.toFixed(3)),
    import_s: Number(importSeconds.toFixed(3)),
    import_per_s: Math.round(importPerSec),
    ingest_limit_per_s: Math.round(ingestLimit),
    ratio: Number((importPerSec / ingestLimit).toFixed(3)),
    target_ratio: 0.8,
    small_vertices: small,
    peak_rss_mb_small: Number(rssSmall.toFixed(1)),
    peak_rss_mb_large: Number(rssLarge.toFixed(1)),
    rss_ratio: Number((rssLarge / rssSmall).toFixed(3)),
    rss_mb_export_small_large: [Number(small_.export.toFixed(1)), Number(large_.export.toFixed(1))],
    rss_mb_import_small_large: [Number(small_.import.toFixed(1)), Number(large_.import.toFixed(1))],
    target_rss_ratio: 1.5,
  }),
);
