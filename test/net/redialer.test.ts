import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redialer, type RedialConfig } from '../../src/net/redialer.ts';

const QUICK: Partial<RedialConfig> = { initialDelayMs: 1, factor: 1, maxDelayMs: 1, maxAttempts: 3 };

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('redialer: after its quick attempts a peer is still tried, every slowDelayMs, and no longer counts as reconnecting', async () => {
  let attempts = 0;
  const redialer = new Redialer({ config: { ...QUICK, slowDelayMs: 30 }, dial: async () => (attempts++, false) });
  try {
    redialer.schedule('p', true);
    assert.equal(redialer.pending, 1);
    await until(() => attempts >= 3 && redialer.waiting === 1, 5_000, 'the quick attempts');
    assert.equal(redialer.pending, 0, 'past its quick attempts the peer leaves the reconnecting count');
    await until(() => attempts >= 6, 5_000, 'slow attempts after the quick ones');
    redialer.cancel('p');
    assert.equal(redialer.waiting, 0);
    const at = attempts;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(attempts, at, 'a cancelled peer is not dialled again');
  } finally {
    redialer.stop();
  }
});

test('redialer: retrySlow tries the slow peers soon; one that answers is done, one that does not goes back to slow attempts', async () => {
  let attempts = 0;
  const reachable = new Set<string>();
  const tried: string[] = [];
  const redialer = new Redialer({ config: { ...QUICK, slowDelayMs: 3_600_000 }, dial: async (peer) => (attempts++, tried.push(peer), reachable.has(peer)) });
  try {
    redialer.schedule('up', true);
    redialer.schedule('down', true);
    await until(() => redialer.waiting === 2, 5_000, 'the quick attempts');
    assert.equal(attempts, 6);
    reachable.add('up');
    redialer.retrySlow();
    // The next slow attempts are an hour away: only retrySlow can bring these.
    await until(() => attempts === 8, 5_000, 'the retried dials');
    await until(() => redialer.waiting === 1, 5_000, 'the peer that answered to leave');
    assert.deepEqual(tried.slice(6).sort(), ['down', 'up']);
    assert.equal(redialer.pending, 0, 'the one that did not answer is slow again, not reconnecting');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(attempts, 8, 'and waits its slow delay again');
  } finally {
    redialer.stop();
  }
});

test('redialer: stop ends slow redials too; slowDelayMs must be positive', async () => {
  let attempts = 0;
  const redialer = new Redialer({ config: { ...QUICK, slowDelayMs: 20 }, dial: async () => (attempts++, false) });
  redialer.schedule('p', true);
  await until(() => redialer.waiting === 1, 5_000, 'the quick attempts');
  redialer.stop();
  const at = attempts;
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(attempts, at);
  assert.throws(() => new Redialer({ config: { slowDelayMs: 0 }, dial: async () => false }), /slowDelayMs must be positive/);
});
