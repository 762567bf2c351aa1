/*
 * Child process of the crash test: opens the store, ingests the pre-generated stream through the
 * real `Ingester` (2 verify workers, durable commits) and reports on stdout, one line each:
 *
 *   ready <vertices already stored>         store open, DAG loaded, keys added
 *   batch <n> <size>                        about to hand batch n to `ingest`
 *   ack <id hex>                            in report.stored of a resolved `ingest`: durable
 *   report <n> stored=.. duplicates=.. quarantined=.. rejected=..
 *   done stored=<count>                     the stream is through and the store is complete
 *
 * `ack` lines are written only after the `ingest` promise resolved, i.e. after the commit returned.
 * The parent kills this process with SIGKILL at a random moment and then checks that everything
 * acknowledged survived. On restart it resumes: vertices already stored are not offered again,
 * except ~1% of them (so the duplicate path after a restart is exercised too).
 *
 * Usage: node test/crash/ingest-child.ts <manifest.json> <store.sqlite> <run seed>
 */
import { defaultProvider } from '../../src/crypto/index.ts';
import { Ingester, type IngestReport } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { prng } from '../support/fixtures.ts';
import { manifestKeys, readStream } from './stream.ts';
import { out } from '../support/child-output.ts';

/** Largest batch handed to one `ingest` call (sizes vary 1..MAX_BATCH). */
const MAX_BATCH = 48;
/** `ingest` calls in flight at once: verification of the next batch overlaps the commit of this one. */
const PIPELINE = 2;

async function main(): Promise<void> {
  const [manifestPath, storePath, seedText] = process.argv.slice(2);
  if (manifestPath === undefined || storePath === undefined || seedText === undefined) {
    throw new Error('usage: ingest-child.ts <manifest.json> <store.sqlite> <run seed>');
  }
  const { manifest, items } = readStream(manifestPath);
  const provider = defaultProvider();
  const store = SqliteStore.open(storePath);
  const ingester = new Ingester({ provider, store, workers: 2 });
  for (const publicKey of manifestKeys(manifest)) ingester.addKey({ algorithm: 'ml-dsa-65', publicKey });
  out(`ready ${ingester.dag.size}\n`);

  const rand = prng(Number(seedText));
  const pending = items.filter((it) => !ingester.dag.has(it.key) || rand() < 0.01);
  const inFlight: Promise<void>[] = [];
  let batchNo = 0;
  for (let i = 0; i < pending.length; ) {
    const size = 1 + Math.floor(rand() * MAX_BATCH);
    const batch = pending.slice(i, i + size);
    i += size;
    const n = batchNo++;
    out(`batch ${n} ${batch.length}\n`);
    const done = ingester.ingest(batch.map((it) => it.bytes)).then((report: IngestReport) => {
      // The promise has resolved: these vertices are committed and may be acknowledged.
      let text = '';
      for (const v of report.stored) text += `ack ${v.key}\n`;
      text += `report ${n} stored=${report.stored.length} duplicates=${report.duplicates} quarantined=${report.quarantined} rejected=${report.rejected.length}\n`;
      out(text);
    });
    inFlight.push(done);
    if (inFlight.length >= PIPELINE) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await ingester.close();

  const missing = items.filter((it) => it.kind === 0 && !store.hasVertex(it.id)).length;
  const leaked = items.filter((it) => it.kind === 1 && store.hasVertex(it.id)).length;
  const count = store.vertexCount;
  store.close();
  if (missing > 0 || leaked > 0 || count !== manifest.good) {
    throw new Error(`stream done but the store is wrong: ${missing} valid vertices missing, ${leaked} tampered stored, ${count} rows (expected ${manifest.good})`);
  }
  out(`done stored=${count}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest-child: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
