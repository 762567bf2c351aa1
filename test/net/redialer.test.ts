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

test('redialer: retrySlow gives the slow peers a quick round at once; success ends it', async () => {
  let attempts = 0;
  let reachable = false;
  let changes = 0;
  const redialer = new Redialer({ config: { ...QUICK, slowDelayMs: 3_600_000 }, dial: async () => (attempts++, reachable), onChange: () => void changes++ });
  try {
    redialer.schedule('p', true);
    await until(() => redialer.waiting === 1, 5_000, 'the quick attempts');
    assert.equal(attempts, 3);
    const before = changes;
    reachable = true;
    redialer.retrySlow();
    assert.equal(redialer.pending, 1, 'back in the reconnecting count');
    assert.ok(changes > before, 'the host is told, so its state follows');
    // The next slow attempt is an hour away: only retrySlow can bring this one.
    await until(() => redialer.pending === 0 && redialer.waiting === 0, 5_000, 'the retried dial');
    assert.equal(attempts, 4);
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
