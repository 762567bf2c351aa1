import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { CryptoInputError, fromHex, toHex, X25519_SIZES } from '../../src/crypto/index.ts';
import { availableProviders, providerPair } from './helpers.ts';

// X25519 is the classical half of the hybrid connection handshake. Both providers are checked
// against RFC 7748 §6.1 and against each other, and refuse the same bad keys.

const ALICE_SECRET = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const ALICE_PUBLIC = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const BOB_SECRET = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
const BOB_PUBLIC = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

for (const provider of availableProviders()) {
  test(`${provider.name}: RFC 7748 §6.1 key pairs and shared secret`, () => {
    const alice = provider.x25519.keyPair(fromHex(ALICE_SECRET));
    const bob = provider.x25519.keyPair(fromHex(BOB_SECRET));
    assert.equal(toHex(alice.publicKey), ALICE_PUBLIC);
    assert.equal(toHex(bob.publicKey), BOB_PUBLIC);
    assert.equal(toHex(alice.agree(bob.publicKey)), SHARED);
    assert.equal(toHex(bob.agree(alice.publicKey)), SHARED);
  });

  test(`${provider.name}: low-order and wrong-size keys are refused`, () => {
    const pair = provider.x25519.keyPair(fromHex(ALICE_SECRET));
    // The identity point (0) and the point of order 2 (1) give an all-zero shared secret.
    const zero = new Uint8Array(X25519_SIZES.publicKey);
    const one = new Uint8Array(X25519_SIZES.publicKey);
    one[0] = 1;
    assert.throws(() => pair.agree(zero), CryptoInputError);
    assert.throws(() => pair.agree(one), CryptoInputError);
    assert.throws(() => pair.agree(new Uint8Array(31)), CryptoInputError);
    assert.throws(() => provider.x25519.keyPair(new Uint8Array(33)), CryptoInputError);
  });

  test(`${provider.name}: the key pair keeps its own copy of the secret`, () => {
    const secret = fromHex(BOB_SECRET);
    const pair = provider.x25519.keyPair(secret);
    secret.fill(7);
    assert.equal(toHex(pair.agree(fromHex(ALICE_PUBLIC))), SHARED);
  });
}

test('both providers derive the same X25519 keys and secrets', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  const secret = fc.uint8Array({ minLength: 32, maxLength: 32 });
  fc.assert(
    fc.property(secret, secret, (a, b) => {
      const na = native.x25519.keyPair(a);
      const nb = noble.x25519.keyPair(b);
      assert.equal(toHex(na.publicKey), toHex(noble.x25519.keyPair(a).publicKey));
      assert.equal(toHex(na.agree(nb.publicKey)), toHex(nb.agree(na.publicKey)));
    }),
    { numRuns: 50, seed: 0x2551, endOnFailure: true },
  );
});
