import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { BundleError, importBundle, type BundleGroupKey, type ImportOptions, type ImportReport } from '../../src/bundle/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { provider } from '../support/fixtures.ts';
import { groupKey, NOW, stateOf, type StoreState } from './bundle-support.ts';

/** A node's ingest path over its own store: what a bundle is imported into. */
export interface Receiver {
  readonly ingester: Ingester;
  readonly store: SqliteStore;
  state(): StoreState;
  /** Imports the bundle at `path` with the given group keys (default: group 1's). */
  import(path: string, extra?: Partial<ImportOptions>, groups?: readonly BundleGroupKey[]): Promise<ImportReport>;
}

/**
 * Receivers with stores under `dir`; every one is closed when the test file ends (a live verify
 * worker would keep the process running). Call at the top level of a test file.
 */
export function receivers(dir: string): (name: string) => Receiver {
  const open: Receiver[] = [];
  after(async () => {
    for (const r of open) {
      await r.ingester.close();
      r.store.close();
    }
  });
  return (name) => {
    const store = SqliteStore.open(join(dir, `${name}.sqlite`));
    const ingester = new Ingester({ provider, store, workers: 1 });
    const receiver: Receiver = {
      ingester,
      store,
      state: () => stateOf(store),
      import: async (path, extra = {}, groups = [groupKey(1)]) => await importBundle({ provider, path, sink: ingester, groups, now: () => NOW, ...extra }),
    };
    open.push(receiver);
    return receiver;
  };
}

let caseNo = 0;
/** Writes `bytes` to a new file under `dir` and returns its path. */
export function writeCase(dir: string, bytes: Uint8Array): string {
  const path = join(dir, `case-${caseNo++}.pars`);
  writeFileSync(path, bytes);
  return path;
}

/**
 * Imports the file at `path` into `b`, which must refuse it with a BundleError (returned for
 * further checks), leave its store unchanged and record no exchange with `exporter` (a node id).
 */
export async function importRefused(b: Receiver, path: string, exporter: Uint8Array, what = path): Promise<BundleError> {
  const before = b.state();
  let caught: unknown;
  try {
    await b.import(path);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof BundleError, `${what}: expected a BundleError, got ${String(caught)}`);
  assert.deepEqual(b.state(), before, `${what}: the store changed`);
  assert.equal(b.store.bundles.withPeer(exporter).length, 0, `${what}: an exchange was recorded`);
  return caught;
}
