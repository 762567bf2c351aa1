import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { defaultProvider, ML_DSA_65, ML_KEM_768, utf8 } from '../../src/crypto/index.ts';
import { decodeTaggedKey, encodeTaggedKey, keyId } from '../../src/group/tagged-key.ts';

const P = defaultProvider();
const dsaKey = P.mlDsa65.keyPair(new Uint8Array(32).fill(1)).publicKey;
const kemKey = P.mlKem768.keyPair(new Uint8Array(64).fill(2)).publicKey;

function rejected(r: ReturnType<typeof decodeTaggedKey>, reason: string): void {
  assert.equal(r.ok, false, 'expected a rejection');
  if (!r.ok) assert.equal(r.reason, reason, r.detail);
}

test('tagged keys round-trip with their one-byte tag', () => {
  const dsa = encodeTaggedKey('ml-dsa-65', dsaKey);
  const kem = encodeTaggedKey('ml-kem-768', kemKey);
  assert.equal(dsa.length, 1 + ML_DSA_65.publicKey);
  assert.equal(kem.length, 1 + ML_KEM_768.publicKey);
  assert.equal(dsa[0], 0x01);
  assert.equal(kem[0], 0x02);
  const d = decodeTaggedKey(dsa, 'ml-dsa-65');
  const k = decodeTaggedKey(kem, 'ml-kem-768');
  assert.ok(d.ok && k.ok);
  assert.deepEqual(d.value, dsaKey);
  assert.deepEqual(k.value, kemKey);
  // The decoded key is a copy: changing the encoding later does not change it.
  dsa[1] = (dsa[1] as number) ^ 0xff;
  assert.deepEqual(d.value, dsaKey);
});

test('a key of the other algorithm is refused by its type', () => {
  rejected(decodeTaggedKey(encodeTaggedKey('ml-kem-768', kemKey), 'ml-dsa-65'), 'wrong-key-type');
  rejected(decodeTaggedKey(encodeTaggedKey('ml-dsa-65', dsaKey), 'ml-kem-768'), 'wrong-key-type');
  // Even when the length would match the expected algorithm, the tag decides.
  rejected(decodeTaggedKey(new Uint8Array([0x02, ...dsaKey]), 'ml-dsa-65'), 'wrong-key-type');
});

test('unknown tags and wrong lengths are bad-key', () => {
  for (const tag of [0x00, 0x03, 0x7f, 0xff]) rejected(decodeTaggedKey(new Uint8Array([tag, ...dsaKey]), 'ml-dsa-65'), 'bad-key');
  rejected(decodeTaggedKey(new Uint8Array(0), 'ml-dsa-65'), 'bad-key');
  rejected(decodeTaggedKey(Uint8Array.of(0x01), 'ml-dsa-65'), 'bad-key');
  rejected(decodeTaggedKey(new Uint8Array([0x01, ...dsaKey, 0]), 'ml-dsa-65'), 'bad-key');
  rejected(decodeTaggedKey(new Uint8Array([0x01, ...dsaKey.subarray(1)]), 'ml-dsa-65'), 'bad-key');
  rejected(decodeTaggedKey(new Uint8Array([0x02, ...kemKey, 0]), 'ml-kem-768'), 'bad-key');
  assert.throws(() => encodeTaggedKey('ml-dsa-65', kemKey), { name: 'GroupError', code: 'ERR_GROUP_ARGUMENT' });
  assert.throws(() => encodeTaggedKey('ml-kem-768', dsaKey), { name: 'GroupError', code: 'ERR_GROUP_ARGUMENT' });
  assert.throws(() => encodeTaggedKey('rsa' as 'ml-dsa-65', dsaKey), { name: 'GroupError', code: 'ERR_GROUP_ARGUMENT' });
});

test('key id is the first 16 bytes of a domain-separated SHA3-256', () => {
  const expected = createHash('sha3-256').update(Buffer.concat([utf8('pars-mesh/group/key-id/v1'), kemKey])).digest().subarray(0, 16);
  const id = keyId(P, kemKey);
  assert.equal(id.length, 16);
  assert.deepEqual(Buffer.from(id), expected);
  assert.notDeepEqual(keyId(P, dsaKey), id);
});
