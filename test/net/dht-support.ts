import { Identity } from '../../src/identity/index.ts';
import type { DhtLimits, NetHost, NetHostOptions } from '../../src/net/index.ts';
import { prng, provider } from '../support/fixtures.ts';
import { rmSync } from 'node:fs';
import { closeNode, openNode, otherEncryptions, startHost, tcpAddress, type FileScope, type TestNode } from './net-support.ts';

/** One DHT participant of a test: its storage, host and identity. */
export interface DhtPeer {
  readonly node: TestNode;
  readonly host: NetHost;
  readonly identity: Identity;
  readonly nodeIdHex: string;
}

/** DHT limits for tests: twice the default query timeout, so a loaded test machine slows lookups down instead of cutting them short. */
export const TEST_DHT_LIMITS: Partial<DhtLimits> = { queryTimeoutMs: 60_000 };

/** Starts `n` hosts on loopback with the DHT on, registered in `scope` (stopped after the file). */
export async function startDhtPeers(scope: FileScope, n: number, prefix: string, extra: Partial<NetHostOptions> = {}): Promise<DhtPeer[]> {
  const peers: DhtPeer[] = [];
  for (let i = 0; i < n; i++) {
    const node = openNode(scope.dir, `${prefix}${i}`);
    scope.nodes.push(node);
    const identity = Identity.generate(provider);
    // Every node of the test shares 127.0.0.1: the per-address inbound rate limit is meant for the
    // internet, where each peer has an address of its own.
    const limits = { inboundConnectionsPerSecond: 10_000, maxPendingConnections: 64, ...extra.limits };
    const host = await startHost(node, { identity, dht: { limits: TEST_DHT_LIMITS }, ...extra, limits });
    scope.hosts.push(host);
    peers.push({ node, host, identity, nodeIdHex: identity.nodeIdHex });
  }
  return peers;
}

/**
 * Bootstraps every peer but the first to one other, chosen at random among those before it (so
 * the whole set is connected, each node knowing a single address), with a seeded PRNG.
 */
export async function bootstrapRandomly(peers: readonly DhtPeer[], seed: number): Promise<void> {
  const random = prng(seed);
  const edges = peers.slice(1).map((peer, i) => ({ peer, to: peers[Math.floor(random() * (i + 1))] as DhtPeer }));
  await inBatches(edges, 8, async ({ peer, to }) => void (await peer.host.dial(tcpAddress(to.host))));
}

/** `fn` over `items`, `concurrency` at a time. */
export async function inBatches<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * The end of a DHT child process: notes which encryptions its hosts negotiated besides the
 * post-quantum one (unless it failed before), stops every host at once (one after another takes
 * longer than the lookups), closes the stores, removes the directory, prints `result` as the
 * child's one JSON line and exits.
 */
export async function endChild(scope: FileScope, result: Record<string, unknown>, failure?: unknown): Promise<never> {
  if (failure === undefined) result.otherEncryptions = otherEncryptions(scope.hosts);
  else result.error = failure instanceof Error ? `${failure.message}\n${failure.stack ?? ''}` : String(failure);
  await Promise.all(scope.hosts.map((h) => h.stop().catch(() => undefined)));
  await Promise.all(scope.nodes.map((n) => closeNode(n).catch(() => undefined)));
  rmSync(scope.dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
