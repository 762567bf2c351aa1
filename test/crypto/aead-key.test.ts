import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AES_256_GCM, CryptoInputError } from '../../src/crypto/index.ts';
import { availableProviders } from './helpers.ts';

// A key set up once (`aes256Gcm.key`) is the same AES-256-GCM as the one-shot calls, on both
// providers: what one seals the other opens, and tampering is refused alike.

const key = Uint8Array.from({ length: AES_256_GCM.key }, (_, i) => i * 7);
const nonce = Uint8Array.from({ length: AES_256_GCM.nonce }, (_, i) => 200 - i);
const plaintext = new TextEncoder().encode('records of a connection, sealed under one key');
const aad = Uint8Array.of(1, 2, 3);

const providers = availableProviders();

for (const a of providers) {
  for (const b of providers) {
    test(`${a.name} bound key seals what ${b.name} opens, one-shot and bound`, () => {
      const sealed = a.aes256Gcm.key(key).seal(nonce, plaintext, aad);
      assert.deepEqual(sealed, b.aes256Gcm.seal(key, nonce, plaintext, aad));
      assert.deepEqual(b.aes256Gcm.key(key).open(nonce, sealed, aad), plaintext);
      const tampered = Uint8Array.from(sealed);
      tampered[3] = (tampered[3] as number) ^ 1;
      assert.equal(b.aes256Gcm.key(key).open(nonce, tampered, aad), undefined);
      assert.equal(b.aes256Gcm.key(key).open(nonce, sealed, Uint8Array.of(9)), undefined);
    });
  }
  test(`${a.name} bound key keeps its own copy and checks its inputs`, () => {
    const mine = Uint8Array.from(key);
    const bound = a.aes256Gcm.key(mine);
    mine.fill(0);
    assert.deepEqual(bound.open(nonce, a.aes256Gcm.seal(key, nonce, plaintext), undefined), plaintext);
    assert.throws(() => a.aes256Gcm.key(new Uint8Array(31)), CryptoInputError);
    assert.throws(() => bound.seal(new Uint8Array(11), plaintext), CryptoInputError);
    assert.equal(bound.open(nonce, new Uint8Array(15)), undefined);
  });
}

/** `bytes` cut at `cuts` (ascending offsets). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

for (const p of providers) {
  test(`${p.name}: sealParts and openParts are seal and open of the joined pieces, however they are cut`, () => {
    const bound = p.aes256Gcm.key(key);
    const long = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff);
    const sealed = p.aes256Gcm.seal(key, nonce, long);
    const cutsList = [[], [1], [17, 4000], [4999], [0, 0, 2500], [4990, 4995, 5000, 5010], [5015]];
    for (const cuts of cutsList) {
      const joined = Buffer.concat(bound.sealParts(nonce, split(long, cuts.filter((c) => c <= long.length))));
      assert.deepEqual(new Uint8Array(joined), sealed, `seal cut at ${cuts.join(',')}`);
      // The tag (last 16 bytes) split between pieces, or alone, or with the body.
      const opened = bound.openParts(nonce, split(sealed, cuts));
      assert.ok(opened !== undefined, `open cut at ${cuts.join(',')}`);
      assert.deepEqual(new Uint8Array(Buffer.concat(opened)), long);
      for (const at of [0, 2500, sealed.length - 10]) {
        const tampered = Uint8Array.from(sealed);
        tampered[at] = (tampered[at] as number) ^ 0x80;
        assert.equal(bound.openParts(nonce, split(tampered, cuts)), undefined, `tampered at ${at}, cut at ${cuts.join(',')}`);
      }
    }
    assert.equal(bound.openParts(nonce, [new Uint8Array(10), new Uint8Array(5)]), undefined, 'shorter than a tag');
    assert.throws(() => bound.sealParts(new Uint8Array(3), [long]), CryptoInputError);
  });
}
