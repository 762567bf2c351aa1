import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { history } from './net-support.ts';

/*
 * mDNS is multicast: in the machine's own network namespace it would leave through the default
 * interface. So the two hosts run in a child process inside a network namespace of its own
 * (`unshare --net`; it vanishes with the process, nothing to clean up), whose only interface is
 * a loopback with multicast enabled and the multicast range routed to it.
 */
const child = fileURLToPath(new URL('./mdns-child.ts', import.meta.url));
const root = process.getuid?.() === 0;
const canUnshare = root && spawnSync('unshare', ['--net', 'true']).status === 0;

test('mDNS: two hosts told nothing about each other discover each other on a LAN and sync', { skip: canUnshare ? false : 'needs root and unshare(1) to create a private network namespace' }, () => {
  const setup = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "$0" "$@"';
  const out = execFileSync('unshare', ['--net', 'sh', '-c', setup, process.execPath, child], { encoding: 'utf8', timeout: 50_000 });
  const result = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  assert.equal(result.error, undefined, String(result.error));
  assert.deepEqual(result.peersOfB, [result.peerA], 'B found A with no address given');
  assert.equal(result.stored, history.length);
  assert.equal(result.frontiersEqual, true);
});
