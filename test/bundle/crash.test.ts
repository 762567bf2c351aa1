import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toHex } from '../../src/crypto/index.ts';
import { FRAME, groupWrapKey, openBundleFile, verifyBundle } from '../../src/bundle/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { identityOf, prng, provider } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { runKillable, type KillableExit } from '../crash/killable-child.ts';
import { exportStore, groupKey, sourceStore, sourceVertices, stateOf } from './bundle-support.ts';
import { receivers } from './receiver-support.ts';

// SIGKILL during a bundle export leaves no file under the final name (a hidden .partial at most);
// SIGKILL during an import leaves a consistent store, and a re-import completes it.

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const KILLS = 12;
const DEVICE = 61;
/** A child that prints nothing for this long is stuck: it is killed and the test fails. */
const STUCK_MS = 60_000;

const dir = tempDir('pars-bundle-crash-');
const receiver = receivers(dir);
const vertices = sourceVertices({ vertices: 3000, seed: 0xc2a5 });
const sourcePath = join(dir, 'source.sqlite');
const source = sourceStore(sourcePath, vertices);
const sourceKeys = new Set(vertices.map((v) => v.key));

/** Kill `ms` after the spawn, or after the first line the child prints that `line` accepts. */
interface KillPlan {
  readonly line?: (text: string) => boolean;
  readonly ms: number;
  readonly what: string;
}

function runChild(args: readonly string[], kill: KillPlan | undefined): Promise<KillableExit> {
  let armed = false;
  return runKillable(CHILD, args, STUCK_MS, (stdout, killIn) => {
    if (kill === undefined || armed) return;
    if (kill.line === undefined || stdout.split('\n').slice(0, -1).some(kill.line)) {
      armed = true;
      killIn(kill.ms);
    }
  });
}

/** The run either finished cleanly or was killed by us; anything else is a failure of its own. */
function assertKilledOrDone(run: KillableExit, what: string): boolean {
  const done = run.lines.some((l) => l.startsWith('done '));
  if (run.signal === 'SIGKILL') return done;
  assert.ok(done && run.code === 0, `${what}: the child failed on its own (code ${run.code}):\n${run.stderr.slice(-4000)}`);
  return true;
}

/** The largest `n` of lines `word n …`, or 0. */
function lastCount(run: KillableExit, word: string): number {
  let n = 0;
  for (const l of run.lines) if (l.startsWith(`${word} `)) n = Math.max(n, Number(l.split(' ')[1]));
  return n;
}

/**
 * Accepts the first `import n` line past what the store held at `ready`: batches before it were
 * duplicates of an earlier run, so a kill counted from here lands among commits of new vertices.
 */
function afterNewCommit(): (line: string) => boolean {
  let held: number | undefined;
  return (line) => {
    const [word, n] = line.split(' ');
    if (word === 'ready') held = Number(n);
    return word === 'import' && held !== undefined && Number(n) > held;
  };
}

const uniform = (rand: () => number, min: number, max: number): number => Math.round(min + rand() * (max - min));

test(`SIGKILL during export, ${KILLS} times: never a file under the final name unless it is whole`, { timeout: 300_000 }, async (t) => {
  const exportDir = join(dir, 'exports');
  mkdirSync(exportDir);
  const rand = prng(0xe4a0);
  let midWrite = 0;
  let completedBeforeKill = 0;
  for (let i = 0; i < KILLS; i++) {
    const name = `out-${i}.pars`;
    const path = join(exportDir, name);
    // A few kills in start-up; the rest after the child reported k × 50 vertices written (k ≤ 50 of 60).
    const k = 1 + Math.floor(rand() * 50);
    const plan: KillPlan =
      i % 5 === 0
        ? { ms: uniform(rand, 20, 500), what: 'after spawn' }
        : { line: (l) => l.startsWith(`progress ${k * 50} `), ms: uniform(rand, 0, 8), what: `after ${k * 50} vertices` };
    const run = await runChild(['export', sourcePath, path, String(DEVICE)], plan);
    const finished = assertKilledOrDone(run, `export ${i}`);
    const written = lastCount(run, 'progress');
    const partials = readdirSync(exportDir).filter((f) => f.startsWith(`.${name}.`) && f.endsWith('.partial'));
    for (const f of readdirSync(exportDir)) assert.ok(f === name || f.startsWith(`.${name}.`) || f.startsWith('out-'), `stray file ${f}`);
    if (existsSync(path)) {
      // Only a child past the rename may leave the final name, and then the bundle is whole.
      assert.equal(written, vertices.length, `export ${i}: a file under the final name after only ${written} vertices`);
      const opened = await openBundleFile(provider, path, [async (p) => [groupWrapKey(provider, groupKey(1).bundleKey, p.salt)]]);
      const verified = await verifyBundle(provider, opened);
      assert.equal(verified.frameCounts.get(FRAME.vertex), vertices.length);
      completedBeforeKill++;
      rmSync(path);
    } else {
      assert.equal(finished, false, `export ${i} reported done but left no file`);
      if (written > 0 && partials.length > 0) midWrite++;
    }
    t.diagnostic(`export kill ${i + 1}/${KILLS} ${plan.what} + ${plan.ms} ms: ${written}/${vertices.length} written, ${existsSync(path) ? 'whole file' : `${partials.length} partial`}: ok`);
    for (const f of partials) rmSync(join(exportDir, f));
  }
  t.diagnostic(`${midWrite} kills mid-write, ${completedBeforeKill} after the rename`);
  // Teeth: most kills must have interrupted a half-written bundle.
  assert.ok(midWrite >= KILLS / 2, `only ${midWrite} of ${KILLS} kills interrupted the export mid-write`);

  // A run that completes leaves a file that imports whole, and no temporary file.
  const path = join(exportDir, 'complete.pars');
  const run = await runChild(['export', sourcePath, path, String(DEVICE)], undefined);
  assert.ok(assertKilledOrDone(run, 'the uninterrupted export'));
  assert.deepEqual(
    readdirSync(exportDir).filter((f) => f.endsWith('.partial')),
    [],
  );
  const b = receiver('export-check');
  const report = await b.import(path);
  assert.equal(report.device, identityOf(DEVICE).nodeIdHex);
  assert.equal(report.stored, vertices.length);
  assert.deepEqual(b.state(), stateOf(source));
});

