import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { changeOf, gCounter, insertOp, rga, rgaText, type CrdtTypeName } from '../../src/crdt/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { Ingester, NodeDocuments } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { makeAuthor, prng, provider, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
const alice = makeAuthor(1, provider);
const bob = makeAuthor(2, provider);
const topic = topicOf(7);

function openNode(name: string, snapshotEvery = 4): { ingester: Ingester; docs: NodeDocuments } {
  const ingester = new Ingester({ provider, store: SqliteStore.open(join(dir, `${name}.sqlite`)), workers: 1 });
  for (const a of [alice, bob]) ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  return { ingester, docs: new NodeDocuments(ingester, { snapshotEvery }) };
}

async function typeText(docs: NodeDocuments, who: typeof alice, text: string): Promise<DecodedVertex> {
  const state = docs.documents.currentState(topic, 'rga', 'notes');
  const op = insertOp(state, who.author, rga.value(state).length, text);
  assert.ok(op.ok);
  return docs.change(topic, [changeOf('rga', 'notes', [op.value]), changeOf('g-counter', 'edits', [gCounter.increment(1)])], who);
}

const stateOf = (docs: NodeDocuments, type: CrdtTypeName, name: string): string =>
  Buffer.from(docs.documents.encodedState(topic, type, name) ?? new Uint8Array(0)).toString('hex');

test('node documents: local changes apply on commit, a peer ingesting the vertices in any order reaches the same state, and a restart resumes from snapshots', async () => {
  const a = openNode('a');
  const written: DecodedVertex[] = [];
  for (const word of ['salam ', 'dunya ', 'az ', 'mesh ', 'ma ']) written.push(await typeText(a.docs, alice, word));
  assert.equal(rgaText(a.docs.documents.currentState(topic, 'rga', 'notes')), 'salam dunya az mesh ma ');
  assert.equal(a.docs.documents.value(topic, 'g-counter', 'edits'), 5n);

  // Bob receives Alice's vertices shuffled, in two batches: the quarantine releases them in causal order.
  const b = openNode('b');
  const order = [...written];
  const rand = prng(5);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as DecodedVertex, order[i] as DecodedVertex];
  }
  await b.ingester.ingest(order.slice(0, 3).map((v) => v.bytes), 'alice');
  await b.ingester.ingest(order.slice(3).map((v) => v.bytes), 'alice');
  for (const [type, name] of [['rga', 'notes'], ['g-counter', 'edits']] as const) assert.equal(stateOf(b.docs, type, name), stateOf(a.docs, type, name));

  // Bob edits too; his vertex reaches Alice, and both agree.
  const fromBob = await typeText(b.docs, bob, 'hastim');
  await a.ingester.ingest([fromBob.bytes], 'bob');
  assert.equal(rgaText(a.docs.documents.currentState(topic, 'rga', 'notes')), 'salam dunya az mesh ma hastim');
  assert.equal(stateOf(a.docs, 'rga', 'notes'), stateOf(b.docs, 'rga', 'notes'));
  assert.equal(a.docs.documents.value(topic, 'g-counter', 'edits'), 6n);

  // Restart: the snapshots cover what was applied, so no vertex is read again.
  const before = stateOf(b.docs, 'rga', 'notes');
  b.docs.flush();
  await b.ingester.close();
  b.ingester.store.close();
  const b2 = openNode('b');
  assert.equal(b2.docs.started.replayed, 0);
  assert.equal(b2.docs.started.skipped, 6);
  assert.equal(stateOf(b2.docs, 'rga', 'notes'), before);
  await typeText(b2.docs, bob, '!');
  assert.equal(rgaText(b2.docs.documents.currentState(topic, 'rga', 'notes')), 'salam dunya az mesh ma hastim!');
  for (const n of [a, b2]) {
    await n.ingester.close();
    n.ingester.store.close();
  }
});
