import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '../../src/crypto/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { fastProvider, prng } from '../support/fixtures.ts';
import { runKillable } from './killable-child.ts';
import { writeStream, type StreamFixture } from './stream.ts';

/*
 * The SIGKILL crash loop shared by test/crash/sigkill.test.ts (20 kills) and
 * test/soak/crash-soak.ts (500 kills).
 *
 * Each run spawns test/crash/ingest-child.ts on the same store, waits a seeded random delay
 * (counted from the spawn or from a line the child printed; see `killPlan`), kills it with
 * SIGKILL and then opens the store itself to check that
 *   - every vertex any child acknowledged (across all runs on this store) is stored,
 *   - `checkIntegrity` is ok (SQLite integrity and foreign keys, stored frontiers equal a rebuild,
 *     every vertex hashes to its id),
 *   - the DAG reloaded from disk has the same frontiers as the frontiers table,
 *   - only vertices of the stream are stored, and none of its tampered records.
 * A run whose child got through the whole stream before the kill also checks the store is
 * complete and its frontiers equal those of the reference DAG; the next run starts a fresh store
 * (a new "round"), so long soaks keep killing mid-ingest rather than idling on a full store.
 * After the last kill one uninterrupted run completes the current store, checked the same way.
 */

const CHILD = fileURLToPath(new URL('./ingest-child.ts', import.meta.url));