test(`SIGKILL during import, ${KILLS} times: the store stays consistent and a re-import completes it`, { timeout: 300_000 }, async (t) => {
  const bundlePath = join(dir, 'to-import.pars');
  await exportStore(source, bundlePath, identityOf(DEVICE));
  const rand = prng(0x1a9c);
  let round = 0;
  const storeName = (): string => `import-round-${round}`;
  let midImport = 0;
  let previous = 0;
  for (let i = 0; i < KILLS; i++) {
    const storePath = join(dir, `${storeName()}.sqlite`);
    const r = rand();
    const plan: KillPlan =
      r < 0.15
        ? { ms: uniform(rand, 20, 600), what: 'after spawn' }
        : r < 0.3
          ? { line: (l) => l === 'verify', ms: uniform(rand, 0, 150), what: 'after the verifying pass began' }
          : { line: afterNewCommit(), ms: uniform(rand, 0, 300), what: 'after the first commit of new vertices' };
    const run = await runChild(['import', storePath, bundlePath, String(DEVICE)], plan);
    const finished = assertKilledOrDone(run, `import ${i}`);
    const committed = lastCount(run, 'import');

    // Reopen as a restarting node would, and check the store.
    const store = SqliteStore.open(storePath);
    let count: number;
    try {
      const integrity = store.checkIntegrity((data) => provider.sha3_256(data));
      assert.deepEqual(integrity.problems, [], `import ${i}: checkIntegrity`);
      const dag = store.loadDag();
      const loaded = new Map(dag.topics().map((topic) => [topic, dag.frontier(topic).map(toHex)]));
      assert.deepEqual(loaded, store.frontiers(), `import ${i}: the DAG loaded from disk has other frontiers than the table`);
      assert.deepEqual(store.frontiers(), store.rebuildFrontiers(), `import ${i}: frontiers differ from a rebuild`);
      for (const meta of dag.topologicalOrder()) assert.ok(sourceKeys.has(meta.key), `import ${i}: stored ${meta.key} is not the exporter's`);
      count = store.vertexCount;
      // Every batch the child saw committed is on disk (the bundle is in causal order: nothing waits).
      assert.ok(count >= committed && count >= previous, `import ${i}: ${count} stored, but ${committed} were committed (${previous} before)`);
      // The exchange is recorded only after the whole bundle is in (a kill may land just after it).
      const recorded = store.bundles.withPeer(identityOf(DEVICE).nodeId).length > 0;
      if (finished) assert.ok(recorded, `import ${i}: finished without recording the exchange`);
      if (recorded) assert.equal(count, vertices.length, `import ${i}: exchange recorded with ${count} vertices stored`);
      if (finished) assert.deepEqual(stateOf(store), stateOf(source));
      if (!finished && count > previous) midImport++;
    } finally {
      store.close();
    }
    t.diagnostic(`import kill ${i + 1}/${KILLS} round ${round} ${plan.what} + ${plan.ms} ms: ${committed} committed in this run, store ${previous} → ${count}/${vertices.length}: ok`);
    previous = count;
    if (finished && i + 1 < KILLS) {
      round++;
      previous = 0;
    }
  }
  t.diagnostic(`${midImport} kills mid-import, ${round + 1} rounds`);
  // Teeth: enough kills must have cut an import that had stored part of the bundle.
  assert.ok(midImport >= KILLS / 3, `only ${midImport} of ${KILLS} kills interrupted an import that had stored new vertices`);

  // The parent re-imports into the last store: it completes and ends equal to the exporter's.
  const b = receiver(storeName());
  const before = b.state().count;
  const report = await b.import(bundlePath);
  assert.equal(report.stored + report.duplicates, vertices.length);
  assert.equal(report.stored, vertices.length - before);
  assert.equal(report.rejected + report.waiting, 0);
  assert.deepEqual(b.state(), stateOf(source));
  assert.deepEqual(b.store.checkIntegrity().problems, []);
});
