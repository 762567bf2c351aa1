/**
 * The child of test/bundle/crash.test.ts: exports or imports one bundle and reports on stdout,
 * one line each, so the parent can kill it with SIGKILL at a chosen moment and judge what it left:
 *
 *   ready <vertices in the store>      store open (and, for export, the DAG about to load)
 *   progress <done> <total>            export: `done` vertices written to the temporary file
 *   verify                             import: the verifying pass has begun
 *   import <done> <total>              import: `done` vertices through ingest, their commit returned
 *   done <marker>                      the export or import returned
 *
 * Usage: node test/bundle/crash-child.ts export|import <store.sqlite> <bundle path> <device n>
 */
import { importBundle } from '../../src/bundle/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { identityOf, provider } from '../support/fixtures.ts';
import { exportStore, groupKey, NOW } from './bundle-support.ts';
import { out } from '../support/child-output.ts';

/** Vertices per progress line of an export (an export of 3,000 vertices prints 60). */
const EXPORT_STEP = 50;
/** Vertices per ingest call of an import: many commits, so kills land between and during them. */
const IMPORT_BATCH = 100;

async function main(): Promise<void> {
  const [mode, storePath, bundlePath, deviceText] = process.argv.slice(2);
  if ((mode !== 'export' && mode !== 'import') || storePath === undefined || bundlePath === undefined || deviceText === undefined) {
    throw new Error('usage: crash-child.ts export|import <store.sqlite> <bundle path> <device n>');
  }
  const store = SqliteStore.open(storePath);
  out(`ready ${store.vertexCount}\n`);
  if (mode === 'export') {
    const report = await exportStore(store, bundlePath, identityOf(Number(deviceText)), 1, (done, total) => {
      if (done % EXPORT_STEP === 0 || done === total) out(`progress ${done} ${total}\n`);
    });
    store.close();
    out(`done ${report.marker}\n`);
    return;
  }
  const ingester = new Ingester({ provider, store, workers: 1 });
  let verifying = false;
  const report = await importBundle({
    provider,
    path: bundlePath,
    sink: ingester,
    groups: [groupKey(1)],
    batch: IMPORT_BATCH,
    now: () => NOW,
    onProgress: (phase, done, total) => {
      if (phase === 'verify' && !verifying) {
        verifying = true;
        out('verify\n');
      } else if (phase === 'import') {
        out(`import ${done} ${total}\n`);
      }
    },
  });
  await ingester.close();
  store.close();
  out(`done ${report.marker}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-child: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
