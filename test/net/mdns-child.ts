// Run by mdns.test.ts inside a network namespace of its own (nothing else is on its loopback):
// two hosts that were never told about each other find each other by mDNS and sync.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeNode, frontiers, history, openNode, seed, startHost, until } from './net-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'pars-net-mdns-'));
const result: Record<string, unknown> = {};
try {
  const nodeA = openNode(dir, 'a');
  const nodeB = openNode(dir, 'b');
  await seed(nodeA, history);
  const mdns = { intervalMs: 500 };
  const a = await startHost(nodeA, { mdns });
  const b = await startHost(nodeB, { mdns });
  try {
    await until(b, () => nodeB.ingester.dag.size === history.length, 30_000, 'B to sync from A');
    result.peersOfB = b.peers().map((p) => p.peerId);
    result.peerA = a.peerId;
    result.frontiersEqual = JSON.stringify(frontiers(nodeA.ingester.dag)) === JSON.stringify(frontiers(nodeB.ingester.dag));
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
