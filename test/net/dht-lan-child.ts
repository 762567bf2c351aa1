// Run by dht-lan.test.ts inside a network namespace of its own: the only bootstrap node both hosts
// know is gone before they start, so the DHT has nobody to start from; mDNS (level 4 of the
// bootstrap hierarchy) must still bring them together, and they sync.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdOf, withoutPeerId } from '../../src/net/index.ts';
import { multiaddr } from '@multiformats/multiaddr';
import { closeNode, history, openNode, seed, startHost, until } from './net-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'pars-dht-lan-'));
const result: Record<string, unknown> = {};
try {
  const nodeX = openNode(dir, 'x');
  const x = await startHost(nodeX, { mdns: false });
  const address = multiaddr(x.multiaddrs()[0] as string);
  const bootstrap = { peerId: peerIdOf(address) as string, addresses: [withoutPeerId(address)] };
  await x.stop();
  await closeNode(nodeX);

  const nodeA = openNode(dir, 'a');
  const nodeB = openNode(dir, 'b');
  await seed(nodeA, history);
  const mdns = { intervalMs: 500 };
  const a = await startHost(nodeA, { mdns, knownPeers: [bootstrap], dht: { limits: { queryTimeoutMs: 5_000 } } });
  const b = await startHost(nodeB, { mdns, knownPeers: [bootstrap], dht: { limits: { queryTimeoutMs: 5_000 } } });
  try {
    const lookup = await b.presence.findSessionPeers(new Uint8Array(32).fill(9));
    result.dhtPeersFound = lookup.peers.length;
    await until(b, () => nodeB.ingester.dag.size === history.length, 30_000, 'B to sync from A');
    result.peersOfB = b.peers().map((p) => p.peerId);
    result.peerA = a.peerId;
    result.stored = nodeB.ingester.store.vertexCount;
  } finally {
    await b.stop();
    await a.stop();
    await closeNode(nodeA);
    await closeNode(nodeB);
  }
} catch (error) {
  result.error = error instanceof Error ? error.message : String(error);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
