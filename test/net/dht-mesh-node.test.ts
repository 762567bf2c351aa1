import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSessionId } from '../../src/group/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tempDir } from '../support/tmp.ts';
import { startMesh, stopMesh, storePathOf, texts, until } from './mesh-support.ts';

const dir = tempDir('pars-dht-mesh-');
const DHT = { dht: { limits: { queryTimeoutMs: 10_000 } }, presence: { checkMs: 300, lookupMs: 2_000 } };

test('MeshNode: two members who forgot each other find and sync with each other through the DHT alone, given one bootstrap address', { timeout: 90_000 }, async () => {
  const x = await startMesh(dir, 'x', 30, DHT);
  const bootstrap = x.multiaddrs().find((a) => a.includes('/tcp/')) as string;
  let a = await startMesh(dir, 'a', 31, DHT);
  let b = await startMesh(dir, 'b', 32, DHT);
  const group = await a.groups.createGroup('dht');
  await b.join(await a.invite(group, 3600));
  await until(() => b.groups.groups().some((g) => g.id === group && g.members === 2), 20_000, 'the welcome at B');
  await stopMesh(a);
  await stopMesh(b);
  // Forget every peer: only the bootstrap address is left to start from.
  for (const name of ['a', 'b']) {
    const store = SqliteStore.open(storePathOf(dir, name));
    store.net.replaceKnownPeers([]);
    store.close();
  }
  a = await startMesh(dir, 'a', 31, { ...DHT, bootstrap: [bootstrap] });
  b = await startMesh(dir, 'b', 32, { ...DHT, bootstrap: [bootstrap] });
  await until(() => b.net.peers().some((p) => p.peerId === a.net.peerId) && a.net.peers().some((p) => p.peerId === b.net.peerId), 30_000, 'A and B connected to each other');
  await a.discover(); // A's announcement is out (the schedule's first round, or this one)
  const found = await b.net.presence.findSessionPeers(deriveSessionId(b.ingester.provider, b.groups.bundleKeys([group])[0]?.bundleKey as Uint8Array));
  assert.deepEqual(found.peers.map((p) => p.nodeIdHex), [a.identity.nodeIdHex], 'B finds A under the group’s session id');
  await a.groups.send(group, 'found you');
  await until(() => texts(b, group).includes('found you'), 20_000, 'A’s message at B');
  await stopMesh(a);
  await stopMesh(b);
  await stopMesh(x);
});
