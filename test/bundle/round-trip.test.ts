import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportBundle, importBundle, forPeer, sinceMarker, type ExportReport, type ImportReport } from '../../src/bundle/index.ts';
import { provider } from '../support/fixtures.ts';
import { admit, nodeHarness, texts, type TestNode } from '../support/node-harness.ts';
import { tempDir } from '../support/tmp.ts';
import { KDF, stateOf } from './bundle-support.ts';

const dir = tempDir('pars-bundle-');
const { open } = nodeHarness(dir);

async function exportFrom(node: TestNode, name: string, extra: Partial<Parameters<typeof exportBundle>[0]> = {}): Promise<ExportReport> {
  await node.groups.idle();
  return await exportBundle({
    provider,
    store: node.ingester.store,
    dag: node.ingester.dag,
    identity: node.identity,
    path: join(dir, name),
    groups: node.groups.bundleKeys(),
    kdfLogN: KDF,
    now: () => node.clock.t,
    ...extra,
  });
}

async function importInto(node: TestNode, name: string, passphrase?: string): Promise<ImportReport> {
  const report = await importBundle({
    provider,
    path: join(dir, name),
    sink: node.ingester,
    groups: node.groups.bundleKeys(),
    passphrase: async () => passphrase,
    now: () => node.clock.t,
  });
  await node.groups.idle();
  return report;
}

test('A → file → B for two groups, both ways; a replayed bundle changes nothing; --for sends only what is new', async () => {
  const a = open('a1', 1);
  const b = open('b1', 2);
  const g1 = await a.groups.createGroup('river');
  const g2 = await a.groups.createGroup('mountain');
  await admit(a, b, g1);
  await admit(a, b, g2);
  for (let i = 0; i < 5; i++) {
    await a.groups.send(g1, `river ${i}`);
    await a.groups.send(g2, `mountain ${i}`);
  }
  const out = await exportFrom(a, 'a-to-b.pars', { peer: b.identity.nodeId });
  assert.equal(out.groupRecipients, 2);
  assert.equal(out.passphrase, false);
  assert.equal(out.vertices, a.ingester.store.vertexCount);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.partial')), [], 'no temporary file is left');

  const lacking = a.ingester.store.vertexCount - b.ingester.store.vertexCount;
  assert.ok(lacking >= 10, 'at least the ten messages are new to B');
  const first = await importInto(b, 'a-to-b.pars');
  assert.equal(first.marker, out.marker, 'both sides name the bundle alike');
  assert.equal(first.device, a.identity.nodeIdHex);
  assert.equal(first.knownDevice, true);
  assert.equal(first.rejected, 0);
  assert.equal(first.waiting, 0);
  assert.equal(first.stored, lacking);
  assert.equal(first.stored + first.duplicates, out.vertices);
  for (const g of [g1, g2]) assert.deepEqual(texts(b, g), texts(a, g));
  assert.deepEqual(texts(b, g1), ['river 0', 'river 1', 'river 2', 'river 3', 'river 4']);
  assert.deepEqual(b.ingester.store.frontiers(), a.ingester.store.frontiers());

  const before = stateOf(b.ingester.store);
  const replay = await importInto(b, 'a-to-b.pars');
  assert.equal(replay.stored, 0);
  assert.equal(replay.duplicates, out.vertices);
  assert.deepEqual(stateOf(b.ingester.store), before, 'a replay is a no-op');

  // B answers; A imports. Then A's next export for B carries only what B lacks.
  await b.groups.send(g2, 'from b');
  const back = await exportFrom(b, 'b-to-a.pars', { groups: b.groups.bundleKeys([g2]), topics: [b.groups.bundleKeys([g2])[0]!.topic] });
  assert.equal(back.groupRecipients, 1);
  assert.ok(back.vertices > 0);
  const newAtB = b.ingester.store.vertexCount - a.ingester.store.vertexCount;
  assert.ok(newAtB >= 1);
  const backIn = await importInto(a, 'b-to-a.pars');
  assert.equal(backIn.stored, newAtB);
  assert.deepEqual(texts(a, g2).at(-1), 'from b');

  await a.groups.send(g1, 'river 5');
  const delta = await exportFrom(a, 'a-to-b-2.pars', { believed: forPeer(a.ingester.store, b.identity.nodeId), peer: b.identity.nodeId });
  const newAtA = a.ingester.store.vertexCount - b.ingester.store.vertexCount;
  assert.ok(newAtA >= 1 && newAtA < 5);
  assert.equal(delta.vertices, newAtA, 'only what A wrote since: B had the rest (given to it, and its own)');
  const since = await exportFrom(a, 'a-since.pars', { believed: sinceMarker(a.ingester.store, out.marker.slice(0, 10)) });
  assert.equal(since.vertices, newAtA + newAtB, 'since the first bundle: the reply A imported and the new message');
  const deltaIn = await importInto(b, 'a-to-b-2.pars');
  assert.equal(deltaIn.stored, newAtA);
  assert.deepEqual(texts(b, g1).at(-1), 'river 5');
});

