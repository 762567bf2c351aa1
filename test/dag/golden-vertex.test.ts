import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { fromHex, toHex, utf8 } from '../../src/crypto/index.ts';
import {
  decodeVertex,
  encodeUnsigned,
  encodeVertex,
  idToString,
  KeyRing,
  parseVertexCid,
  signedMessageOf,
  validateVertex,
  VERTEX_SIGNATURE_CONTEXT,
  VERTEX_VERSION,
  type VertexFields,
} from '../../src/dag/index.ts';
import { deriveSubSeeds, Identity } from '../../src/identity/index.ts';
import { forEachProvider } from '../crypto/helpers.ts';

// The golden vertex (test/vectors/dag/golden-vertex.json, made by scripts/make-golden-vertex.ts):
// pinned bytes, id, CID and signature of one vertex, checked with both crypto providers.

interface GoldenVertex {
  readonly masterSeed: string;
  readonly mlDsaSeed: string;
  readonly publicKey: string;
  readonly author: string;
  readonly version: number;
  readonly topic: string;
  readonly parents: readonly string[];
  readonly lamport: number;
  readonly payload: string;
  readonly signatureContext: string;
  readonly signedMessage: string;
  readonly signature: string;
  readonly vertex: string;
  readonly id: string;
  readonly cid: string;
}

const golden = JSON.parse(readFileSync(new URL('../vectors/dag/golden-vertex.json', import.meta.url), 'utf8')) as GoldenVertex;
const bytes = fromHex(golden.vertex);
const publicKey = fromHex(golden.publicKey);
const signedMessage = fromHex(golden.signedMessage);
const signature = fromHex(golden.signature);
const context = fromHex(golden.signatureContext);

const pinnedFields: VertexFields = {
  version: golden.version,
  topic: fromHex(golden.topic),
  parents: golden.parents.map(fromHex),
  lamport: golden.lamport,
  author: fromHex(golden.author),
  payload: fromHex(golden.payload),
};

test('the vector is what its notes say it is', () => {
  assert.equal(golden.masterSeed, '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  assert.equal(golden.version, VERTEX_VERSION);
  assert.deepEqual(context, utf8('pars-mesh/vertex/v1'));
  assert.deepEqual(context, VERTEX_SIGNATURE_CONTEXT);
  assert.equal(new TextDecoder().decode(pinnedFields.payload), 'Pars Mesh golden vertex v1');
  assert.equal(golden.parents.length, 2);
  assert.ok(golden.parents[0] !== undefined && golden.parents[1] !== undefined && golden.parents[0] < golden.parents[1], 'parents sorted ascending');
  assert.match(golden.cid, /^bafyrmi/);
});

test('golden vertex: decode, re-encode, signed message, signature, id, CID and key derivation', async (t) => {
  await forEachProvider(t, (p) => {
    // decodeVertex of the pinned bytes gives the pinned fields
    const decoded = decodeVertex(bytes);
    assert.ok(decoded.ok, decoded.ok ? '' : `${decoded.reason}: ${decoded.detail}`);
    const v = decoded.vertex;
    assert.equal(v.version, pinnedFields.version);
    assert.equal(toHex(v.topic), golden.topic);
    assert.deepEqual(v.parents.map(toHex), golden.parents);
    assert.equal(v.lamport, golden.lamport);
    assert.equal(toHex(v.author), golden.author);
    assert.equal(toHex(v.payload), golden.payload);
    assert.equal(toHex(v.sig), golden.signature);

    // the signed message: from the fields, and cut from the bytes without re-encoding
    assert.equal(toHex(encodeUnsigned(pinnedFields)), golden.signedMessage);
    assert.equal(toHex(encodeUnsigned(v)), golden.signedMessage);
    assert.equal(toHex(signedMessageOf(decoded)), golden.signedMessage);

    // the signature verifies under the pinned key and context, and under nothing else
    assert.equal(p.mlDsa65.verify(publicKey, signedMessage, signature, context), true);
    assert.equal(p.mlDsa65.verifier(publicKey).verify(signedMessage, signature, VERTEX_SIGNATURE_CONTEXT), true);
    assert.equal(p.mlDsa65.verify(publicKey, signedMessage, signature), false, 'verifies without the context');
    assert.equal(p.mlDsa65.verify(publicKey, signedMessage, signature, utf8('pars-mesh/vertex/v2')), false, 'verifies under another context');
    const otherMessage = Uint8Array.from(signedMessage);
    otherMessage[otherMessage.length - 1] = (otherMessage[otherMessage.length - 1] as number) ^ 1;
    assert.equal(p.mlDsa65.verify(publicKey, otherMessage, signature, context), false, 'verifies another message');

    // id, CID, re-encoding
    assert.equal(toHex(p.sha3_256(bytes)), golden.id);
    assert.equal(idToString(fromHex(golden.id)), golden.cid);
    assert.deepEqual(parseVertexCid(golden.cid), fromHex(golden.id));
    assert.deepEqual(encodeVertex(v), bytes);
    assert.deepEqual(encodeVertex({ ...pinnedFields, sig: signature }), bytes);

    // the key derives from the seed: master seed → ML-DSA seed → public key → author (node id)
    const masterSeed = fromHex(golden.masterSeed);
    assert.equal(toHex(deriveSubSeeds(masterSeed, p).signingSeed), golden.mlDsaSeed);
    assert.equal(toHex(p.mlDsa65.keyPair(fromHex(golden.mlDsaSeed)).publicKey), golden.publicKey);
    const identity = Identity.fromSeed(masterSeed, p);
    assert.equal(toHex(identity.signingPublicKey), golden.publicKey);
    assert.equal(identity.nodeIdHex, golden.author);
    assert.equal(toHex(p.sha3_256(publicKey)), golden.author);

    // and the full validation path accepts it with the pinned id
    const ring = new KeyRing(p);
    assert.ok(ring.add({ algorithm: 'ml-dsa-65', publicKey }).ok);
    const result = validateVertex(bytes, ring, p, { expectedId: fromHex(golden.id) });
    assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.detail}`);
    assert.equal(result.vertex.key, golden.id);
  });
});

test('the pinned signature is the FIPS 204 deterministic one (so the vector is reproducible)', () => {
  const { secretKey, publicKey: pk } = ml_dsa65.keygen(fromHex(golden.mlDsaSeed));
  assert.equal(toHex(pk), golden.publicKey);
  assert.equal(toHex(ml_dsa65.sign(signedMessage, secretKey, { context, extraEntropy: false })), golden.signature);
});

test('a hedged signature by the same key gives other bytes and another id, and still verifies', async (t) => {
  await forEachProvider(t, (p) => {
    const identity = Identity.fromSeed(fromHex(golden.masterSeed), p);
    const sig = identity.sign(signedMessage, VERTEX_SIGNATURE_CONTEXT);
    assert.notEqual(toHex(sig), golden.signature);
    assert.equal(p.mlDsa65.verify(publicKey, signedMessage, sig, context), true);
    const other = encodeVertex({ ...pinnedFields, sig });
    assert.notEqual(toHex(p.sha3_256(other)), golden.id);
  });
});
