import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createVertex,
  Dag,
  decodeVertex,
  KeyRing,
  validateVertex,
  VERTEX_LIMITS,
  type AuthorKey,
  type DecodedVertex,
  type RejectionReason,
} from '../../src/dag/index.ts';
import { array, bytes, link, map, uint, type Entry } from '../support/raw-cbor.ts';
import { fastProvider, keyRingFor, makeAuthor, provider, topicOf } from '../support/fixtures.ts';

const alice = makeAuthor(1);
const bob = makeAuthor(2);
const ring = keyRingFor([alice, bob]);
const sig = new Uint8Array(3309).fill(1);
const ids = [1, 2, 3].map((i) => fastProvider.sha3_256(Uint8Array.of(i))).sort(Buffer.compare);

/** Canonical entries of a (badly signed) vertex, to be bent by each test. */
function entries(over: Partial<Record<string, number[]>> = {}): Entry[] {
  const base: Record<string, number[]> = {
    sig: bytes(sig),
    topic: bytes(topicOf(1)),
    author: bytes(alice.author),
    lamport: uint(5),
    parents: array([link(ids[0] as Uint8Array), link(ids[1] as Uint8Array)]),
    payload: bytes(new Uint8Array(40)),
    version: uint(1),
  };
  return Object.entries({ ...base, ...over }) as Entry[];
}

function decodeReason(input: Uint8Array): RejectionReason | 'ok' {
  const r = decodeVertex(input);
  return r.ok ? 'ok' : r.reason;
}

function validReason(input: Uint8Array, keys = ring, expectedId?: Uint8Array): RejectionReason | 'ok' {
  const r = validateVertex(input, keys, provider, expectedId === undefined ? {} : { expectedId });
  return r.ok ? 'ok' : r.reason;
}

test('the canonical fixture decodes (so each bent copy below fails only for its own reason)', () => {
  assert.equal(decodeReason(map(entries())), 'ok');
});

test('truncated: every proper prefix of a real vertex is refused, none throws', () => {
  const v = createVertex({ topic: topicOf(1), parents: [], lamport: 1, payload: new Uint8Array(30) }, alice, fastProvider);
  for (let n = 0; n < v.bytes.length; n++) {
    const reason = decodeReason(v.bytes.subarray(0, n));
    assert.equal(reason, 'truncated', `prefix ${n}`);
  }
});

test('malformed: not a map, wrong field count, unknown field, wrong types, trailing bytes, bad links', () => {
  assert.equal(decodeReason(Uint8Array.of(0x01)), 'malformed');
  assert.equal(decodeReason(map(entries().slice(1))), 'malformed');
  assert.equal(decodeReason(map(entries().map(([k, v]) => (k === 'topic' ? ['topiq', v] : [k, v])))), 'malformed');
  assert.equal(decodeReason(map(entries({ lamport: bytes([5]) }))), 'malformed');
  assert.equal(decodeReason(map(entries({ parents: bytes([5]) }))), 'malformed');
  assert.equal(decodeReason(Uint8Array.from([...map(entries()), 0x00])), 'malformed');
  const notLink = array([[...bytes(ids[0] as Uint8Array)]]);
  assert.equal(decodeReason(map(entries({ parents: notLink }))), 'malformed');
  const rawCodec = array([[0xd8, 42, ...bytes([0x00, 0x01, 0x55, 0x16, 0x20, ...(ids[0] as Uint8Array)])]]);
  assert.equal(decodeReason(map(entries({ parents: rawCodec }))), 'malformed');
  const dup = entries();
  dup[1] = ['sig', bytes(sig)];
  assert.equal(decodeReason(map(dup)), 'malformed');
});

test('non-canonical: non-minimal integers and lengths, indefinite lengths, keys out of order', () => {
  assert.equal(decodeReason(map(entries({ lamport: uint(5, 1) }))), 'non-canonical');
  assert.equal(decodeReason(map(entries({ version: uint(1, 8) }))), 'non-canonical');
  assert.equal(decodeReason(map(entries({ payload: [0x58, 3, 1, 2, 3] }))), 'non-canonical');
  assert.equal(decodeReason(map(entries({ payload: [0x5f, 0x41, 1, 0xff] }))), 'non-canonical');
  const swapped = entries();
  [swapped[1], swapped[2]] = [swapped[2] as Entry, swapped[1] as Entry];
  assert.equal(decodeReason(map(swapped)), 'non-canonical');
});

test('unknown-version', () => {
  assert.equal(decodeReason(map(entries({ version: uint(2) }))), 'unknown-version');
  assert.equal(decodeReason(map(entries({ version: uint(0) }))), 'unknown-version');
});

