/*
 * Sync soak: the randomized convergence run of test/sim/convergence.test.ts over many seeds.
 *
 *   npm run soak
 *   PARS_SYNC_SEEDS=200 PARS_SYNC_FIRST_SEED=1000 node test/soak/sync-soak.ts
 *
 * Seeds cycle through 5 to 8 replicas; above 5, the replicas form a random graph of degree 3 (so
 * vertices cross several hops) instead of all being linked.
 *
 * Prints one line per seed and a final JSON summary line; exits non-zero if any seed fails to
 * converge (the failing seeds are listed, and each reruns alone with PARS_SYNC_FIRST_SEED=<seed>
 * PARS_SYNC_SEEDS=1).
 */
import { randomRun } from '../sim/random-run.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

const seeds = envInt('PARS_SYNC_SEEDS', 200);
const first = envInt('PARS_SYNC_FIRST_SEED', 1_000);
const started = performance.now();
const failed: number[] = [];
let vertices = 0;
let toggles = 0;
console.log(`sync soak: ${seeds} seeds from ${first}, 5 to 8 replicas, 10,000 steps each`);
for (let seed = first; seed < first + seeds; seed++) {
  const t0 = performance.now();
  let ok = false;
  let detail: string;
  try {
    const replicas = 5 + (seed % 4);
    const r = randomRun({ seed, replicas, ...(replicas > 5 ? { degree: 3 } : {}) });
    ok = r.converged && new Set(r.frontiers).size === 1 && new Set(r.documents).size === 1 && r.sim.nodes.every((n) => n.dag.size === r.vertices);
    vertices += r.vertices;
    toggles += r.toggles;
    detail = `${replicas} replicas, ${r.vertices} vertices, ${r.toggles} toggles, ${r.counters.messagesLost} lost, converged at ${(r.virtualMs / 1000).toFixed(1)} s virtual; ${r.sample}`;
  } catch (error) {
    detail = `threw: ${(error as Error).stack ?? String(error)}`;
  }
  if (!ok) failed.push(seed);
  console.log(`seed ${seed}: ${ok ? 'ok' : 'FAILED'} (${detail}; ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const ok = failed.length === 0;
console.log(JSON.stringify({ soak: 'sync', ok, seeds, first, failed, vertices, toggles, wall_s: +((performance.now() - started) / 1000).toFixed(1) }));
if (!ok) process.exitCode = 1;
