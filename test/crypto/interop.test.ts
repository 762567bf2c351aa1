import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { AES_256_GCM, ML_DSA_65, ML_KEM_768, toHex, type CryptoProvider } from '../../src/crypto/index.ts';
import { assertBytesEqual, flipBit, providerPair } from './helpers.ts';

// The two providers are interchangeable: same keys from the same seed, and whatever one produces
// the other accepts (and both reject the same tampering). Properties run with fixed seeds so a
// failure reproduces; fast-check prints the counterexample and its seed.

const RUNS = 50;
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed: 0x5a17, endOnFailure: true });

const dsaSeed = fc.uint8Array({ minLength: ML_DSA_65.seed, maxLength: ML_DSA_65.seed });
const kemSeed = fc.uint8Array({ minLength: ML_KEM_768.seed, maxLength: ML_KEM_768.seed });
const message = fc.uint8Array({ minLength: 0, maxLength: 300 });
const context = fc.uint8Array({ minLength: 1, maxLength: ML_DSA_65.maxContext });
const maybeContext = fc.option(context, { nil: undefined });
const aesKey = fc.uint8Array({ minLength: AES_256_GCM.key, maxLength: AES_256_GCM.key });
const nonce = fc.uint8Array({ minLength: AES_256_GCM.nonce, maxLength: AES_256_GCM.nonce });
const direction = fc.boolean(); // true: native -> noble, false: noble -> native

function ordered(pair: readonly [CryptoProvider, CryptoProvider], nativeFirst: boolean): [CryptoProvider, CryptoProvider] {
  return nativeFirst ? [pair[0], pair[1]] : [pair[1], pair[0]];
}

test('same 32-byte seed -> same ML-DSA-65 public key on both providers', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  fc.assert(
    fc.property(dsaSeed, (seed) => {
      assertBytesEqual(native.mlDsa65.keyPair(seed).publicKey, noble.mlDsa65.keyPair(seed).publicKey, 'public key');
    }),
    params(RUNS),
  );
});

test('same 64-byte seed -> same ML-KEM-768 public key on both providers', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  fc.assert(
    fc.property(kemSeed, (seed) => {
      assertBytesEqual(native.mlKem768.keyPair(seed).publicKey, noble.mlKem768.keyPair(seed).publicKey, 'public key');
    }),
    params(RUNS),
  );
});

test('ML-DSA-65: a signature from either provider verifies on both, with and without context', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  fc.assert(
    fc.property(dsaSeed, message, maybeContext, direction, (seed, msg, ctx, nativeFirst) => {
      const [signer, other] = ordered(pair, nativeFirst);
      const keys = signer.mlDsa65.keyPair(seed);
      const signature = keys.sign(msg, ctx);
      assert.equal(signature.length, ML_DSA_65.signature);
      assert.equal(other.mlDsa65.verify(keys.publicKey, msg, signature, ctx), true, 'other provider');
      assert.equal(signer.mlDsa65.verify(keys.publicKey, msg, signature, ctx), true, 'signing provider');
      assert.equal(other.mlDsa65.verifier(keys.publicKey).verify(msg, signature, ctx), true, 'other verifier');
      if (ctx === undefined) {
        // An absent context is the empty context (FIPS 204), on both sides.
        assert.equal(other.mlDsa65.verify(keys.publicKey, msg, signature, new Uint8Array(0)), true, 'empty context');
      }
    }),
    params(RUNS),
  );
});

test('ML-DSA-65: tampered message, signature, context or key fails on both providers', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  fc.assert(
    fc.property(
      dsaSeed,
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      context,
      direction,
      fc.nat(),
      fc.nat({ max: 7 }),
      (seed, msg, ctx, nativeFirst, position, bit) => {
        const [signer] = ordered(pair, nativeFirst);
        const keys = signer.mlDsa65.keyPair(seed);
        const signature = keys.sign(msg, ctx);
        const tampered: readonly [string, Uint8Array, Uint8Array, Uint8Array | undefined, Uint8Array][] = [
          ['message', flipBit(msg, position % msg.length, bit), signature, ctx, keys.publicKey],
          ['signature', msg, flipBit(signature, position % signature.length, bit), ctx, keys.publicKey],
          ['context', msg, signature, flipBit(ctx, position % ctx.length, bit), keys.publicKey],
          ['context dropped', msg, signature, undefined, keys.publicKey],
          ['public key', msg, signature, ctx, flipBit(keys.publicKey, position % keys.publicKey.length, bit)],
        ];
        for (const [what, m, s, c, pk] of tampered) {
          assert.equal(native.mlDsa65.verify(pk, m, s, c), false, `native accepted tampered ${what}`);
          assert.equal(noble.mlDsa65.verify(pk, m, s, c), false, `noble accepted tampered ${what}`);
        }
      },
    ),
    params(RUNS),
  );
});

