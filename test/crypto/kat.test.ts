import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { concatBytes, fromHex, HKDF_MAX_LENGTH, nativeAvailable, providerByName, utf8 } from '../../src/crypto/index.ts';
import {
  asArray,
  asRecord,
  assertBytesEqual,
  assertInputError,
  booleanField,
  bytes,
  field,
  flipBit,
  forEachProvider,
  loadVectors,
  nativeExpected,
  numberField,
  optionalField,
  RUNTIME,
} from './helpers.ts';

// Known-answer tests: every vector file under test/vectors/crypto/ names its source. Each vector is
// checked against both providers through the provider API. A few checks can only reach the
// @noble library directly (expanded secret keys, deterministic encapsulation); their names say so.

function cases(file: string, key = 'cases'): readonly Record<string, unknown>[] {
  const root = asRecord(loadVectors(file), file);
  assert.equal(typeof root['source'], 'string', `${file} must say where its vectors come from`);
  return asArray(root[key], `${file} ${key}`).map((entry, i) => asRecord(entry, `${file} ${key}[${i}]`));
}

test('native provider is present wherever the runtime promises it', (t: TestContext) => {
  if (nativeAvailable()) {
    assert.equal(providerByName('native').name, 'native');
    return;
  }
  t.diagnostic(`native ML-DSA/ML-KEM unavailable on ${RUNTIME}: every native half below is skipped`);
  assert.equal(nativeExpected(), false, `${RUNTIME} must provide native ML-DSA-65/ML-KEM-768 (Node >= 24.7, OpenSSL >= 3.5)`);
});

test('ML-DSA-65 keyGen: ACVP seed -> public key (FIPS 204)', async (t: TestContext) => {
  const vectors = cases('ml-dsa-65-keygen.json');
  assert.ok(vectors.length >= 3);
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      const pair = provider.mlDsa65.keyPair(bytes(v, 'seed'));
      assertBytesEqual(pair.publicKey, bytes(v, 'pk'), `tcId ${numberField(v, 'tcId')} pk`);
    }
  });
});

test('ML-DSA-65 keyGen: ACVP seed -> secret key, @noble library only (native keeps sk inside OpenSSL)', () => {
  const withSk = cases('ml-dsa-65-keygen.json').filter((v) => optionalField(v, 'sk') !== undefined);
  assert.ok(withSk.length >= 1);
  for (const v of withSk) {
    assertBytesEqual(ml_dsa65.keygen(bytes(v, 'seed')).secretKey, bytes(v, 'sk'), `tcId ${numberField(v, 'tcId')} sk`);
  }
});

test('ML-DSA-65 sigVer: ACVP pure/external cases with context give the expected verdict', async (t: TestContext) => {
  const vectors = cases('ml-dsa-65-sigver.json');
  assert.ok(vectors.some((v) => booleanField(v, 'testPassed')), 'need passing cases');
  assert.ok(vectors.some((v) => !booleanField(v, 'testPassed')), 'need failing cases');
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      const [pk, message, signature, context] = [bytes(v, 'pk'), bytes(v, 'message'), bytes(v, 'signature'), bytes(v, 'context')];
      const expected = booleanField(v, 'testPassed');
      const label = `tcId ${numberField(v, 'tcId')}`;
      assert.equal(provider.mlDsa65.verify(pk, message, signature, context), expected, `${label} verify`);
      assert.equal(provider.mlDsa65.verifier(pk).verify(message, signature, context), expected, `${label} verifier`);
    }
  });
});

test('ML-DSA-65 sigVer: one-bit changes to the ACVP passing cases are rejected (derived negatives)', async (t: TestContext) => {
  const passing = cases('ml-dsa-65-sigver.json').filter((v) => booleanField(v, 'testPassed'));
  await forEachProvider(t, (provider) => {
    for (const v of passing) {
      const [pk, message, signature, context] = [bytes(v, 'pk'), bytes(v, 'message'), bytes(v, 'signature'), bytes(v, 'context')];
      const label = `tcId ${numberField(v, 'tcId')}`;
      assert.equal(provider.mlDsa65.verify(pk, flipBit(message, 0), signature, context), false, `${label} message`);
      assert.equal(provider.mlDsa65.verify(pk, message, flipBit(signature, 17, 3), context), false, `${label} signature`);
      assert.equal(provider.mlDsa65.verify(pk, message, signature, flipBit(context, context.length - 1)), false, `${label} context`);
      assert.equal(provider.mlDsa65.verify(pk, message, signature), false, `${label} context dropped`);
      assert.equal(provider.mlDsa65.verify(flipBit(pk, 40), message, signature, context), false, `${label} public key`);
    }
  });
});

