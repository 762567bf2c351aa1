import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { history } from './net-support.ts';
import { lanChildSkipReason, runLanChild } from './two-node-child.ts';

const child = fileURLToPath(new URL('./dht-lan-child.ts', import.meta.url));

test('bootstrap hierarchy: all bootstrap nodes gone, the DHT finds nobody, and the LAN (mDNS) still connects and syncs', { skip: lanChildSkipReason() ?? false }, () => {
  const result = runLanChild(child, 60_000);
  assert.equal(result.error, undefined, String(result.error));
  assert.equal(result.dhtPeersFound, 0, 'with the bootstrap node gone the DHT has nobody to ask');
  assert.deepEqual(result.peersOfB, [result.peerA], 'B found A by mDNS');
  assert.equal(result.stored, history.length);
  assert.equal(result.frontiersEqual, true);
});
