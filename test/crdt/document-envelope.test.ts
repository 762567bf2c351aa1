import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { cborScanProblem } from '../../src/dag/cbor-scan.ts';
import { documentId, documentNameProblem, MAX_DOCUMENT_NAME_BYTES } from '../../src/crdt/document-id.ts';
import { decodeEnvelope, encodeEnvelope, ENVELOPE_LIMITS } from '../../src/crdt/envelope.ts';
import { gCounter } from '../../src/crdt/g-counter.ts';
import { array, head, text, uint } from '../support/raw-cbor.ts';
import { assertRefused } from './refusal.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const inc = gCounter.encodeOp(gCounter.increment(1));

const rejected = (bytes: Uint8Array, reason: string, detail?: RegExp): void => assertRefused(decodeEnvelope(bytes), reason, detail);

test('document id: SHA3-256 of domain, NUL, type, NUL, name (golden and independent)', () => {
  const expect = (type: string, name: string): string =>
    createHash('sha3-256').update(Buffer.concat([Buffer.from('pars-mesh/crdt-doc/v1'), Buffer.of(0), Buffer.from(type), Buffer.of(0), Buffer.from(name, 'utf8')])).digest('hex');
  assert.equal(hex(documentId('rga', 'notes')), expect('rga', 'notes'));
  assert.equal(hex(documentId('or-set', 'تیم')), expect('or-set', 'تیم'));
  // Pinned so that a change of the derivation is noticed: ids are wire values.
  assert.equal(hex(documentId('g-counter', 'likes')), 'c553606815382838bc90bfc94e86c1d1b870e81ab63d376923e88dbc5e90e7ee');
  // The type is part of the id: one name under two types is two documents.
  assert.notEqual(hex(documentId('g-counter', 'x')), hex(documentId('pn-counter', 'x')));
});

test('document names: 1 to 256 UTF-8 bytes of well-formed Unicode', () => {
  assert.equal(documentNameProblem('a'), undefined);
  assert.equal(documentNameProblem('a'.repeat(MAX_DOCUMENT_NAME_BYTES)), undefined);
  assert.equal(documentNameProblem('ب'.repeat(128)), undefined); // 2 bytes each: 256
  assert.equal(documentNameProblem('€'.repeat(85)), undefined); // 3 bytes each: 255
  assert.equal(documentNameProblem('€'.repeat(86))?.reason, 'limit'); // 258 bytes in 86 code units
  assert.equal(documentNameProblem('a'.repeat(MAX_DOCUMENT_NAME_BYTES + 1))?.reason, 'limit');
  assert.equal(documentNameProblem('')?.reason, 'malformed');
  assert.equal(documentNameProblem('a\uD800')?.reason, 'malformed');
  assert.equal(documentNameProblem(7)?.reason, 'malformed');
  assert.throws(() => documentId('rga', ''), { code: 'ERR_DOCUMENT_NAME' });
});

test('an envelope round-trips, and its bytes are deterministic DAG-CBOR', () => {
  const bytes = encodeEnvelope([
    { type: 'g-counter', name: 'likes', ops: [inc, inc] },
    { type: 'rga', name: 'notes', ops: [{ kind: 'rga.ins', seq: 0 }] },
  ]);
  assert.deepEqual(bytes, dagCbor.encode(dagCbor.decode(bytes)));
  const r = decodeEnvelope(bytes);
  assert.ok(r.ok);
  assert.equal(r.value.opCount, 3);
  assert.deepEqual(
    r.value.entries.map((e) => [e.type, e.name, e.ops.length]),
    [
      ['g-counter', 'likes', 2],
      ['rga', 'notes', 1],
    ],
  );
  // Golden: { v: 1, docs: [ { t: "g-counter", n: "a", o: [ { k: "gc.inc", n: 1 } ] } ] }, keys in DAG-CBOR order.
  const small = encodeEnvelope([{ type: 'g-counter', name: 'a', ops: [inc] }]);
  // a2 (2 keys) 61 76 01 (v: 1) 64 646f6373 81 (docs: [1 entry]) a3 61 6e 61 61 (n: "a")
  // 61 6f 81 a2 616b 66 67632e696e63 616e 01 (o: [{ k: "gc.inc", n: 1 }]) 61 74 69 672d636f756e746572 (t: "g-counter")
  assert.equal(hex(small), 'a261760164646f637381a3616e6161616f81a2616b6667632e696e63616e01617469672d636f756e746572');
});

