import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeAvailable, nobleProvider, providerByName, toHex, utf8, type CryptoProvider } from '../../src/crypto/index.ts';
import { deriveSubSeeds, Identity, IDENTITY_SALT } from '../../src/identity/index.ts';

// Regression vector: master seed = 32 zero bytes. The sub-seeds were also checked against an
// independent HKDF-SHA3-256 (Python hmac + hashlib.sha3_256).
const ZERO_SEED = new Uint8Array(32);
const GOLDEN = {
  signingSeed: '34a51d9abc4f3c9cca7e39c8f6ac8df4dad3e6faa148573168f71ec5d9126593',
  kemSeed:
    'c29a60793b93cb069c3a0783e5650c5bf93c1d10870b4ad4e2f2e2fa93f7ab21' +
    '7b156500b4b754b20be5665aac7a4ac09c0dd56a99973d04b8714aafcd294266',
  nodeId: '6b315d5c20e9ebaf0ae33d87f0a81ca04f5c87124fa69961c4186ab5f40c0bf2',
};

const providers: CryptoProvider[] = nativeAvailable() ? [providerByName('native'), nobleProvider] : [nobleProvider];

for (const provider of providers) {
  test(`golden vector: zero seed → pinned sub-seeds and node id (${provider.name})`, () => {
    const { signingSeed, kemSeed } = deriveSubSeeds(ZERO_SEED, provider);
    assert.equal(toHex(signingSeed), GOLDEN.signingSeed);
    assert.equal(toHex(kemSeed), GOLDEN.kemSeed);
    assert.equal(Identity.fromSeed(ZERO_SEED, provider).nodeIdHex, GOLDEN.nodeId);
  });
}

test('native and noble derive the same identity from the same seed', { skip: !nativeAvailable() && 'native ML-DSA unavailable' }, () => {
  const native = providerByName('native');
  for (let i = 0; i < 4; i++) {
    const seed = nobleProvider.randomBytes(32);
    const a = Identity.fromSeed(seed, native);
    const b = Identity.fromSeed(seed, nobleProvider);
    assert.equal(a.nodeIdHex, b.nodeIdHex);
    assert.deepEqual(a.signingPublicKey, b.signingPublicKey);
    assert.deepEqual(a.kemPublicKey, b.kemPublicKey);
  }
});

test('sub-seeds are domain-separated from each other, from the master, and from other salts', () => {
  const master = nobleProvider.randomBytes(32);
  const { signingSeed, kemSeed } = deriveSubSeeds(master, nobleProvider);
  assert.equal(signingSeed.length, 32);
  assert.equal(kemSeed.length, 64);
  assert.notDeepEqual(signingSeed, kemSeed.subarray(0, 32), 'ML-DSA seed is not a prefix of the ML-KEM seed');
  assert.notDeepEqual(signingSeed, master);
  assert.notDeepEqual(kemSeed.subarray(0, 32), master);
  // The salt matters: the same info under another salt gives unrelated bytes.
  const otherSalt = nobleProvider.hkdfSha3_256(master, utf8('pars-mesh/identity/v2'), utf8('ml-dsa-65'), 32);
  assert.notDeepEqual(otherSalt, signingSeed);
  assert.deepEqual(nobleProvider.hkdfSha3_256(master, utf8(IDENTITY_SALT), utf8('ml-dsa-65'), 32), signingSeed);
  // Different masters, different sub-seeds.
  const other = deriveSubSeeds(nobleProvider.randomBytes(32), nobleProvider);
  assert.notDeepEqual(other.signingSeed, signingSeed);
  assert.notDeepEqual(other.kemSeed, kemSeed);
});

test('derivation rejects a master seed of the wrong size', () => {
  assert.throws(() => deriveSubSeeds(new Uint8Array(31), nobleProvider), { code: 'ERR_CRYPTO_INPUT' });
  assert.throws(() => deriveSubSeeds(new Uint8Array(64), nobleProvider), { code: 'ERR_CRYPTO_INPUT' });
});
