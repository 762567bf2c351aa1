import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { defaultProvider, nativeAvailable, nobleProvider, providerByName, toHex, utf8 } from '../../src/crypto/index.ts';
import { Identity, nodeIdOf } from '../../src/identity/index.ts';

const provider = defaultProvider();

test('fromSeed is deterministic, generate is random', () => {
  const seed = provider.randomBytes(32);
  assert.equal(Identity.fromSeed(seed, provider).nodeIdHex, Identity.fromSeed(seed, provider).nodeIdHex);
  assert.notEqual(Identity.generate(provider).nodeIdHex, Identity.generate(provider).nodeIdHex);
});

test('node id is SHA3-256 of the ML-DSA public key, and nodeIdOf agrees', () => {
  const id = Identity.generate(provider);
  assert.equal(id.nodeId.length, 32);
  assert.equal(id.signingPublicKey.length, 1952);
  assert.equal(id.kemPublicKey.length, 1184);
  assert.deepEqual(id.nodeId, provider.sha3_256(id.signingPublicKey));
  assert.deepEqual(nodeIdOf(id.signingPublicKey, provider), id.nodeId);
  assert.deepEqual(nodeIdOf(id.signingPublicKey), id.nodeId);
  assert.equal(id.nodeIdHex, toHex(id.nodeId));
  assert.throws(() => nodeIdOf(new Uint8Array(32)), { code: 'ERR_CRYPTO_INPUT' });
});

test('signatures verify (with and without context), also across providers', () => {
  const seed = provider.randomBytes(32);
  const id = Identity.fromSeed(seed, provider);
  const msg = utf8('hello mesh');
  const ctx = utf8('pars/test');
  assert.ok(provider.mlDsa65.verify(id.signingPublicKey, msg, id.sign(msg)));
  const withCtx = id.sign(msg, ctx);
  assert.ok(provider.mlDsa65.verify(id.signingPublicKey, msg, withCtx, ctx));
  assert.ok(!provider.mlDsa65.verify(id.signingPublicKey, msg, withCtx));
  assert.ok(nobleProvider.mlDsa65.verify(id.signingPublicKey, msg, withCtx, ctx));
  if (nativeAvailable()) {
    const noble = Identity.fromSeed(seed, nobleProvider);
    assert.ok(providerByName('native').mlDsa65.verify(noble.signingPublicKey, msg, noble.sign(msg, ctx), ctx));
  }
});

test('decapsulate recovers the shared secret of an encapsulation to kemPublicKey', () => {
  const id = Identity.generate(provider);
  const { cipherText, sharedSecret } = nobleProvider.mlKem768.encapsulate(id.kemPublicKey);
  assert.deepEqual(id.decapsulate(cipherText), sharedSecret);
});

test('public keys are copies: mutating them cannot change the identity', () => {
  const id = Identity.generate(provider);
  const before = id.nodeIdHex;
  id.nodeId.fill(0);
  id.signingPublicKey.fill(0);
  assert.equal(toHex(id.nodeId), before);
  assert.notDeepEqual(id.signingPublicKey, new Uint8Array(1952));
  const seed = provider.randomBytes(32);
  const fromSeed = Identity.fromSeed(seed, provider);
  const expected = fromSeed.nodeIdHex;
  seed.fill(7); // the identity copied its seed
  assert.equal(fromSeed.nodeIdHex, expected);
  assert.notDeepEqual(fromSeed.exportSeed(), seed);
});

test('exportSeed round-trips; wrong seed sizes are rejected', () => {
  const id = Identity.generate(provider);
  const seed = id.exportSeed();
  assert.equal(seed.length, 32);
  assert.equal(Identity.fromSeed(seed, provider).nodeIdHex, id.nodeIdHex);
  seed.fill(0); // a copy: the identity is unaffected
  assert.notDeepEqual(id.exportSeed(), seed);
  assert.throws(() => Identity.fromSeed(new Uint8Array(16), provider), { code: 'ERR_CRYPTO_INPUT' });
});

test('inspect, JSON, String and object keys never reveal the seed', () => {
  const id = Identity.generate(provider);
  const seedHex = toHex(id.exportSeed());
  const renderings = [
    inspect(id),
    inspect(id, { showHidden: true, depth: Infinity, getters: true }),
    inspect({ nested: [id] }),
    JSON.stringify(id),
    JSON.stringify({ nested: [id] }),
    String(id),
    `${id}`,
    Object.keys(id).join(','),
    Object.getOwnPropertyNames(id).join(','),
  ];
  for (const text of renderings) {
    assert.ok(!text.includes(seedHex), `leaked the seed: ${text}`);
    assert.ok(!text.includes(seedHex.slice(0, 16)), `leaked part of the seed: ${text}`);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(id)), { nodeId: id.nodeIdHex });
  assert.ok(inspect(id).includes(id.nodeIdHex));
});
