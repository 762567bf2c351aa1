import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDir } from '../support/tmp.ts';
import { crashLoop, envInt } from './harness.ts';

// SIGKILL at random moments of a child ingesting through the real Ingester and SQLite store; after
// every kill the store must hold everything the child acknowledged and be internally consistent.
// PARS_CRASH_KILLS sets the number of kills (default 20), PARS_CRASH_SEED the seed; the soak
// (npm run soak) runs the same loop with 500 kills.

const kills = envInt('PARS_CRASH_KILLS', 20);
const seed = envInt('PARS_CRASH_SEED', 0x5eed);

test(`nothing acknowledged is lost across ${kills} SIGKILLs, and the store stays consistent`, { timeout: 600_000 }, async (t) => {
  const summary = await crashLoop({ kills, seed, dir: tempDir('pars-crash-'), log: (line) => t.diagnostic(line) });
  t.diagnostic(`summary: ${JSON.stringify(summary)}`);
  // The check must have teeth: enough kills have to interrupt a child that had acknowledged part
  // of the stream (kills only during start-up or after the end would prove nothing).
  const wanted = Math.min(5, Math.ceil(kills / 4));
  assert.ok(summary.phases['mid-ingest'] >= wanted, `only ${summary.phases['mid-ingest']} of ${kills} kills interrupted an ingest mid-way (want >= ${wanted})`);
  assert.ok(summary.killedWithBatchInFlight >= wanted, `only ${summary.killedWithBatchInFlight} kills hit a batch in flight`);
  // The stream exercised the paths it is meant to: duplicates, quarantine, rejection of tampering.
  assert.ok(summary.duplicates > 0, 'no duplicates were offered');
  assert.ok(summary.quarantined > 0, 'nothing waited in the quarantine');
  assert.ok(summary.rejected >= summary.stream.tampered, 'tampered records were not all rejected');
});
