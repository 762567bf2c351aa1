import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUNDLE_SIGNATURE_CONTEXT, exportBundle, importBundle, PREAMBLE_BYTES, SEALED_CHUNK_BYTES } from '../../src/bundle/index.ts';
import { fromHex, toHex } from '../../src/crypto/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { provider } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { goldenDevice, goldenGroup, goldenProvider, goldenStore, readGolden } from './golden.ts';

const dir = tempDir('pars-bundle-vector-');
const { vector, file } = readGolden();

test('the golden bundle is intact, its keys derive as recorded, and its size is preamble + whole chunks', () => {
  assert.equal(toHex(provider.sha3_256(file)), vector.fileSha3);
  assert.equal(file.length, vector.bytes);
  assert.equal((file.length - PREAMBLE_BYTES) % SEALED_CHUNK_BYTES, 0);
  const group = goldenGroup(vector);
  assert.equal(toHex(group.topic), vector.topic);
  assert.equal(toHex(group.bundleKey), vector.bundleKey);
  assert.equal(toHex(file.subarray(0, 9)), '50415253424e444c01');
  assert.ok(provider.mlDsa65.verify(goldenDevice(vector).signingPublicKey, fromHex(vector.digest), fromHex(vector.signature), BUNDLE_SIGNATURE_CONTEXT));
});

test('exporting the vector inputs with its randomness and signature rebuilds the golden bytes exactly', async () => {
  const store = goldenStore(vector, join(dir, 'rebuild.sqlite'));
  const path = join(dir, 'rebuilt.pars');
  try {
    const report = await exportBundle({
      provider: goldenProvider(vector),
      store,
      dag: store.loadDag(),
      identity: {
        signingPublicKey: goldenDevice(vector).signingPublicKey,
        sign: (message, context) => {
          assert.equal(toHex(message), vector.digest, 'the digest over preamble and frames is unchanged');
          assert.deepEqual(context, BUNDLE_SIGNATURE_CONTEXT);
          return fromHex(vector.signature);
        },
      },
      path,
      groups: [goldenGroup(vector)],
      passphrase: vector.passphrase,
      kdfLogN: vector.kdfLogN,
      now: () => vector.created,
    });
    assert.equal(report.marker, vector.marker);
    assert.equal(report.vertices, vector.vertices.length);
    assert.equal(report.snapshots, 1);
    assert.equal(toHex(readFileSync(path)), toHex(file));
  } finally {
    store.close();
  }
});

for (const via of ['group key', 'passphrase'] as const) {
  test(`the golden bundle imports by ${via}: every vertex, the recorded frontiers and marker`, async () => {
    const ingester = new Ingester({ provider, store: SqliteStore.open(join(dir, `import-${via}.sqlite`)), workers: 1 });
    try {
      const path = join(dir, `golden-${via}.pars`);
      writeFileSync(path, file);
      const report = await importBundle({
        provider,
        path,
        sink: ingester,
        groups: via === 'group key' ? [goldenGroup(vector)] : [],
        passphrase: async () => (via === 'passphrase' ? vector.passphrase : undefined),
        now: () => 0,
      });
      assert.equal(report.marker, vector.marker);
      assert.equal(report.device, goldenDevice(vector).nodeIdHex);
      assert.equal(report.created, vector.created);
      assert.deepEqual([report.stored, report.rejected, report.waiting], [vector.vertices.length, 0, 0]);
      assert.equal(report.topics, 2);
      // The snapshot is sealed to the group: only the group key reads it (and this node has none to compare).
      assert.deepEqual(report.snapshots, { matched: 0, differed: 0, unchecked: 1 });
      assert.deepEqual(Object.fromEntries(ingester.store.frontiers()), vector.frontiers);
      const recorded = ingester.store.bundles.all();
      assert.deepEqual(recorded.map((r) => [toHex(r.marker), r.direction, toHex(r.peer ?? new Uint8Array(0))]), [[vector.marker, 'import', goldenDevice(vector).nodeIdHex]]);
    } finally {
      await ingester.close();
      ingester.store.close();
    }
  });
}

test('a carried snapshot is compared with the receiver\'s own at the same frontier: agreeing, then differing', async () => {
  const path = join(dir, 'golden-compare.pars');
  writeFileSync(path, file);
  for (const [name, state, expected] of [
    ['same', vector.snapshot.state, { matched: 1, differed: 0, unchecked: 0 }],
    ['other', toHex(new TextEncoder().encode('different state')), { matched: 0, differed: 1, unchecked: 0 }],
  ] as const) {
    // The receiver already holds every vertex and its own snapshot of the group topic.
    const ingester = new Ingester({ provider, store: goldenStore({ ...vector, snapshot: { ...vector.snapshot, state } }, join(dir, `compare-${name}.sqlite`)), workers: 1 });
    try {
      const report = await importBundle({ provider, path, sink: ingester, groups: [goldenGroup(vector)], now: () => 0 });
      assert.equal(report.duplicates, vector.vertices.length);
      assert.deepEqual(report.snapshots, expected, name);
      assert.equal(toHex(ingester.store.getSnapshots(goldenGroup(vector).topic)[0]?.documents[0]?.state ?? new Uint8Array(0)), state, 'never adopted');
    } finally {
      await ingester.close();
      ingester.store.close();
    }
  }
});
