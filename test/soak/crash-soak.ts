/*
 * Crash soak: the SIGKILL loop of test/crash/sigkill.test.ts with many more kills (default 500).
 *
 *   npm run soak
 *   PARS_CRASH_KILLS=2000 PARS_CRASH_SEED=7 PARS_CRYPTO=noble node test/soak/crash-soak.ts
 *
 * Prints one line per kill and a final JSON summary line; exits non-zero on the first failed
 * check (the work directory is then kept for inspection).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider } from '../../src/crypto/index.ts';
import { crashLoop, envInt } from '../crash/harness.ts';

const kills = envInt('PARS_CRASH_KILLS', 500);
const seed = envInt('PARS_CRASH_SEED', 0x5eed);
const dir = mkdtempSync(join(tmpdir(), 'pars-crash-soak-'));
const provider = defaultProvider().name;
console.log(`crash soak: ${kills} kills, seed ${seed}, provider ${provider}, work dir ${dir}`);

try {
  const summary = await crashLoop({ kills, seed, dir, log: (line) => console.log(line) });
  const minimum = Math.ceil(kills / 4);
  const ok = summary.phases['mid-ingest'] >= minimum;
  console.log(JSON.stringify({ soak: 'crash', ok, provider, ...summary }));
  if (!ok) {
    console.error(`only ${summary.phases['mid-ingest']} of ${kills} kills interrupted an ingest mid-way (want >= ${minimum})`);
    process.exitCode = 1;
  }
  rmSync(dir, { recursive: true, force: true });
} catch (error) {
  console.error(`crash soak FAILED (work dir kept: ${dir}):`);
  console.error(error);
  process.exitCode = 1;
}
