import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { history } from './net-support.ts';
import { lanChildSkipReason, runLanChild } from './two-node-child.ts';

// mDNS is multicast, so the two hosts run in a child process in a network namespace of its own
// (see `runLanChild`).
const child = fileURLToPath(new URL('./mdns-child.ts', import.meta.url));

test('mDNS: two hosts told nothing about each other discover each other on a LAN and sync', { skip: lanChildSkipReason() ?? false }, () => {
  const result = runLanChild(child, 50_000);
  assert.equal(result.error, undefined, String(result.error));
  assert.deepEqual(result.peersOfB, [result.peerA], 'B found A with no address given');
  assert.equal(result.stored, history.length);
  assert.equal(result.frontiersEqual, true);
});
