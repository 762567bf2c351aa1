import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { AES_256_GCM, HKDF_MAX_LENGTH, ML_DSA_65, ML_KEM_768, type CryptoProvider } from '../../src/crypto/index.ts';
import { assertInputError, forEachProvider } from './helpers.ts';

// Bad arguments get CryptoInputError (code ERR_CRYPTO_INPUT) from both providers alike; a
// signature of the wrong length is an ordinary "does not verify" (false), never a throw.

const zeros = (length: number): Uint8Array => new Uint8Array(length);
/** A value of the wrong type, smuggled past the compiler the way untyped callers would. */
const notBytes = (value: unknown): Uint8Array => value as Uint8Array;

function dsaKeys(provider: CryptoProvider): { publicKey: Uint8Array; signature: Uint8Array } {
  const pair = provider.mlDsa65.keyPair(zeros(ML_DSA_65.seed));
  return { publicKey: pair.publicKey, signature: pair.sign(Uint8Array.of(1, 2, 3)) };
}

test('ML-DSA-65 seeds of the wrong size or type are refused', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    for (const size of [0, 1, 31, 33, 64]) {
      assertInputError(() => provider.mlDsa65.keyPair(zeros(size)), `seed of ${size} bytes`);
    }
    assertInputError(() => provider.mlDsa65.keyPair(notBytes(Array.from(zeros(32)))), 'seed as a plain array');
    assertInputError(() => provider.mlDsa65.keyPair(notBytes('0'.repeat(32))), 'seed as a string');
    assertInputError(() => provider.mlDsa65.keyPair(notBytes(undefined)), 'missing seed');
  });
});

test('ML-KEM-768 seeds of the wrong size or type are refused', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    for (const size of [0, 32, 63, 65, 96]) {
      assertInputError(() => provider.mlKem768.keyPair(zeros(size)), `seed of ${size} bytes`);
    }
    assertInputError(() => provider.mlKem768.keyPair(notBytes(Array.from(zeros(64)))), 'seed as a plain array');
  });
});

test('ML-DSA-65 public keys of the wrong size are refused by verify and verifier', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    const { publicKey, signature } = dsaKeys(provider);
    for (const size of [0, 32, ML_DSA_65.publicKey - 1, ML_DSA_65.publicKey + 1]) {
      const pk = publicKey.length > size ? publicKey.slice(0, size) : Uint8Array.from([...publicKey, 0]);
      assert.equal(pk.length, size);
      assertInputError(() => provider.mlDsa65.verifier(pk), `verifier, pk of ${size} bytes`);
      assertInputError(() => provider.mlDsa65.verify(pk, Uint8Array.of(1, 2, 3), signature), `verify, pk of ${size} bytes`);
    }
    assertInputError(() => provider.mlDsa65.verifier(notBytes(undefined)), 'missing public key');
  });
});

test('ML-KEM-768 public keys and ciphertexts of the wrong size are refused', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    for (const size of [0, ML_KEM_768.publicKey - 1, ML_KEM_768.publicKey + 1]) {
      assertInputError(() => provider.mlKem768.encapsulate(zeros(size)), `public key of ${size} bytes`);
    }
    const pair = provider.mlKem768.keyPair(zeros(ML_KEM_768.seed));
    for (const size of [0, ML_KEM_768.cipherText - 1, ML_KEM_768.cipherText + 1]) {
      assertInputError(() => pair.decapsulate(zeros(size)), `ciphertext of ${size} bytes`);
    }
  });
});

test('an ML-KEM-768 public key failing the FIPS 203 modulus check is refused', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    const publicKey = Uint8Array.from(provider.mlKem768.keyPair(zeros(ML_KEM_768.seed)).publicKey);
    publicKey[0] = 0xff; // first 12-bit coefficient becomes 0x?ff ...
    publicKey[1] = (publicKey[1] as number) | 0x0f; // ... = 0xfff >= q = 3329
    assertInputError(() => provider.mlKem768.encapsulate(publicKey), 'coefficient >= q');
  });
});

test('ML-DSA-65 contexts longer than 255 bytes are refused when signing and verifying', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    const pair = provider.mlDsa65.keyPair(zeros(ML_DSA_65.seed));
    const message = Uint8Array.of(1, 2, 3);
    const longest = zeros(ML_DSA_65.maxContext);
    const signature = pair.sign(message, longest);
    assert.equal(provider.mlDsa65.verify(pair.publicKey, message, signature, longest), true, '255 bytes is allowed');
    for (const size of [ML_DSA_65.maxContext + 1, 1000]) {
      assertInputError(() => pair.sign(message, zeros(size)), `sign, context of ${size} bytes`);
      assertInputError(() => provider.mlDsa65.verify(pair.publicKey, message, signature, zeros(size)), `verify, context of ${size} bytes`);
      assertInputError(() => provider.mlDsa65.verifier(pair.publicKey).verify(message, signature, zeros(size)), `verifier, context of ${size} bytes`);
    }
    assertInputError(() => pair.sign(message, notBytes('ctx')), 'context as a string');
    assertInputError(() => pair.sign(notBytes('message')), 'message as a string');
    assertInputError(() => provider.mlDsa65.verify(pair.publicKey, notBytes([1, 2, 3]), signature), 'verify, message as an array');
  });
});