test('envelope limits: documents, operations, bytes, names, nesting', () => {
  const many = (docs: number, ops: number): Uint8Array =>
    dagCbor.encode({ v: 1, docs: Array.from({ length: docs }, (_, i) => ({ t: 'g-counter', n: `d${i}`, o: Array.from({ length: ops }, () => inc) })) });
  assert.ok(decodeEnvelope(many(ENVELOPE_LIMITS.maxDocs, 1)).ok);
  rejected(many(ENVELOPE_LIMITS.maxDocs + 1, 1), 'limit', /document entries/);
  assert.ok(decodeEnvelope(many(4, ENVELOPE_LIMITS.maxOps / 4)).ok);
  rejected(many(4, ENVELOPE_LIMITS.maxOps / 4 + 1), 'limit', /operations/);
  rejected(new Uint8Array(ENVELOPE_LIMITS.maxBytes + 1), 'limit', /bytes/);
  rejected(dagCbor.encode({ v: 1, docs: [{ t: 'g-counter', n: 'x'.repeat(257), o: [inc] }] }), 'limit', /name/);
  // 60,000 nested arrays: a recursive decoder would overflow its stack; this is refused first.
  const bomb = new Uint8Array(60_001).fill(0x81);
  bomb[60_000] = 0x01;
  rejected(bomb, 'limit', /nesting/);
  let deep: unknown = 1;
  for (let i = 0; i < ENVELOPE_LIMITS.maxDepth - 4; i++) deep = [deep];
  assert.ok(decodeEnvelope(dagCbor.encode({ v: 1, docs: [{ t: 'g-counter', n: 'a', o: [deep] }] })).ok);
  rejected(dagCbor.encode({ v: 1, docs: [{ t: 'g-counter', n: 'a', o: [[deep]] }] }), 'limit', /nesting/);
  // An absurd array length in a head is refused before anything is allocated.
  rejected(Uint8Array.from([...head(4, 0xffffffff, 4), 0x01]), 'malformed', /container/);
  assert.throws(() => encodeEnvelope(Array.from({ length: 65 }, (_, i) => ({ type: 'g-counter', name: `${i}`, ops: [inc] }))), { code: 'ERR_ENVELOPE' });
  assert.throws(() => encodeEnvelope([{ type: 'g-counter', name: 'a', ops: Array.from({ length: 4097 }, () => inc) }]), { code: 'ERR_ENVELOPE' });
  assert.throws(() => encodeEnvelope([{ type: 'g-counter', name: 'a', ops: [undefined] }]), { code: 'ERR_ENVELOPE' });
  assert.throws(() => encodeEnvelope([]), { code: 'ERR_ENVELOPE' });
});

