// Two hosts on one LAN, run in a child process inside a network namespace of its own: mDNS is
// multicast, and in the machine's own namespace it would leave through the default interface.
// The test side (`lanChildSkipReason`, `runLanChild`) starts the child; the child side
// (`runTwoNodeChild`) is the whole body of the child script.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetHost, NetHostOptions } from '../../src/net/index.ts';
import { closeNode, frontiers, history, openNode, seed, startHost, until, type TestNode } from './net-support.ts';

/** Why this machine cannot run a LAN child (needs root and `unshare --net`), or undefined when it can. */
export function lanChildSkipReason(): string | undefined {
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--net', 'true']).status === 0;
  return canUnshare ? undefined : 'needs root and unshare(1) to create a private network namespace';
}

/**
 * Runs the script `child` in a network namespace of its own (`unshare --net`; it vanishes with
 * the process, nothing to clean up) whose only interface is a loopback with multicast enabled and
 * the multicast range routed to it, and returns the JSON object of its last line of output.
 */
export function runLanChild(child: string, timeoutMs: number): Record<string, unknown> {
  const setup = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "$0" "$@"';
  const out = execFileSync('unshare', ['--net', 'sh', '-c', setup, process.execPath, child], { encoding: 'utf8', timeout: timeoutMs });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

/** The two nodes of a child while they run: A holds `history` from the start, B starts empty. */
export interface TwoNodes {
  readonly nodeA: TestNode;
  readonly nodeB: TestNode;
  readonly a: NetHost;
  readonly b: NetHost;
}

export interface TwoNodeChildOptions {
  /** Prefix of the temporary directory the stores live in. */
  readonly dirPrefix: string;
  /** Runs first, in that directory; what it returns is added to both hosts' options. */
  readonly prepare?: (dir: string) => Promise<Partial<NetHostOptions>>;
  /** Runs once both hosts are up, before B is awaited to sync; may add to `result`. */
  readonly whileUp?: (nodes: TwoNodes, result: Record<string, unknown>) => Promise<void>;
}

/**
 * The body of a LAN child: hosts A (seeded with `history`) and B, both with mDNS every 500 ms,
 * wait until B holds the history, then print one JSON line: `peersOfB`, `peerA`,
 * `frontiersEqual`, `stored`, whatever `whileUp` added, or `error`.
 */
export async function runTwoNodeChild(o: TwoNodeChildOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), o.dirPrefix));
  const result: Record<string, unknown> = {};
  try {
    const extra = (await o.prepare?.(dir)) ?? {};
    const nodeA = openNode(dir, 'a');
    const nodeB = openNode(dir, 'b');
    await seed(nodeA, history);
    const options = { mdns: { intervalMs: 500 }, ...extra };
    const a = await startHost(nodeA, options);
    const b = await startHost(nodeB, options);
    try {
      await o.whileUp?.({ nodeA, nodeB, a, b }, result);
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
}
