import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CRDT_TYPE_NAMES } from '../../src/crdt/crdt-type.ts';
import { CRDTDocument, type Ancestry } from '../../src/crdt/document.ts';
import { documentId } from '../../src/crdt/document-id.ts';
import { Dag, type DecodedVertex } from '../../src/dag/index.ts';
import { makeAuthor, prng, topicOf } from '../support/fixtures.ts';
import { commit, deliver, randomChange, replica, type Replica } from './document-support.ts';

const TOPIC = topicOf(21);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const authors = [makeAuthor(1), makeAuthor(2), makeAuthor(3)];

/** Three writers over documents of all seven types, syncing at random: a DAG with forks and merges. */
function history(seed: number, count: number): { vertices: DecodedVertex[]; names: [string, string][] } {
  const rand = prng(seed);
  const writers = authors.map((a) => replica(a));
  const vertices: DecodedVertex[] = [];
  const names: [string, string][] = CRDT_TYPE_NAMES.map((t) => [t, `${t} doc`]);
  for (let i = 0; i < count; i++) {
    const w = writers[Math.floor(rand() * writers.length)] as Replica;
    if (rand() < 0.4) for (const v of vertices) if (rand() < 0.7) deliver(w, v);
    const changes = names.filter(() => rand() < 0.5).map(([t, n]) => randomChange(w, TOPIC, t as never, n, rand));
    if (changes.length === 0) changes.push(randomChange(w, TOPIC, 'rga', 'rga doc', rand));
    vertices.push(commit(w, TOPIC, changes));
  }
  return { vertices, names };
}

const { vertices, names } = history(5, 36);
const full = new Dag();
for (const v of vertices) full.add(v);

/** A replica that has the vertices picked by `mask` and their causal past: one possible state of a partitioned peer. */
function partial(mask: readonly boolean[]): Replica {
  const picked = vertices.filter((_, i) => mask[i] === true).map((v) => v.id);
  const past = full.ancestors(picked);
  for (const id of picked) past.add(hex(id));
  const r = replica(authors[0] as never);
  for (const v of vertices) if (past.has(v.key)) deliver(r, v);
  return r;
}

function docOf(r: Replica, type: string, name: string): CRDTDocument {
  return r.docs.document(TOPIC, type as never, name) ?? new CRDTDocument(type as never, name, CRDTDocument.create(type as never, name).state, r.docs.frontier(TOPIC));
}

const same = (x: CRDTDocument, y: CRDTDocument): void => {
  assert.equal(hex(x.id), hex(y.id));
  assert.equal(hex(x.encodeState()), hex(y.encodeState()));
  assert.deepEqual(x.frontier.map(hex), y.frontier.map(hex));
};

const maskArb = fc.array(fc.boolean(), { minLength: vertices.length, maxLength: vertices.length });

test('merge of documents is commutative, associative and idempotent, with and without a DAG to prune frontiers', () => {
  fc.assert(
    fc.property(maskArb, maskArb, maskArb, (ma, mb, mc) => {
      const [ra, rb, rc] = [partial(ma), partial(mb), partial(mc)];
      for (const [type, name] of names) {
        const [a, b, c] = [docOf(ra, type, name), docOf(rb, type, name), docOf(rc, type, name)];
        for (const ancestry of [undefined, full as Ancestry]) {
          same(a.merge(b, ancestry), b.merge(a, ancestry));
          same(a.merge(b, ancestry).merge(c, ancestry), a.merge(b.merge(c, ancestry), ancestry));
          // A replica's applied frontier is already maximal, so pruning leaves it as it is.
          same(a.merge(a, ancestry), a);
        }
        // Inputs are not changed by merging.
        assert.equal(hex(a.encodeState()), hex(docOf(ra, type, name).encodeState()));
      }
    }),
    { numRuns: 40 },
  );
});

test('merging two replicas’ documents gives the document of a replica that applied both histories', () => {
  fc.assert(
    fc.property(maskArb, maskArb, (ma, mb) => {
      const [ra, rb] = [partial(ma), partial(mb)];
      // The union of two causally closed sets is causally closed: apply it to a third replica.
      const union = replica(authors[1] as never);
      for (const v of vertices) if (ra.docs.hasApplied(TOPIC, v.id) || rb.docs.hasApplied(TOPIC, v.id)) deliver(union, v);
      for (const [type, name] of names) {
        const merged = docOf(ra, type, name).merge(docOf(rb, type, name), full);
        same(merged, docOf(union, type, name));
      }
    }),
    { numRuns: 40 },
  );
});

test('frontier merge: the union, pruned to maximal vertices when a DAG is given', () => {
  const [root, , , ...rest] = vertices as [DecodedVertex, DecodedVertex, DecodedVertex, ...DecodedVertex[]];
  const late = rest[rest.length - 1] as DecodedVertex;
  const mid = rest[Math.floor(rest.length / 2)] as DecodedVertex;
  const state = CRDTDocument.create('g-counter', 'c').state;
  const older = new CRDTDocument('g-counter', 'c', state, [root.id]);
  const newer = new CRDTDocument('g-counter', 'c', state, [late.id, mid.id, late.id]);
  assert.deepEqual(newer.frontier.map(hex), [late.key, mid.key].sort(), 'sorted, each once');
  const union = older.merge(newer);
  assert.deepEqual(union.frontier.map(hex), [root.key, mid.key, late.key].sort());
  // The root is an ancestor of everything after it, so a DAG prunes it; mid stays unless late descends from it.
  const past = full.ancestors([root.id, mid.id, late.id]);
  assert.ok(past.has(root.key));
  const pruned = older.merge(newer, full);
  assert.deepEqual(pruned.frontier.map(hex), [root.key, mid.key, late.key].filter((k) => !past.has(k)).sort());
  assert.ok(!pruned.frontier.map(hex).includes(root.key));
});

test('documents of different ids do not merge; ids follow type and name', () => {
  const a = CRDTDocument.create('g-counter', 'x');
  const b = CRDTDocument.create('pn-counter', 'x');
  assert.equal(hex(a.id), hex(documentId('g-counter', 'x')));
  assert.throws(() => a.merge(b as never), { code: 'ERR_DOCUMENT_MISMATCH' });
  assert.throws(() => CRDTDocument.create('nope' as never, 'x'), { code: 'ERR_UNKNOWN_TYPE' });
  assert.throws(() => CRDTDocument.create('rga', ''), { code: 'ERR_DOCUMENT_NAME' });
  assert.equal(CRDTDocument.create('g-counter', 'x').value, 0n);
});
