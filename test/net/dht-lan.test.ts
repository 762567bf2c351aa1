import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { history } from './net-support.ts';

// mDNS is multicast: the hosts run in a child inside a network namespace of its own (see mdns.test.ts).
const child = fileURLToPath(new URL('./dht-lan-child.ts', import.meta.url));
const root = process.getuid?.() === 0;
const canUnshare = root && spawnSync('unshare', ['--net', 'true']).status === 0;

test('bootstrap hierarchy: all bootstrap nodes gone, the DHT finds nobody, and the LAN (mDNS) still connects and syncs', { skip: canUnshare ? false : 'needs root and unshare(1) to create a private network namespace' }, () => {
  const setup = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "$0" "$@"';
  const out = execFileSync('unshare', ['--net', 'sh', '-c', setup, process.execPath, child], { encoding: 'utf8', timeout: 60_000 });
  const result = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  assert.equal(result.error, undefined, String(result.error));
  assert.equal(result.dhtPeersFound, 0, 'with the bootstrap node gone the DHT has nobody to ask');
  assert.deepEqual(result.peersOfB, [result.peerA], 'B found A by mDNS');
  assert.equal(result.stored, history.length);
});