test('vertex-too-large: refused by length before any parsing', () => {
  const huge = new Uint8Array(VERTEX_LIMITS.maxVertexBytes + 1);
  huge[0] = 0xa7;
  assert.equal(decodeReason(huge), 'vertex-too-large');
});

test('payload-too-large: the declared length is refused before slicing', () => {
  const payload = new Uint8Array(VERTEX_LIMITS.maxPayloadBytes + 1);
  assert.equal(decodeReason(map(entries({ payload: bytes(payload) }))), 'payload-too-large');
  // A head that declares 2^40 bytes is refused without allocating or reading them.
  assert.equal(decodeReason(map(entries({ payload: [0x5b, 0, 0, 1, 0, 0, 0, 0, 0] }))), 'payload-too-large');
});

test('too-many-parents, unsorted-parents, duplicate-parents', () => {
  const many = Array.from({ length: VERTEX_LIMITS.maxParents + 1 }, (_, i) => fastProvider.sha3_256(Uint8Array.of(i, 9))).sort(Buffer.compare);
  assert.equal(decodeReason(map(entries({ parents: array(many.map(link)) }))), 'too-many-parents');
  assert.equal(decodeReason(map(entries({ parents: [0x9b, 0, 0, 0, 1, 0, 0, 0, 0] }))), 'too-many-parents');
  assert.equal(decodeReason(map(entries({ parents: array([link(ids[1] as Uint8Array), link(ids[0] as Uint8Array)]) }))), 'unsorted-parents');
  assert.equal(decodeReason(map(entries({ parents: array([link(ids[0] as Uint8Array), link(ids[0] as Uint8Array)]) }))), 'duplicate-parents');
});

test('bad-field-size: topic and author of the wrong size', () => {
  assert.equal(decodeReason(map(entries({ topic: bytes(new Uint8Array(15)) }))), 'bad-field-size');
  assert.equal(decodeReason(map(entries({ author: bytes(new Uint8Array(33)) }))), 'bad-field-size');
});

test('lamport-out-of-range: zero and beyond 2^53 - 1', () => {
  assert.equal(decodeReason(map(entries({ lamport: uint(0) }))), 'lamport-out-of-range');
  assert.equal(decodeReason(map(entries({ lamport: [0x1b, 0x00, 0x20, 0, 0, 0, 0, 0, 0] }))), 'lamport-out-of-range');
});

const good = createVertex({ topic: topicOf(1), parents: [], lamport: 1, payload: new Uint8Array(64).fill(3) }, alice, fastProvider);

test('a good vertex validates with the provider under test', () => {
  assert.equal(validReason(good.bytes), 'ok');
});

test('id-mismatch: content that does not hash to the id asked for', () => {
  assert.equal(validReason(good.bytes, ring, fastProvider.sha3_256(Uint8Array.of(0))), 'id-mismatch');
  assert.equal(validReason(good.bytes, ring, good.id), 'ok');
});

test('bad-signature: a flipped payload bit, a flipped signature bit, a signature of the wrong size, another author', () => {
  const flipped = Uint8Array.from(good.bytes);
  const at = flipped.length - 9 - 10; // inside the payload, which precedes the 9-byte "version" entry
  flipped[at] = (flipped[at] as number) ^ 1;
  assert.equal(decodeReason(flipped), 'ok');
  assert.equal(validReason(flipped), 'bad-signature');
  const sigFlip = Uint8Array.from(good.bytes);
  sigFlip[100] = (sigFlip[100] as number) ^ 0x80;
  assert.equal(validReason(sigFlip), 'bad-signature');
  const short = map(entries({ sig: bytes(new Uint8Array(3308)) }));
  assert.equal(validReason(short), 'bad-signature');
  // Bob's signature on a vertex that claims Alice as author
  const forged = createVertex({ topic: topicOf(1), parents: [], lamport: 1, payload: new Uint8Array(8) }, { author: alice.author, sign: bob.sign }, fastProvider);
  assert.equal(validReason(forged.bytes), 'bad-signature');
});

test('author-unknown: no key for the author', () => {
  assert.equal(validReason(good.bytes, keyRingFor([bob])), 'author-unknown');
});

test('author-key-invalid: wrong algorithm, wrong size, or a key that does not hash to the author', () => {
  const lying = (key: AuthorKey): KeyRing => new KeyRing(provider, { getKey: () => key });
  assert.equal(validReason(good.bytes, lying({ algorithm: 'ml-kem-768', publicKey: alice.publicKey })), 'author-key-invalid');
  assert.equal(validReason(good.bytes, lying({ algorithm: 'ml-dsa-65', publicKey: alice.publicKey.subarray(1) })), 'author-key-invalid');
  assert.equal(validReason(good.bytes, lying({ algorithm: 'ml-dsa-65', publicKey: bob.publicKey })), 'author-key-invalid');
  const r = new KeyRing(provider).add({ algorithm: 'ml-dsa-44', publicKey: alice.publicKey });
  assert.ok(!r.ok && r.reason === 'author-key-invalid');
});

