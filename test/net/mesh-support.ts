import { join } from 'node:path';
import { after } from 'node:test';
import { Identity } from '../../src/identity/index.ts';
import { MeshNode, type MeshNetOptions } from '../../src/node/index.ts';
import { provider } from '../support/fixtures.ts';
import { assertNoStrayErrors, recordStrayErrors } from '../support/stray-errors.ts';
import { assertPqOnly, nonPqEncryptions } from './net-support.ts';

export { texts, until } from './mesh-watch.ts';

/*
 * Whole MeshNodes in this process on loopback (no mDNS), with sessions and redials soon: the
 * defaults are for people, not tests. Every node still running when the file ends is stopped.
 */

const running = new Set<MeshNode>();
/** Encryption protocols any node of the file negotiated other than the post-quantum one. */
const otherEncryptions = new Set<string>();
recordStrayErrors();
after(async () => {
  for (const n of running) await stopMesh(n);
  assertPqOnly([...otherEncryptions]);
  await assertNoStrayErrors();
});

export const LOOPBACK_NET: MeshNetOptions = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  mdns: false,
  dht: false,
  antiEntropy: { connectDelayMs: 50, intervalMs: 1_000 },
  redial: { initialDelayMs: 100, maxDelayMs: 1_000 },
};

/** Opens (or reopens: same `name` and `seed`) a node with its store in `dir`, and starts it. */
export async function startMesh(dir: string, name: string, seed: number, extra: MeshNetOptions = {}): Promise<MeshNode> {
  const node = new MeshNode({
    identity: Identity.fromSeed(new Uint8Array(32).fill(seed), provider),
    provider,
    storePath: storePathOf(dir, name),
    workers: 1,
    net: { ...LOOPBACK_NET, ...extra },
  });
  running.add(node);
  await node.start();
  return node;
}

export function storePathOf(dir: string, name: string): string {
  return join(dir, `${name}.sqlite`);
}

export async function stopMesh(node: MeshNode): Promise<void> {
  if (running.has(node)) for (const e of nonPqEncryptions(node.status().net)) otherEncryptions.add(e);
  await node.stop();
  running.delete(node);
}
