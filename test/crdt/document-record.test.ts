import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { CRDT_TYPE_NAMES } from '../../src/crdt/crdt-type.ts';
import { CRDTDocument } from '../../src/crdt/document.ts';
import { documentId } from '../../src/crdt/document-id.ts';
import { decodeDocument, DOCUMENT_RECORD_LIMITS, encodeDocument } from '../../src/crdt/document-record.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { makeAuthor, prng, topicOf } from '../support/fixtures.ts';
import { commit, randomChange, replica } from './document-support.ts';
import { assertRefused } from './refusal.ts';

const TOPIC = topicOf(31);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const rejected = (bytes: Uint8Array, reason: string, detail?: RegExp): void => assertRefused(decodeDocument(bytes), reason, detail);

test('every type’s document round-trips through the portable record', () => {
  const r = replica(makeAuthor(1));
  const rand = prng(8);
  for (let i = 0; i < 12; i++) commit(r, TOPIC, CRDT_TYPE_NAMES.map((t) => randomChange(r, TOPIC, t, `${t}!`, rand)));
  for (const t of CRDT_TYPE_NAMES) {
    const doc = r.docs.document(TOPIC, t, `${t}!`) as CRDTDocument;
    const back = decodeDocument(encodeDocument(doc));
    assert.ok(back.ok, back.ok ? '' : back.detail);
    assert.equal(back.value.type, t);
    assert.equal(back.value.name, `${t}!`);
    assert.equal(hex(back.value.id), hex(doc.id));
    assert.equal(hex(back.value.encodeState()), hex(doc.encodeState()));
    assert.deepEqual(back.value.frontier.map(hex), doc.frontier.map(hex));
    assert.deepEqual(back.value.value, doc.value);
  }
});

test('golden record: an empty g-counter named "a" with one frontier id', () => {
  const doc = new CRDTDocument('g-counter', 'a', gCounter.create(), [new Uint8Array(32).fill(0xab)]);
  const bytes = encodeDocument(doc);
  // a6 (6 keys, DAG-CBOR order: length, then bytes) 61 66 81 5820 ab×32 (f: [id]) 61 6e 61 61 (n: "a")
  // 61 73 43 010100 (s: g-counter snapshot: type 1, version 1, no authors) 61 74 69 "g-counter" (t)
  // 61 76 01 (v: 1) 62 6964 5820 <documentId("g-counter", "a")> (id)
  assert.equal(
    hex(bytes),
    'a66166815820' + 'ab'.repeat(32) + '616e6161' + '617343010100' + '617469672d636f756e746572' + '617601' + '626964' + '5820' + hex(documentId('g-counter', 'a')),
  );
  assert.equal(hex(documentId('g-counter', 'a')), '2eabecb5d0b4e1047e2bacc7912e2a932746ac53699dd5e250926cb925a14c40');
});

test('records that do not fit are refused with a reason', () => {
  const doc = CRDTDocument.create('g-counter', 'a');
  const good = { v: 1, id: doc.id, t: 'g-counter', n: 'a', f: [] as Uint8Array[], s: doc.encodeState() };
  const enc = (v: unknown): Uint8Array => dagCbor.encode(v);
  assert.ok(decodeDocument(enc(good)).ok);
  rejected(enc({ ...good, t: 'future' }), 'unknown-type');
  rejected(enc({ ...good, id: documentId('g-counter', 'b') }), 'malformed', /id/);
  rejected(enc({ ...good, id: new Uint8Array(31) }), 'malformed', /32 bytes/);
  rejected(enc({ ...good, n: '' }), 'malformed', /empty/);
  rejected(enc({ ...good, v: 2 }), 'malformed', /version/);
  rejected(enc({ ...good, x: 1 }), 'malformed', /field/);
  rejected(enc({ ...good, f: [new Uint8Array(32).fill(2), new Uint8Array(32).fill(1)] }), 'malformed', /ascending/);
  rejected(enc({ ...good, f: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(1)] }), 'malformed', /ascending/);
  rejected(enc({ ...good, f: [new Uint8Array(31)] }), 'malformed', /32 bytes/);
  const wide = Array.from({ length: DOCUMENT_RECORD_LIMITS.maxFrontier + 1 }, (_, i) => {
    const id = new Uint8Array(32);
    id[0] = i >> 8;
    id[1] = i & 0xff;
    return id;
  });
  rejected(enc({ ...good, f: wide }), 'limit', /frontier/);
  // The state is judged by its type: an or-set snapshot is not a g-counter.
  rejected(enc({ ...good, s: CRDTDocument.create('or-set', 'a').encodeState() }), 'wrong-type');
  rejected(enc({ ...good, s: Uint8Array.of(1, 1, 0xff) }), 'malformed');
  rejected(enc([1]), 'malformed');
  rejected(new Uint8Array(DOCUMENT_RECORD_LIMITS.maxBytes + 1), 'limit');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      decodeDocument(bytes);
    }),
    { numRuns: 1000 },
  );
});