function place(dag: Dag, v: DecodedVertex): string {
  const checked = validateVertex(v.bytes, ring, provider);
  assert.ok(checked.ok, 'fixture must validate');
  const out = dag.add(checked.vertex);
  return out.status === 'rejected' ? out.reason : out.status;
}

test('bad-lamport: not 1 + max(parent lamports), for a root and for a child', () => {
  const dag = new Dag();
  const root = createVertex({ topic: topicOf(1), parents: [], lamport: 2, payload: new Uint8Array(1) }, alice, fastProvider);
  assert.equal(place(dag, root), 'bad-lamport');
  assert.equal(place(dag, good), 'added');
  const child = createVertex({ topic: topicOf(1), parents: [good.id], lamport: 3, payload: new Uint8Array(1) }, alice, fastProvider);
  assert.equal(place(dag, child), 'bad-lamport');
  assert.equal(dag.size, 1);
});

test('parent-topic-mismatch: a parent from another topic', () => {
  const dag = new Dag();
  assert.equal(place(dag, good), 'added');
  const other = createVertex({ topic: topicOf(2), parents: [good.id], lamport: 2, payload: new Uint8Array(1) }, alice, fastProvider);
  assert.equal(place(dag, other), 'parent-topic-mismatch');
  assert.deepEqual(dag.frontier(topicOf(2)), []);
});

test('parent-rejected: descendants of a rejected vertex are refused, waiting or arriving later', () => {
  const dag = new Dag();
  const bad = createVertex({ topic: topicOf(1), parents: [], lamport: 9, payload: new Uint8Array(1) }, alice, fastProvider);
  const child = createVertex({ topic: topicOf(1), parents: [bad.id], lamport: 10, payload: new Uint8Array(1) }, alice, fastProvider);
  const grandchild = createVertex({ topic: topicOf(1), parents: [child.id], lamport: 11, payload: new Uint8Array(1) }, bob, fastProvider);
  assert.equal(place(dag, grandchild), 'quarantined');
  assert.equal(place(dag, child), 'quarantined');
  const out = dag.add(bad);
  assert.equal(out.status, 'rejected');
  assert.ok(out.status === 'rejected' && out.rejected.map((r) => r.reason).join() === 'bad-lamport,parent-rejected,parent-rejected');
  assert.equal(dag.quarantine.size, 0);
  const late = createVertex({ topic: topicOf(1), parents: [bad.id], lamport: 10, payload: new Uint8Array(2) }, bob, fastProvider);
  assert.equal(place(dag, late), 'parent-rejected');
  assert.equal(dag.size, 0);
});

test('quarantine-full: total, byte and per-source caps', () => {
  const dag = new Dag({ quarantine: { maxVertices: 3, maxBytes: 1 << 20, maxPerSource: 2 } });
  const orphans = [1, 2, 3, 4].map((i) =>
    createVertex({ topic: topicOf(1), parents: [fastProvider.sha3_256(Uint8Array.of(i))], lamport: 2, payload: new Uint8Array(1) }, alice, fastProvider),
  );
  assert.equal(dag.add(orphans[0] as DecodedVertex, 'peerA').status, 'quarantined');
  assert.equal(dag.add(orphans[1] as DecodedVertex, 'peerA').status, 'quarantined');
  const perSource = dag.add(orphans[2] as DecodedVertex, 'peerA');
  assert.ok(perSource.status === 'rejected' && perSource.reason === 'quarantine-full');
  assert.equal(dag.add(orphans[2] as DecodedVertex, 'peerB').status, 'quarantined');
  const total = dag.add(orphans[3] as DecodedVertex, 'peerC');
  assert.ok(total.status === 'rejected' && total.reason === 'quarantine-full');
  // not permanent: once room is made, the same vertex is admitted
  assert.equal(dag.quarantine.dropSource('peerA'), 2);
  assert.equal(dag.add(orphans[3] as DecodedVertex, 'peerC').status, 'quarantined');
  const bytesDag = new Dag({ quarantine: { maxVertices: 100, maxBytes: (orphans[0] as DecodedVertex).bytes.length, maxPerSource: 100 } });
  assert.equal(bytesDag.add(orphans[0] as DecodedVertex).status, 'quarantined');
  assert.equal(bytesDag.add(orphans[1] as DecodedVertex).status, 'rejected');
});
