import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { defaultProvider, nativeAvailable, nobleProvider, providerByName } from '../../src/crypto/index.ts';

test('PARS_CRYPTO selects the provider, auto prefers native', () => {
  const forced = process.env['PARS_CRYPTO'];
  const expected = forced === 'noble' ? 'noble' : nativeAvailable() ? 'native' : 'noble';
  assert.equal(defaultProvider().name, expected);
});

test('under Node the noble provider takes only ML-DSA and ML-KEM from noble, the rest from node:crypto', () => {
  const noble = providerByName('noble');
  assert.equal(noble.name, 'noble');
  assert.equal(noble.mlDsa65, nobleProvider.mlDsa65);
  assert.equal(noble.mlKem768, nobleProvider.mlKem768);
  // The same functions the native provider has, not noble's pure TypeScript ones.
  for (const part of ['sha3_256', 'sha256Stream', 'aes256Gcm', 'x25519', 'hkdfSha3_256', 'randomBytes'] as const) {
    assert.notEqual(noble[part], nobleProvider[part], part);
    if (nativeAvailable()) assert.equal(noble[part], providerByName('native')[part], part);
  }
  // And they give the same bytes.
  const data = new Uint8Array(5000).map((_, i) => i * 7);
  assert.deepEqual(noble.sha3_256(data), nobleProvider.sha3_256(data));
  const key = new Uint8Array(32).fill(3);
  const nonce = new Uint8Array(12).fill(4);
  assert.deepEqual(noble.aes256Gcm.seal(key, nonce, data), nobleProvider.aes256Gcm.seal(key, nonce, data));
  assert.deepEqual(noble.hkdfSha3_256(data, key, nonce, 64), nobleProvider.hkdfSha3_256(data, key, nonce, 64));
});

test('an unknown PARS_CRYPTO value is a clear error', () => {
  const script = "import('./src/crypto/index.ts').then(m => { try { m.defaultProvider(); } catch (e) { console.log(e.code); } })";
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, PARS_CRYPTO: 'quantum-magic' },
    encoding: 'utf8',
  });
  assert.equal(out.stdout.trim(), 'ERR_CRYPTO_PROVIDER_UNAVAILABLE');
});