test('ML-DSA-65 signatures of the wrong length verify as false, without throwing', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    const { publicKey, signature } = dsaKeys(provider);
    const message = Uint8Array.of(1, 2, 3);
    assert.equal(provider.mlDsa65.verify(publicKey, message, signature), true, 'the untouched signature verifies');
    const wrong = [
      zeros(0),
      signature.subarray(0, ML_DSA_65.signature - 1),
      Uint8Array.from([...signature, 0]),
      zeros(2 * ML_DSA_65.signature),
    ];
    for (const bad of wrong) {
      assert.equal(provider.mlDsa65.verify(publicKey, message, bad), false, `signature of ${bad.length} bytes`);
      assert.equal(provider.mlDsa65.verifier(publicKey).verify(message, bad), false, `verifier, signature of ${bad.length} bytes`);
    }
    assert.equal(provider.mlDsa65.verify(publicKey, message, notBytes('not a signature')), false, 'signature of the wrong type');
  });
});

test('AES-256-GCM keys and nonces of the wrong size are refused by seal and open', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    const key = zeros(AES_256_GCM.key);
    const nonce = zeros(AES_256_GCM.nonce);
    const sealed = provider.aes256Gcm.seal(key, nonce, Uint8Array.of(1));
    for (const size of [0, 16, 24, 31, 33, 64]) {
      assertInputError(() => provider.aes256Gcm.seal(zeros(size), nonce, Uint8Array.of(1)), `seal, key of ${size} bytes`);
      assertInputError(() => provider.aes256Gcm.open(zeros(size), nonce, sealed), `open, key of ${size} bytes`);
    }
    for (const size of [0, 8, 11, 13, 16]) {
      assertInputError(() => provider.aes256Gcm.seal(key, zeros(size), Uint8Array.of(1)), `seal, nonce of ${size} bytes`);
      assertInputError(() => provider.aes256Gcm.open(key, zeros(size), sealed), `open, nonce of ${size} bytes`);
    }
    assertInputError(() => provider.aes256Gcm.seal(key, nonce, notBytes('plaintext')), 'plaintext as a string');
    assertInputError(() => provider.aes256Gcm.seal(key, nonce, Uint8Array.of(1), notBytes('aad')), 'aad as a string');
    assert.equal(provider.aes256Gcm.open(key, nonce, zeros(AES_256_GCM.tag - 1)), undefined, 'shorter than a tag opens to undefined');
  });
});

test('HKDF output lengths outside 1..8160 are refused', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    const [ikm, salt, info] = [Uint8Array.of(1), zeros(0), zeros(0)];
    for (const length of [0, -1, HKDF_MAX_LENGTH + 1, 1e9, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assertInputError(() => provider.hkdfSha3_256(ikm, salt, info, length), `length ${length}`);
    }
    assert.equal(provider.hkdfSha3_256(ikm, salt, info, 1).length, 1);
    assert.equal(provider.hkdfSha3_256(ikm, salt, info, HKDF_MAX_LENGTH).length, HKDF_MAX_LENGTH);
    assertInputError(() => provider.hkdfSha3_256(notBytes('ikm'), salt, info, 32), 'ikm as a string');
    assertInputError(() => provider.hkdfSha3_256(ikm, notBytes(undefined), info, 32), 'missing salt');
  });
});

test('SHA3-256 and randomBytes refuse bad arguments', async (t: TestContext) => {
  await forEachProvider(t, (provider) => {
    assertInputError(() => provider.sha3_256(notBytes('abc')), 'sha3 of a string');
    for (const length of [-1, 1.5, 65537, Number.NaN]) {
      assertInputError(() => provider.randomBytes(length), `randomBytes(${length})`);
    }
    assert.equal(provider.randomBytes(0).length, 0);
    assert.equal(provider.randomBytes(65536).length, 65536);
  });
});

test('ML-DSA-65 signing and verifying leave Error.stackTraceLimit as they found it', async (t: TestContext) => {
  // The native provider turns stack capture off around node:crypto's calls (see native.ts).
  const before = Error.stackTraceLimit;
  try {
    await forEachProvider(t, (provider) => {
      Error.stackTraceLimit = 17;
      const pair = provider.mlDsa65.keyPair(zeros(ML_DSA_65.seed));
      const context = Uint8Array.of(9, 9);
      const signature = pair.sign(Uint8Array.of(1, 2, 3), context);
      assert.equal(Error.stackTraceLimit, 17, 'after sign');
      const verifier = provider.mlDsa65.verifier(pair.publicKey);
      assert.equal(verifier.verify(Uint8Array.of(1, 2, 3), signature, context), true);
      assert.equal(verifier.verify(Uint8Array.of(1, 2, 4), signature, context), false);
      assert.equal(provider.mlDsa65.verify(pair.publicKey, Uint8Array.of(1, 2, 3), signature, Uint8Array.of(9)), false);
      assert.equal(Error.stackTraceLimit, 17, 'after verify');
      // Errors raised by our own argument checks still carry their stack.
      const error = (() => {
        try {
          verifier.verify(notBytes('abc'), signature, context);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      assert.ok(error?.stack?.includes('inputs.test.ts'), 'argument errors keep their stack');
      assert.equal(Error.stackTraceLimit, 17, 'after a refused call');
    });
  } finally {
    Error.stackTraceLimit = before;
  }
});
