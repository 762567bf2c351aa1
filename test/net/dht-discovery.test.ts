import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The network runs in a child process of its own, away from the test runner's hooks on the
// libp2p promises of all the nodes sharing one main thread.
const child = fileURLToPath(new URL('./dht-network-child.ts', import.meta.url));
const NODES = 30;
const GROUPS = 4;
const MEMBERS = 7;

test(`DHT: ${NODES} nodes, each bootstrapped to one random other, find every member of their overlapping groups by lookup and sync`, { timeout: 170_000 }, () => {
  const out = execFileSync(process.execPath, [child, String(NODES), String(GROUPS), String(MEMBERS)], { encoding: 'utf8', timeout: 160_000, maxBuffer: 16 * 1024 * 1024 });
  const r = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.memberships, GROUPS * MEMBERS);
  assert.ok((r.nodesInTwoGroups as number) > 0, 'the groups overlap');
  assert.ok((r.minProviderPeers as number) > 0, 'every announcement reached some peer');
  assert.deepEqual(r.misses, [], 'every member found every other member of its group');
  assert.deepEqual(r.wrongNode, [], 'each presence record names the node behind the peer id');
  assert.equal(r.lookups, GROUPS * MEMBERS);
  assert.equal(r.outsiderUnfiltered, MEMBERS, 'a lookup without a member filter sees every announced member');
  assert.equal(r.outsiderFiltered, 0, 'the member filter drops non-members');
  assert.equal(r.outsiderRefused, MEMBERS, 'every member is refused by the filter for not being named in it');
  assert.equal(r.outsiderUnverified, 0, 'and none for want of a record that verifies');
  assert.deepEqual(r.unsynced, [], 'every member holds its group messages');
  assert.deepEqual(r.otherEncryptions, [], 'every connection used the post-quantum encrypter');
});