export interface CrashOptions {
  /** Number of SIGKILLs. */
  readonly kills: number;
  /** Seeds the stream, the kill delays and the children's batch sizes. */
  readonly seed: number;
  /** Working directory (stream files and stores); the caller removes it. */
  readonly dir: string;
  /** Vertices in the stream from `randomDag` (plus 8 large-payload vertices); default 3000. */
  readonly vertices?: number;
  /** Range of kill delays in ms; default 20..600 (see `killPlan`). */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** Where in its life a killed child was, judged from what it printed. */
export type KillPhase =
  /** Before `ready`: loading modules, opening the store (WAL recovery), loading the DAG. */
  | 'startup'
  /** After `ready` (verify workers still loading, first batches in flight), nothing acknowledged yet in this run. */
  | 'before-first-ack'
  /** Some vertices acknowledged in this run and the stream not through: interrupted mid-ingest. */
  | 'mid-ingest'
  /** The child had finished the stream before the signal arrived. */
  | 'finished';

export interface RunResult {
  readonly phase: KillPhase;
  readonly acks: string[];
  readonly batchesStarted: number;
  readonly batchesReported: number;
  readonly storedAtStart: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly rejected: number;
  readonly done: boolean;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
  /** When the parent saw `ready` and the first `ack`, in ms after spawn. */
  readonly readyMs: number | undefined;
  readonly firstAckMs: number | undefined;
}

export interface CrashSummary {
  readonly kills: number;
  readonly seed: number;
  readonly phases: Record<KillPhase, number>;
  /** Runs killed with at least one batch handed to `ingest` whose report had not come back. */
  readonly killedWithBatchInFlight: number;
  readonly rounds: number;
  readonly acknowledged: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly rejected: number;
  readonly generateMs: number;
  readonly totalMs: number;
  readonly finalRunMs: number;
  readonly stream: { readonly good: number; readonly items: number; readonly tampered: number };
}

export class CrashCheckError extends Error {
  readonly problems: string[];
  constructor(message: string, problems: string[]) {
    super(`${message}:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
    this.name = 'CrashCheckError';
    this.problems = problems;
  }
}

/** When to send SIGKILL: `ms` after the spawn, after the child's `ready` line, or after its first `ack`. */
export interface KillPlan {
  readonly anchor: 'spawn' | 'ready' | 'first-ack';
  readonly ms: number;
}

/** A child that prints nothing for this long is stuck: it is killed and the run fails. */
const STUCK_MS = 120_000;

/**
 * Runs the child once; kills it with SIGKILL as `kill` says (never, when undefined) and resolves
 * when it has exited and its output is read.
 */
export async function runChild(manifestPath: string, storePath: string, runSeed: number, kill: KillPlan | undefined): Promise<RunResult> {
  const started = performance.now();
  let readyMs: number | undefined;
  let firstAckMs: number | undefined;
  const { lines, code, signal, stderr } = await runKillable(CHILD, [manifestPath, storePath, String(runSeed)], STUCK_MS, (stdout, killIn) => {
    if (stdout === '') {
      if (kill?.anchor === 'spawn') killIn(kill.ms);
      return;
    }
    if (readyMs === undefined && stdout.includes('ready ')) {
      readyMs = performance.now() - started;
      if (kill?.anchor === 'ready') killIn(kill.ms);
    }
    if (firstAckMs === undefined && stdout.includes('ack ')) {
      firstAckMs = performance.now() - started;
      if (kill?.anchor === 'first-ack') killIn(kill.ms);
    }
  });
  const acks: string[] = [];
  let ready = false;
  let done = false;
  let storedAtStart = 0;
  let batchesStarted = 0;
  let batchesReported = 0;
  let duplicates = 0;
  let quarantined = 0;
  let rejected = 0;
  for (const line of lines) {
    const [word, a] = line.split(' ');
    if (word === 'ack' && a !== undefined) acks.push(a);
    else if (word === 'ready') {
      ready = true;
      storedAtStart = Number(a);
    } else if (word === 'batch') batchesStarted++;
    else if (word === 'report') {
      batchesReported++;
      duplicates += Number(/duplicates=(\d+)/.exec(line)?.[1] ?? 0);
      quarantined += Number(/quarantined=(\d+)/.exec(line)?.[1] ?? 0);
      rejected += Number(/rejected=(\d+)/.exec(line)?.[1] ?? 0);
    } else if (word === 'done') done = true;
  }
  const phase: KillPhase = done ? 'finished' : !ready ? 'startup' : acks.length === 0 ? 'before-first-ack' : 'mid-ingest';
  return {
    phase,
    acks,
    batchesStarted,
    batchesReported,
    storedAtStart,
    duplicates,
    quarantined,
    rejected,
    done,
    signal,
    code,
    stderr,
    ms: performance.now() - started,
    readyMs,
    firstAckMs,
  };
}

/** Frontiers of a loaded DAG in the shape of `SqliteStore.frontiers()`. */
function frontiersOf(dag: ReturnType<SqliteStore['loadDag']>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of dag.topics()) out.set(t, dag.frontier(t).map(toHex));
  return out;
}

function sameFrontiers(a: ReadonlyMap<string, readonly string[]>, b: ReadonlyMap<string, readonly string[]>): string[] {
  const problems: string[] = [];
  for (const t of new Set([...a.keys(), ...b.keys()])) {
    const x = (a.get(t) ?? []).join(',');
    const y = (b.get(t) ?? []).join(',');
    if (x !== y) problems.push(`topic ${t}: [${x.slice(0, 80)}…] vs [${y.slice(0, 80)}…]`);
  }
  return problems;
}

/**
 * Opens the store as a restarting node would (read-write, so SQLite recovers the WAL) and checks
 * it; throws CrashCheckError listing every problem. Returns the number of stored vertices.
 */
export function checkStore(storePath: string, acknowledged: ReadonlySet<string>, fixture: StreamFixture, complete: boolean): number {
  const store = SqliteStore.open(storePath);
  try {
    const problems: string[] = [];
    for (const key of acknowledged) if (!store.hasVertex(fromHex(key))) problems.push(`acknowledged vertex ${key} is not stored`);
    const integrity = store.checkIntegrity((data) => fastProvider.sha3_256(data));
    problems.push(...integrity.problems.map((p) => `checkIntegrity: ${p}`));
    const dag = store.loadDag();
    const stored = store.frontiers();
    problems.push(...sameFrontiers(frontiersOf(dag), stored).map((p) => `loadDag frontier differs from store.frontiers(): ${p}`));
    for (const meta of dag.topologicalOrder()) if (!fixture.goodKeys.has(meta.key)) problems.push(`stored vertex ${meta.key} is not in the stream`);
    for (const key of fixture.tamperedKeys) if (store.hasVertex(fromHex(key))) problems.push(`tampered record ${key} was stored`);
    if (dag.size !== store.vertexCount) problems.push(`loadDag holds ${dag.size} vertices, the table ${store.vertexCount}`);
    if (complete) {
      if (store.vertexCount !== fixture.manifest.good) problems.push(`complete store holds ${store.vertexCount} vertices, expected ${fixture.manifest.good}`);
      problems.push(...sameFrontiers(stored, fixture.referenceFrontiers).map((p) => `frontier differs from the reference DAG: ${p}`));
    }
    if (problems.length > 0) throw new CrashCheckError(`store ${storePath} failed its check`, problems);
    return store.vertexCount;
  } finally {
    store.close();
  }
}

/**
 * When to kill a run, spread over the child's life (`min`..`max` ms after the anchor):
 *   20% count from the spawn, up to 2/3 of `max`: module loading, store open and WAL recovery,
 *       DAG load, key import; the later ones reach into the ingest;
 *   30% count from the `ready` line: verify-worker start-up and the first batches;
 *   50% count from the first `ack`: in the middle of the ingest, between batches, during
 *       verification and during commits.
 * Counting from what the child printed keeps this spread on a slow or busy machine, where start-up
 * alone can outlast a delay counted from the spawn.
 */
export function killPlan(rand: () => number, min = 20, max = 600): KillPlan {
  const r = rand();
  const span = (upper: number): number => Math.round(min + rand() * (upper - min));
  if (r < 0.2) return { anchor: 'spawn', ms: span(max * (2 / 3)) };
  if (r < 0.5) return { anchor: 'ready', ms: span(max) };
  return { anchor: 'first-ack', ms: span(max * (2 / 3)) };
}

const ms = (t: number | undefined): string => (t === undefined ? '-' : `${Math.round(t)} ms`);

function describeFailure(what: string, run: RunResult): string {
  return `${what} (exit code ${String(run.code)}, signal ${String(run.signal)}):\n${run.stderr.slice(-4000)}`;
}

/** The whole crash loop; throws on the first failed check. */
export async function crashLoop(options: CrashOptions): Promise<CrashSummary> {
  const log = options.log ?? (() => undefined);
  const began = performance.now();
  const streamDir = join(options.dir, 'stream');
  mkdirSync(streamDir, { recursive: true });
  const fixture = writeStream(streamDir, { seed: options.seed, ...(options.vertices === undefined ? {} : { vertices: options.vertices }) });
  const generateMs = performance.now() - began;
  log(`stream: ${fixture.manifest.good} vertices (${fixture.largePayloads.length} with large payloads), ${fixture.manifest.items} records, ${fixture.manifest.tampered} tampered; generated in ${Math.round(generateMs)} ms`);

  const rand = prng(options.seed ^ 0x51c0ffee);
  const phases: Record<KillPhase, number> = { startup: 0, 'before-first-ack': 0, 'mid-ingest': 0, finished: 0 };
  let round = 0;
  let storePath = '';
  let acknowledged = new Set<string>();
  const newRound = (): void => {
    if (storePath !== '') rmSync(join(storePath, '..'), { recursive: true, force: true });
    round++;
    const roundDir = join(options.dir, `round-${round}`);
    mkdirSync(roundDir, { recursive: true });
    storePath = join(roundDir, 'store.sqlite');
    acknowledged = new Set();
  };
  newRound();
  let totalAcks = 0;
  let duplicates = 0;
  let quarantined = 0;
  let rejected = 0;
  let killedWithBatchInFlight = 0;

  const absorb = (run: RunResult): void => {
    for (const key of run.acks) acknowledged.add(key);
    totalAcks += run.acks.length;
    duplicates += run.duplicates;
    quarantined += run.quarantined;
    rejected += run.rejected;
  };

  for (let i = 0; i < options.kills; i++) {
    const plan = killPlan(rand, options.minDelayMs, options.maxDelayMs);
    const runSeed = Math.floor(rand() * 2 ** 31);
    const run = await runChild(fixture.manifestPath, storePath, runSeed, plan);
    if (!run.done && run.signal !== 'SIGKILL') throw new Error(describeFailure(`child of run ${i} failed on its own`, run));
    if (run.done && run.code !== 0 && run.signal !== 'SIGKILL') throw new Error(describeFailure(`child of run ${i} finished but failed`, run));
    absorb(run);
    phases[run.phase]++;
    if (run.phase !== 'finished' && run.batchesStarted > run.batchesReported) killedWithBatchInFlight++;
    const count = checkStore(storePath, acknowledged, fixture, run.done);
    log(
      `kill ${i + 1}/${options.kills} round ${round}, ${plan.ms} ms after ${plan.anchor} (ready at ${ms(run.readyMs)}, first ack at ${ms(run.firstAckMs)}, ` +
        `killed at ${ms(run.ms)}): ${run.phase}, +${run.acks.length} acks, ${run.batchesReported}/${run.batchesStarted} batches reported; ` +
        `store ${run.readyMs === undefined ? '?' : run.storedAtStart} → ${count}/${fixture.manifest.good}: ok`,
    );
    if (run.done && i + 1 < options.kills) newRound();
  }

  // One last uninterrupted run completes the current store.
  const final = await runChild(fixture.manifestPath, storePath, Math.floor(rand() * 2 ** 31), undefined);
  if (!final.done || final.code !== 0) throw new Error(describeFailure('the final uninterrupted run did not finish', final));
  absorb(final);
  const count = checkStore(storePath, acknowledged, fixture, true);
  log(`final run: +${final.acks.length} acks in ${Math.round(final.ms)} ms, store ${final.storedAtStart} → ${count}/${fixture.manifest.good}, frontiers equal the reference: ok`);

  return {
    kills: options.kills,
    seed: options.seed,
    phases,
    killedWithBatchInFlight,
    rounds: round,
    acknowledged: totalAcks,
    duplicates,
    quarantined,
    rejected,
    generateMs,
    totalMs: performance.now() - began,
    finalRunMs: final.ms,
    stream: { good: fixture.manifest.good, items: fixture.manifest.items, tampered: fixture.manifest.tampered },
  };
}

/** Reads a positive integer from the environment. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}