test('ML-KEM-768 keyGen: ACVP d || z -> encapsulation key (FIPS 203)', async (t: TestContext) => {
  const vectors = cases('ml-kem-768-keygen.json');
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      const pair = provider.mlKem768.keyPair(concatBytes(bytes(v, 'd'), bytes(v, 'z')));
      assertBytesEqual(pair.publicKey, bytes(v, 'ek'), `tcId ${numberField(v, 'tcId')} ek`);
    }
  });
});

test('ML-KEM-768 keyGen: ACVP d || z -> decapsulation key, @noble library only', () => {
  const withDk = cases('ml-kem-768-keygen.json').filter((v) => optionalField(v, 'dk') !== undefined);
  assert.ok(withDk.length >= 1);
  for (const v of withDk) {
    const { secretKey } = ml_kem768.keygen(concatBytes(bytes(v, 'd'), bytes(v, 'z')));
    assertBytesEqual(secretKey, bytes(v, 'dk'), `tcId ${numberField(v, 'tcId')} dk`);
  }
});

test('ML-KEM-768 decapsulation from a seed: Wycheproof implicit rejection + pinned valid path', async (t: TestContext) => {
  const vectors = cases('ml-kem-768-decaps.json');
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      const name = field(v, 'name');
      const pair = provider.mlKem768.keyPair(bytes(v, 'seed'));
      assertBytesEqual(pair.publicKey, bytes(v, 'ek'), `${name} ek`);
      assertBytesEqual(pair.decapsulate(bytes(v, 'c')), bytes(v, 'K'), `${name} K`);
    }
  });
});

test('ML-KEM-768 pinned valid-path vector is reproducible from the standard encapsulation (@noble library)', () => {
  const derived = cases('ml-kem-768-decaps.json').filter((v) => optionalField(v, 'm') !== undefined);
  assert.equal(derived.length, 1);
  for (const v of derived) {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(bytes(v, 'ek'), bytes(v, 'm'));
    assertBytesEqual(cipherText, bytes(v, 'c'), 'c');
    assertBytesEqual(sharedSecret, bytes(v, 'K'), 'K');
  }
});

test('ML-KEM-768 encapsulation: ACVP (ek, m) -> (c, k), @noble library only (providers draw m at random)', () => {
  for (const v of cases('ml-kem-768-encaps.json', 'valid')) {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(bytes(v, 'ek'), bytes(v, 'm'));
    assertBytesEqual(cipherText, bytes(v, 'c'), `tcId ${numberField(v, 'tcId')} c`);
    assertBytesEqual(sharedSecret, bytes(v, 'k'), `tcId ${numberField(v, 'tcId')} k`);
  }
});

test('ML-KEM-768 encapsulation: Wycheproof modulus-overflow keys are refused with CryptoInputError', async (t: TestContext) => {
  const invalid = cases('ml-kem-768-encaps.json', 'invalidEncapsulationKeys');
  assert.ok(invalid.length >= 1);
  await forEachProvider(t, (provider) => {
    for (const v of invalid) {
      assertInputError(() => provider.mlKem768.encapsulate(bytes(v, 'ek')), `tcId ${numberField(v, 'tcId')}`);
    }
  });
});

function sha3Message(v: Record<string, unknown>): Uint8Array {
  const hex = optionalField(v, 'messageHex');
  const unit = hex === undefined ? utf8(field(v, 'messageUtf8')) : fromHex(hex);
  const repeat = numberField(v, 'repeat');
  const out = new Uint8Array(unit.length * repeat);
  for (let i = 0; i < repeat; i++) out.set(unit, i * unit.length);
  return out;
}

