import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lanForTest } from './lan-namespaces.ts';
import { LanNodeProcess, type LanReport } from './lan-node-process.ts';

/*
 * Three machines on a LAN with no internet and nothing configured: each node runs in a network
 * namespace of its own, plugged into one bridge, and must find the others by mDNS alone, then
 * converge on a topic all three write to. Needs root (namespaces, veth pairs, a bridge); without
 * it the test is reported as skipped, with the reason.
 */
const NAMES = ['a', 'b', 'c'];
const WRITES = 10;

test('LAN: three nodes in network namespaces find each other by mDNS alone and converge', { timeout: 60_000 }, async (t) => {
  const setup = lanForTest<LanNodeProcess>(t, 'lan');
  if (setup === undefined) return;
  const { lan, dir, nodes } = setup;
  for (const name of NAMES) lan.addHost(name);

  const total = NAMES.length * 2 * WRITES;
  lan.hosts.forEach((host, i) => nodes.push(new LanNodeProcess({ name: NAMES[i] as string, dir, host, author: 200 + i, writes: WRITES, total, peers: NAMES.length - 1 })));

  const ready = await Promise.all(nodes.map((n) => n.next()));
  for (const [i, r] of ready.entries()) {
    assert.equal(r.ready, true);
    assert.ok(
      r.addresses?.every((a) => a.startsWith(`/ip4/${lan.hosts[i]?.address}/tcp/`)),
      `${r.name} listens on its LAN address only: ${String(r.addresses)}`,
    );
  }
  const peerIds = ready.map((r) => r.peerId as string);

  const synced: LanReport[] = await Promise.all(nodes.map((n) => n.next()));
  for (const [i, r] of synced.entries()) {
    assert.equal(r.synced, true);
    assert.deepEqual(r.peers, peerIds.filter((_, j) => j !== i).sort(), `${r.name} is connected to both others, found by mDNS`);
    assert.equal(r.stored, total, `${r.name} holds every node's vertices`);
  }
  assert.ok((synced[0]?.frontier?.length ?? 0) > 0);
  assert.deepEqual(synced[1]?.frontier, synced[0]?.frontier, 'b ends with the frontier of a');
  assert.deepEqual(synced[2]?.frontier, synced[0]?.frontier, 'c ends with the frontier of a');

  for (const n of nodes) n.stop();
  const stopped = await Promise.all(nodes.map((n) => n.next()));
  assert.ok(stopped.every((r) => r.stopped === true));
  assert.deepEqual(await Promise.all(nodes.map((n) => n.exited)), [0, 0, 0], 'every node shut down cleanly');
});
