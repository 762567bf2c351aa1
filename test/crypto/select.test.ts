import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { defaultProvider, nativeAvailable, nobleProvider, providerByName } from '../../src/crypto/index.ts';

test('PARS_CRYPTO selects the provider, auto prefers native', () => {
  const forced = process.env['PARS_CRYPTO'];
  const expected = forced === 'noble' ? 'noble' : nativeAvailable() ? 'native' : 'noble';
  assert.equal(defaultProvider().name, expected);
  assert.equal(providerByName('noble'), nobleProvider);
});

test('an unknown PARS_CRYPTO value is a clear error', () => {
  const script = "import('./src/crypto/index.ts').then(m => { try { m.defaultProvider(); } catch (e) { console.log(e.code); } })";
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, PARS_CRYPTO: 'quantum-magic' },
    encoding: 'utf8',
  });
  assert.equal(out.stdout.trim(), 'ERR_CRYPTO_PROVIDER_UNAVAILABLE');
});
