// Writes the golden bundle: `node test/vectors/bundle/generate.ts`. Run it only when the bundle
// format changes on purpose (with a new version); the vector test then checks the new files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportBundle } from '../../../src/bundle/index.ts';
import { toHex } from '../../../src/crypto/index.ts';
import { createVertex, Dag } from '../../../src/dag/index.ts';
import { Identity } from '../../../src/identity/index.ts';
import { provider } from '../../support/fixtures.ts';
import { goldenDevice, goldenGroup, goldenProvider, goldenStore, VECTOR_DIR, type GoldenInputs, type GoldenVector } from '../../bundle/golden.ts';

const authors = [1, 2].map((n) => Identity.fromSeed(new Uint8Array(32).fill(0x40 + n), provider));
const base = {
  deviceSeed: toHex(new Uint8Array(32).fill(0x07)),
  groupSecret: toHex(new Uint8Array(32).map((_, i) => i)),
  passphrase: 'golden courier words',
  kdfLogN: 10,
  randomSeed: 20_261_121,
  created: Date.UTC(2026, 10, 21, 12, 0, 0),
  authorKeys: authors.map((a) => toHex(a.signingPublicKey)),
  snapshot: { documentId: toHex(new Uint8Array(32).fill(0xd0)), type: 'lww-register', name: 'meeting-place', state: toHex(new TextEncoder().encode('opaque state bytes')) },
};
const groupTopic = goldenGroup({ ...base, vertices: [] }).topic;
const foreignTopic = new Uint8Array(16).fill(0xee);
const dag = new Dag();
const vertices: string[] = [];
for (let i = 0; i < 6; i++) {
  const topic = i % 3 === 2 ? foreignTopic : groupTopic;
  const a = authors[i % 2] as Identity;
  const { parents, lamport } = dag.nextParents(topic);
  const v = createVertex({ topic, parents, lamport, payload: new Uint8Array(40).fill(i) }, { author: a.nodeId, sign: (m, c) => a.sign(m, c) }, provider);
  dag.add(v);
  vertices.push(toHex(v.bytes));
}
const inputs: GoldenInputs = { ...base, vertices };
const dir = mkdtempSync(join(tmpdir(), 'pars-golden-'));
const store = goldenStore(inputs, join(dir, 'store.sqlite'));
const device = goldenDevice(inputs);
let signature: Uint8Array = new Uint8Array(0);
let digest: Uint8Array = new Uint8Array(0);
const path = join(dir, 'bundle-v1.pars');
const report = await exportBundle({
  provider: goldenProvider(inputs),
  store,
  dag: store.loadDag(),
  identity: {
    signingPublicKey: device.signingPublicKey,
    sign: (message, context) => {
      digest = message;
      signature = device.sign(message, context);
      return signature;
    },
  },
  path,
  groups: [goldenGroup(inputs)],
  passphrase: inputs.passphrase,
  kdfLogN: inputs.kdfLogN,
  now: () => inputs.created,
});
store.close();
const file = readFileSync(path);
const vector: GoldenVector = {
  description: 'Bundle format v1 (docs/BUNDLE.md): one group topic and one foreign topic, opening for the group and a passphrase (2 of 16 slots), a sealed snapshot, 6 vertices by 2 authors. Rebuild: store the keys, vertices and snapshot, export with randomness from randomSource(randomSeed) and the recorded signature.',
  ...inputs,
  bundleKey: toHex(goldenGroup(inputs).bundleKey),
  topic: toHex(groupTopic),
  signature: toHex(signature),
  digest: toHex(digest),
  marker: report.marker,
  bytes: file.length,
  fileSha3: toHex(provider.sha3_256(file)),
  frontiers: Object.fromEntries([groupTopic, foreignTopic].map((t) => [toHex(t), dag.frontier(t).map(toHex)])),
};
writeFileSync(new URL('bundle-v1.pars', VECTOR_DIR), file);
writeFileSync(new URL('bundle-v1.json', VECTOR_DIR), `${JSON.stringify(vector, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
console.log(`wrote golden bundle: ${file.length} bytes, marker ${report.marker}`);