test('courier A → C → B: C is in no group, carries everything, and can read none of it', async () => {
  const a = open('a2', 11);
  const b = open('b2', 12);
  const c = open('c2', 13);
  const g = await a.groups.createGroup('harbour');
  await admit(a, b, g);
  const secrets = ['the boat leaves at four', 'bring the maps', 'north pier, not south'];
  for (const s of secrets) await a.groups.send(g, s);

  await exportFrom(a, 'a-to-c.pars', { passphrase: 'courier words one' });
  await assert.rejects(importInto(c, 'a-to-c.pars'), { code: 'ERR_BUNDLE_NO_KEY' }, 'a stranger without the passphrase cannot open it');
  await assert.rejects(importInto(c, 'a-to-c.pars', 'wrong words'), { code: 'ERR_BUNDLE_NO_KEY' });
  assert.equal(c.ingester.store.vertexCount, 0);
  const atC = await importInto(c, 'a-to-c.pars', 'courier words one');
  assert.equal(atC.stored, a.ingester.store.vertexCount);
  assert.equal(atC.knownDevice, false, 'C had never met A');
  assert.deepEqual(c.groups.groups(), [], 'C is in no group');

  await assert.rejects(exportFrom(c, 'c-nobody.pars'), { code: 'ERR_BUNDLE_NO_RECIPIENT' });
  const relay = await exportFrom(c, 'c-to-b.pars', { passphrase: 'courier words two' });
  assert.equal(relay.vertices, a.ingester.store.vertexCount);
  const atB = await importInto(b, 'c-to-b.pars', 'courier words two');
  assert.equal(atB.device, c.identity.nodeIdHex);
  assert.deepEqual(texts(b, g), secrets);

  // C's store holds the vertices and nothing readable: no message text anywhere in its files.
  c.ingester.store.checkpoint();
  const files = readdirSync(dir).filter((f) => f.startsWith('c2.sqlite'));
  assert.ok(files.length > 0 && existsSync(c.path));
  for (const f of files) {
    const raw = readFileSync(join(dir, f));
    for (const s of secrets) assert.equal(raw.indexOf(Buffer.from(s)), -1, `${f} holds "${s}"`);
  }
  for (const name of ['a-to-c.pars', 'c-to-b.pars']) {
    const raw = readFileSync(join(dir, name));
    for (const s of secrets) assert.equal(raw.indexOf(Buffer.from(s)), -1);
    assert.equal(raw.indexOf(Buffer.from(a.identity.nodeId)), -1, 'no author id in the clear');
  }
});

test('messages written while an export runs are not claimed by its markers: the next --since export carries them', async () => {
  const a = open('a4', 7);
  const b = open('b4', 8);
  const g = await a.groups.createGroup('lake');
  await admit(a, b, g);
  for (let i = 0; i < 600; i++) await a.groups.send(g, `before ${i}`);
  let during: Promise<unknown> | undefined;
  let storedDuring = false;
  // The export yields to the event loop every 256 vertices (a running node keeps working); this
  // write is stored in such a pause, before the export ends.
  const first = await exportFrom(a, 'a-during.pars', {
    onProgress: (done) => {
      if (done === 1) during = a.groups.send(g, 'written during the export').then(() => (storedDuring = true));
    },
  });
  assert.equal(storedDuring, true, 'the node stored a message while the export was running');
  await during;
  assert.ok(a.ingester.store.vertexCount > first.vertices, 'the message was stored while the export ran');
  const intoB = await importInto(b, 'a-during.pars');
  assert.ok(intoB.stored >= 600, `B stored the 600 earlier messages (${intoB.stored})`);
  assert.ok(!texts(b, g).includes('written during the export'), 'the first bundle did not carry it');
  const next = await exportFrom(a, 'a-after.pars', { believed: sinceMarker(a.ingester.store, first.marker) });
  assert.equal(next.vertices, 1, 'the next export since the first carries exactly the message written during it');
  await importInto(b, 'a-after.pars');
  assert.equal(texts(b, g).at(-1), 'written during the export');
  assert.deepEqual(texts(b, g), texts(a, g));
});