test('ML-KEM-768: shared secrets agree across providers in both directions', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  fc.assert(
    fc.property(kemSeed, direction, (seed, nativeFirst) => {
      const [encapsulator, decapsulator] = ordered(pair, nativeFirst);
      const receiver = decapsulator.mlKem768.keyPair(seed);
      const { cipherText, sharedSecret } = encapsulator.mlKem768.encapsulate(receiver.publicKey);
      assert.equal(cipherText.length, ML_KEM_768.cipherText);
      assert.equal(sharedSecret.length, ML_KEM_768.sharedSecret);
      assertBytesEqual(receiver.decapsulate(cipherText), sharedSecret, 'decapsulated secret');
      // The encapsulator's own key pair from the same seed decapsulates identically.
      assertBytesEqual(encapsulator.mlKem768.keyPair(seed).decapsulate(cipherText), sharedSecret, 'same-provider secret');
    }),
    params(RUNS),
  );
});

test('ML-KEM-768: a modified ciphertext gives the same implicit-rejection secret on both providers', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  fc.assert(
    fc.property(kemSeed, fc.nat(), fc.nat({ max: 7 }), (seed, position, bit) => {
      const { cipherText, sharedSecret } = noble.mlKem768.encapsulate(noble.mlKem768.keyPair(seed).publicKey);
      const bad = flipBit(cipherText, position % cipherText.length, bit);
      const fromNative = native.mlKem768.keyPair(seed).decapsulate(bad);
      const fromNoble = noble.mlKem768.keyPair(seed).decapsulate(bad);
      assertBytesEqual(fromNative, fromNoble, 'rejection secret');
      assert.notEqual(toHex(fromNoble), toHex(sharedSecret), 'rejection secret differs from the real one');
    }),
    params(RUNS),
  );
});

test('AES-256-GCM: sealed by one provider, opened by the other, byte-identical seals', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  fc.assert(
    fc.property(aesKey, nonce, fc.uint8Array({ maxLength: 600 }), fc.option(fc.uint8Array({ maxLength: 80 }), { nil: undefined }), direction,
      (key, iv, plaintext, aad, nativeFirst) => {
        const [sealer, opener] = ordered(pair, nativeFirst);
        const sealed = sealer.aes256Gcm.seal(key, iv, plaintext, aad);
        assert.equal(sealed.length, plaintext.length + AES_256_GCM.tag);
        assertBytesEqual(opener.aes256Gcm.seal(key, iv, plaintext, aad), sealed, 'deterministic seal');
        const opened = opener.aes256Gcm.open(key, iv, sealed, aad);
        assert.ok(opened !== undefined, 'open');
        assertBytesEqual(opened, plaintext, 'plaintext');
      }),
    params(RUNS),
  );
});

test('AES-256-GCM: tampered ciphertext, tag, aad, nonce or key opens to undefined on both providers', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  fc.assert(
    fc.property(aesKey, nonce, fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.nat(), fc.nat({ max: 7 }),
      (key, iv, plaintext, aad, position, bit) => {
        const sealed = noble.aes256Gcm.seal(key, iv, plaintext, aad);
        const bodyLength = sealed.length - AES_256_GCM.tag;
        const cases: readonly [string, Uint8Array, Uint8Array, Uint8Array, Uint8Array | undefined][] = [
          ['ciphertext', key, iv, flipBit(sealed, position % bodyLength, bit), aad],
          ['tag', key, iv, flipBit(sealed, bodyLength + (position % AES_256_GCM.tag), bit), aad],
          ['aad', key, iv, sealed, flipBit(aad, position % aad.length, bit)],
          ['aad dropped', key, iv, sealed, undefined],
          ['nonce', key, flipBit(iv, position % iv.length, bit), sealed, aad],
          ['key', flipBit(key, position % key.length, bit), iv, sealed, aad],
          ['truncated', key, iv, sealed.subarray(0, sealed.length - 1), aad],
        ];
        for (const [what, k, n, s, a] of cases) {
          assert.equal(native.aes256Gcm.open(k, n, s, a), undefined, `native opened tampered ${what}`);
          assert.equal(noble.aes256Gcm.open(k, n, s, a), undefined, `noble opened tampered ${what}`);
        }
      }),
    params(RUNS),
  );
});

test('SHA3-256 and HKDF-SHA3-256 agree across providers', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 500 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 100 }),
      fc.integer({ min: 1, max: 2000 }),
      (ikm, salt, info, length) => {
        assertBytesEqual(native.sha3_256(ikm), noble.sha3_256(ikm), 'sha3-256');
        assertBytesEqual(native.hkdfSha3_256(ikm, salt, info, length), noble.hkdfSha3_256(ikm, salt, info, length), 'hkdf');
      },
    ),
    params(RUNS),
  );
});

test('incremental SHA-256 equals node:crypto\'s one-shot hash on both providers, in any split; a second digest throws', (t: TestContext) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 6 }), (data, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
      const expected = createHash('sha256').update(data).digest('hex');
      for (const p of pair) {
        const h = p.sha256Stream();
        let from = 0;
        for (const at of [...points, data.length]) {
          h.update(data.subarray(from, at));
          from = at;
        }
        assert.equal(toHex(h.digest()), expected);
        assert.throws(() => h.digest(), { code: 'ERR_CRYPTO_INPUT' });
        assert.throws(() => h.update(data), { code: 'ERR_CRYPTO_INPUT' });
      }
    }),
    params(RUNS),
  );
});