test('SHA3-256: NIST examples (empty, abc, 448/896-bit, 1600-bit, one million a)', async (t: TestContext) => {
  const vectors = cases('sha3-256.json');
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      assertBytesEqual(provider.sha3_256(sha3Message(v)), bytes(v, 'digest'), field(v, 'name'));
    }
  });
});

test('AES-256-GCM: GCM spec test cases 13-16 seal and open', async (t: TestContext) => {
  const vectors = cases('aes-256-gcm.json');
  assert.ok(vectors.some((v) => field(v, 'aad') !== ''), 'need a case with AAD');
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      const name = field(v, 'name');
      const [key, iv, aad, plaintext] = [bytes(v, 'key'), bytes(v, 'iv'), bytes(v, 'aad'), bytes(v, 'plaintext')];
      const sealed = concatBytes(bytes(v, 'ciphertext'), bytes(v, 'tag'));
      assertBytesEqual(provider.aes256Gcm.seal(key, iv, plaintext, aad), sealed, `${name} seal`);
      const opened = provider.aes256Gcm.open(key, iv, sealed, aad);
      assert.ok(opened !== undefined, `${name} open`);
      assertBytesEqual(opened, plaintext, `${name} plaintext`);
      assert.equal(provider.aes256Gcm.open(key, iv, flipBit(sealed, sealed.length - 1), aad), undefined, `${name} bad tag`);
    }
  });
});

/** Independent HKDF (RFC 5869 section 2.2/2.3) on node:crypto HMAC-SHA3-256, for cross-checking. */
function referenceHkdfSha3(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLength = 32;
  // Extract: an empty salt means HashLen zero bytes (RFC 5869 2.2); HMAC pads either to the block.
  const prk = createHmac('sha3-256', salt.length === 0 ? new Uint8Array(hashLength) : salt).update(ikm).digest();
  const okm = new Uint8Array(Math.ceil(length / hashLength) * hashLength);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1; (i - 1) * hashLength < length; i++) {
    previous = createHmac('sha3-256', prk).update(concatBytes(previous, info, Uint8Array.of(i))).digest();
    okm.set(previous, (i - 1) * hashLength);
  }
  return okm.slice(0, length);
}

function hkdfInput(v: Record<string, unknown>, name: string): Uint8Array {
  const hex = optionalField(v, `${name}Hex`);
  return hex === undefined ? utf8(field(v, `${name}Utf8`)) : fromHex(hex);
}

test('HKDF-SHA3-256: pinned vectors match both providers and the independent RFC 5869 reference', async (t: TestContext) => {
  const vectors = cases('hkdf-sha3-256.json');
  for (const v of vectors) {
    const okm = referenceHkdfSha3(hkdfInput(v, 'ikm'), hkdfInput(v, 'salt'), hkdfInput(v, 'info'), numberField(v, 'length'));
    assertBytesEqual(okm, bytes(v, 'okm'), `${field(v, 'name')} reference`);
  }
  await forEachProvider(t, (provider) => {
    for (const v of vectors) {
      const okm = provider.hkdfSha3_256(hkdfInput(v, 'ikm'), hkdfInput(v, 'salt'), hkdfInput(v, 'info'), numberField(v, 'length'));
      assertBytesEqual(okm, bytes(v, 'okm'), field(v, 'name'));
    }
  });
});

test('HKDF-SHA3-256: providers equal the independent reference across lengths and salt sizes', async (t: TestContext) => {
  const ikm = utf8('input keying material');
  const info = utf8('context info');
  const salts = [new Uint8Array(0), new Uint8Array(32).fill(7), new Uint8Array(200).fill(9)]; // 200 > SHA3-256 block (136)
  const lengths = [1, 31, 32, 33, 64, 255, 1000, HKDF_MAX_LENGTH];
  await forEachProvider(t, (provider) => {
    for (const salt of salts) {
      for (const length of lengths) {
        assertBytesEqual(
          provider.hkdfSha3_256(ikm, salt, info, length),
          referenceHkdfSha3(ikm, salt, info, length),
          `salt ${salt.length} bytes, L = ${length}`,
        );
      }
    }
  });
});
