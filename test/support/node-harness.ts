import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import type { Identity } from '../../src/identity/index.ts';
import { Ingester, NodeGroups } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { identityOf, provider } from './fixtures.ts';

/*
 * Nodes in their own data directories for tests: real crypto, real SQLite, NodeGroups. Without a
 * network, `copy` carries every vertex and author key of one store into another node's ingester.
 * Every node a test opens is stopped after it, even when it fails (a live verify worker would
 * keep the process running).
 */

export interface TestNode {
  readonly name: string;
  readonly identity: Identity;
  readonly clock: { t: number };
  readonly path: string;
  ingester: Ingester;
  groups: NodeGroups;
}

export const START = Date.UTC(2025, 0, 1);

export interface NodeHarness {
  open(name: string, n: number): TestNode;
  stop(node: TestNode): Promise<void>;
  restart(node: TestNode): Promise<void>;
}

/** A harness whose nodes live under `dir`; call at the top level of a test file. */
export function nodeHarness(dir: string): NodeHarness {
  const running = new Set<TestNode>();
  const start = (path: string, identity: Identity, clock: { t: number }): { ingester: Ingester; groups: NodeGroups } => {
    const ingester = new Ingester({ provider, store: SqliteStore.open(path), workers: 1 });
    return { ingester, groups: new NodeGroups(ingester, identity, { now: () => clock.t }) };
  };
  const stop = async (node: TestNode): Promise<void> => {
    running.delete(node);
    await node.groups.close();
    await node.ingester.close();
    node.ingester.store.close();
  };
  afterEach(async () => {
    for (const node of running) await stop(node);
  });
  return {
    open(name: string, n: number): TestNode {
      const identity = identityOf(n);
      const clock = { t: START };
      const path = join(dir, `${name}.sqlite`);
      const node = { name, identity, clock, path, ...start(path, identity, clock) };
      running.add(node);
      return node;
    },
    stop,
    async restart(node: TestNode): Promise<void> {
      await stop(node);
      Object.assign(node, start(node.path, node.identity, node.clock));
      running.add(node);
      await node.groups.idle();
    },
  };
}

/** Copies every author key and vertex of `from` into `to`, through `to`'s ingester. */
export async function copy(from: TestNode, to: TestNode): Promise<void> {
  for (const key of from.ingester.store.keys()) to.ingester.addKey(key);
  const report = await to.ingester.ingest([...from.ingester.store.vertexBytes()], from.name);
  assert.deepEqual(report.rejected, [], `${from.name} → ${to.name}`);
  await to.groups.idle();
}

export async function syncAll(nodes: readonly TestNode[]): Promise<void> {
  for (let round = 0; round < 2; round++) for (const a of nodes) for (const b of nodes) if (a !== b) await copy(a, b);
}

/** Invite on `admin`, join on `joiner`, and the two copies that carry request and welcome. */
export async function admit(admin: TestNode, joiner: TestNode, group: string): Promise<void> {
  const code = await admin.groups.invite(group, 3600);
  await joiner.groups.join(code);
  await copy(joiner, admin);
  await copy(admin, joiner);
}

export const texts = (node: TestNode, group: string): string[] => node.groups.log(group).map((m) => m.text);
export const memberIds = (node: TestNode, group: string): string[] => node.groups.members(group).map((m) => m.id);