test('what is not an envelope is refused whole, with a reason', () => {
  const enc = (v: unknown): Uint8Array => dagCbor.encode(v);
  const doc = { t: 'g-counter', n: 'a', o: [inc] };
  rejected(new Uint8Array(0), 'malformed');
  rejected(Uint8Array.of(0xff), 'malformed');
  rejected(new TextEncoder().encode('hello, this is a chat message'), 'malformed');
  rejected(Uint8Array.of(0x01, 0x02), 'malformed', /after the item/);
  rejected(Uint8Array.of(0x9f, 0x01, 0xff), 'malformed', /indefinite/);
  rejected(Uint8Array.from([...head(3, 10), 0x61]), 'malformed', /string of 10/);
  rejected(enc([1, 2]), 'malformed', /envelope map/);
  rejected(enc({ v: 2, docs: [doc] }), 'malformed', /version 2/);
  rejected(enc({ v: 1, docs: [doc], x: 1 }), 'malformed', /envelope map/);
  rejected(enc({ v: 1 }), 'malformed');
  rejected(enc({ v: 1, docs: [] }), 'malformed', /non-empty/);
  rejected(enc({ v: 1, docs: [{ t: 'g-counter', n: 'a' }] }), 'malformed', /entry 0/);
  rejected(enc({ v: 1, docs: [{ ...doc, o: [] }] }), 'malformed', /non-empty/);
  rejected(enc({ v: 1, docs: [{ ...doc, o: inc }] }), 'malformed', /non-empty/);
  rejected(enc({ v: 1, docs: [{ ...doc, t: 7 }] }), 'malformed', /type name/);
  rejected(enc({ v: 1, docs: [{ ...doc, t: 'G-Counter' }] }), 'malformed', /type name/);
  rejected(enc({ v: 1, docs: [{ ...doc, t: 'x'.repeat(33) }] }), 'malformed', /type name/);
  rejected(enc({ v: 1, docs: [{ ...doc, n: '' }] }), 'malformed', /empty/);
  rejected(enc({ v: 1, docs: [doc, doc] }), 'malformed', /repeats/);
  // An unknown but well-formed type name is an envelope: the store refuses that entry alone.
  assert.ok(decodeEnvelope(enc({ v: 1, docs: [{ ...doc, t: 'future-type' }] })).ok);
  // Keys out of DAG-CBOR order (raw writer): still refused only if the shape is wrong.
  const raw = Uint8Array.from([...head(5, 2), ...text('v'), ...uint(1), ...text('docs'), ...array([])]);
  rejected(raw, 'malformed', /non-empty/);
});

test('arbitrary bytes and arbitrary CBOR values never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = decodeEnvelope(bytes);
      if (!r.ok) assert.ok(r.reason === 'malformed' || r.reason === 'limit');
    }),
    { numRuns: 2000 },
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.integer(),
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 8 }),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('v', 'docs', 't', 'n', 'o', 'k', 'x'), tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  const envelopeLike = fc.record({ v: fc.constantFrom(1, 1, 2), docs: fc.array(fc.record({ t: fc.constantFrom('g-counter', 'rga', 'zz'), n: fc.string({ maxLength: 4 }), o: fc.array(value, { maxLength: 3 }) }), { maxLength: 3 }) });
  fc.assert(
    fc.property(fc.oneof(value, envelopeLike), (v) => {
      decodeEnvelope(dagCbor.encode(v));
    }),
    { numRuns: 1000 },
  );
});

test('the CBOR scan accepts exactly the items a strict decoder reads', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const problem = cborScanProblem(bytes, { maxDepth: 64 });
      let decodes = true;
      try {
        dagCbor.decode(bytes);
      } catch {
        decodes = false;
      }
      // Anything DAG-CBOR decodes passes the scan (the scan is framing only, so not the converse).
      if (decodes) assert.equal(problem, undefined);
    }),
    { numRuns: 3000 },
  );
  // The map is depth 0, so the innermost 3 is at depth 4.
  assert.equal(cborScanProblem(dagCbor.encode({ a: [1, [2, [3]]], b: new Uint8Array(3) }), { maxDepth: 4 }), undefined);
  assert.match(cborScanProblem(dagCbor.encode({ a: [1, [2, [3]]] }), { maxDepth: 3 })?.detail ?? '', /nesting/);
  assert.match(cborScanProblem(Uint8Array.of(0x82, 0x01), { maxDepth: 4 })?.detail ?? '', /container of 2/);
  assert.match(cborScanProblem(Uint8Array.of(0x19, 0x01), { maxDepth: 4 })?.detail ?? '', /ends/);
  assert.match(cborScanProblem(Uint8Array.of(0x1c), { maxDepth: 4 })?.detail ?? '', /reserved/);
  assert.equal(cborScanProblem(dagCbor.encode({ a: [1, [2, [3]]] }), { maxDepth: 3 })?.reason, 'limit');
  assert.equal(cborScanProblem(Uint8Array.of(0x1c), { maxDepth: 4 })?.reason, 'malformed');
});
