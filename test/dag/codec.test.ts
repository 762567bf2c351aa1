import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { equalBytes } from '../../src/crypto/index.ts';
import {
  createVertex,
  decodeVertex,
  encodeUnsigned,
  encodeVertex,
  idToString,
  parseVertexCid,
  signedMessageOf,
  vertexCid,
  VERTEX_LIMITS,
} from '../../src/dag/index.ts';
import { fastProvider, makeAuthor, topicOf } from '../support/fixtures.ts';

const alice = makeAuthor(1);

function sample(payloadBytes = 100, parentCount = 2): ReturnType<typeof createVertex> {
  const parents = Array.from({ length: parentCount }, (_, i) => fastProvider.sha3_256(Uint8Array.of(i)));
  return createVertex({ topic: topicOf(1), parents, lamport: 7, payload: new Uint8Array(payloadBytes).fill(9) }, alice, fastProvider);
}

test('encoding is canonical DAG-CBOR: @ipld/dag-cbor decodes it and re-encodes the same bytes', () => {
  const v = sample();
  const generic = dagCbor.decode(v.bytes) as Record<string, unknown>;
  assert.deepEqual(Object.keys(generic), ['sig', 'topic', 'author', 'lamport', 'parents', 'payload', 'version']);
  assert.ok((generic['parents'] as unknown[]).every((p) => p instanceof CID));
  assert.ok(equalBytes(dagCbor.encode(generic), v.bytes));
});

test('decode returns every field and the signed message equals the encoding of the unsigned fields', () => {
  const v = sample();
  const d = decodeVertex(v.bytes);
  assert.ok(d.ok);
  assert.equal(d.vertex.lamport, 7);
  assert.equal(d.vertex.version, 1);
  assert.ok(equalBytes(d.vertex.topic, v.topic));
  assert.ok(equalBytes(d.vertex.author, alice.author));
  assert.ok(equalBytes(d.vertex.payload, v.payload));
  assert.ok(equalBytes(d.vertex.sig, v.sig));
  assert.equal(d.vertex.parents.length, 2);
  assert.ok(d.vertex.parents.every((p, i) => equalBytes(p, v.parents[i] as Uint8Array)));
  assert.ok(equalBytes(signedMessageOf(d), encodeUnsigned(v)));
});

test('createVertex sorts and de-duplicates parents', () => {
  const a = fastProvider.sha3_256(Uint8Array.of(1));
  const b = fastProvider.sha3_256(Uint8Array.of(2));
  const v = createVertex({ topic: topicOf(1), parents: [b, a, b], lamport: 2, payload: new Uint8Array(1) }, alice, fastProvider);
  assert.equal(v.parents.length, 2);
  const d = decodeVertex(v.bytes);
  assert.ok(d.ok);
});

test('vertex ids print as CIDv1 (dag-cbor, sha3-256) and parse back', () => {
  const v = sample();
  const text = idToString(v.id);
  assert.match(text, /^b[a-z2-7]+$/);
  const parsed = parseVertexCid(text);
  assert.ok(parsed !== undefined && equalBytes(parsed, v.id));
  assert.ok(equalBytes(parseVertexCid(vertexCid(v.id).bytes) as Uint8Array, v.id));
  assert.equal(parseVertexCid('not a cid'), undefined);
  assert.equal(parseVertexCid(CID.create(1, 0x55, vertexCid(v.id).multihash).toString()), undefined);
});

test('the largest allowed vertex encodes within the vertex limit', () => {
  const parents = Array.from({ length: VERTEX_LIMITS.maxParents }, (_, i) => fastProvider.sha3_256(Uint8Array.of(i, 1)));
  const v = createVertex(
    { topic: topicOf(1), parents, lamport: VERTEX_LIMITS.maxLamport, payload: new Uint8Array(VERTEX_LIMITS.maxPayloadBytes) },
    alice,
    fastProvider,
  );
  assert.ok(v.bytes.length <= VERTEX_LIMITS.maxVertexBytes);
  assert.ok(decodeVertex(v.bytes).ok);
});

test('createVertex refuses fields that break a limit', () => {
  const base = { topic: topicOf(1), parents: [], lamport: 1, payload: new Uint8Array(1) };
  assert.throws(() => createVertex({ ...base, payload: new Uint8Array(VERTEX_LIMITS.maxPayloadBytes + 1) }, alice, fastProvider), { code: 'ERR_VERTEX_FIELDS' });
  assert.throws(() => createVertex({ ...base, topic: new Uint8Array(15) }, alice, fastProvider), { code: 'ERR_VERTEX_FIELDS' });
  assert.throws(() => createVertex({ ...base, lamport: 0 }, alice, fastProvider), { code: 'ERR_VERTEX_FIELDS' });
  const many = Array.from({ length: VERTEX_LIMITS.maxParents + 1 }, (_, i) => fastProvider.sha3_256(Uint8Array.of(i, 2)));
  assert.throws(() => createVertex({ ...base, parents: many }, alice, fastProvider), { code: 'ERR_VERTEX_FIELDS' });
});

test('encodeVertex of a decoded vertex reproduces its bytes', () => {
  const v = sample(3000, 5);
  const d = decodeVertex(v.bytes);
  assert.ok(d.ok);
  assert.ok(equalBytes(encodeVertex(d.vertex), v.bytes));
});
