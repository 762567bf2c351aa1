import { join } from 'node:path';
import { after } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import type { Dag, DecodedVertex } from '../../src/dag/index.ts';
import { createNetHost, PQ_PROTOCOL, type NetHost, type NetHostEvents, type NetHostOptions, type NetStats } from '../../src/net/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { makeAuthor, provider, randomDag, type TestAuthor } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { assertNoStrayErrors, recordStrayErrors } from '../support/stray-errors.ts';

/** Authors of the fixture vertices, and a 300-vertex history over two topics. */
export const authors: TestAuthor[] = [1, 2, 3, 4].map((i) => makeAuthor(i));
export const history: DecodedVertex[] = randomDag({ vertices: 300, authors, topics: 2, seed: 61 });

/** A node's storage: one SQLite file and an Ingester over it (one verify worker: the machine is shared). */
export interface TestNode {
  readonly name: string;
  readonly path: string;
  readonly ingester: Ingester;
}

export function openNode(dir: string, name: string): TestNode {
  const path = join(dir, `${name}.sqlite`);
  return { name, path, ingester: new Ingester({ provider, store: SqliteStore.open(path), workers: 1 }) };
}

export async function closeNode(node: TestNode): Promise<void> {
  await node.ingester.close();
  node.ingester.store.close();
}

/** What one test file starts: a directory for its stores, and the hosts and nodes it registers here. */
export interface FileScope {
  readonly dir: string;
  readonly hosts: NetHost[];
  readonly nodes: TestNode[];
}

/** Encryption protocols other than the post-quantum one among the connections `stats` counted. */
export function nonPqEncryptions(stats: NetStats): string[] {
  return Object.keys(stats.encryptions).filter((e) => e !== PQ_PROTOCOL);
}

/** Encryption protocols other than the post-quantum one that any of `hosts` negotiated (empty when all is well). */
export function otherEncryptions(hosts: readonly NetHost[]): string[] {
  return hosts.flatMap((h) => nonPqEncryptions(h.stats()));
}

/** Fails (at the end of a test file) when connections negotiated `others`, encryptions other than the post-quantum one. */
export function assertPqOnly(others: readonly string[]): void {
  if (others.length > 0) throw new Error(`connections negotiated ${others.join(', ')} instead of ${PQ_PROTOCOL}`);
}

/** A temporary directory for a test file; after its tests, the hosts pushed here stop and the nodes close. */
export function fileScope(prefix: string): FileScope {
  const scope: FileScope = { dir: tempDir(prefix), hosts: [], nodes: [] };
  recordStrayErrors();
  after(async () => {
    // Every connection of every host of the file used the post-quantum encrypter.
    const others = otherEncryptions(scope.hosts);
    for (const h of scope.hosts) await h.stop();
    for (const n of scope.nodes) await closeNode(n);
    assertPqOnly(others);
    await assertNoStrayErrors();
  });
  return scope;
}

/** Stores `vertices` (and their authors' keys) in a node, as if it had written or received them long ago. */
export async function seed(node: TestNode, vertices: readonly DecodedVertex[]): Promise<void> {
  for (const a of authors) node.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  for (let i = 0; i < vertices.length; i += 100) {
    const report = await node.ingester.ingest(vertices.slice(i, i + 100).map((v) => v.bytes));
    if (report.stored.length !== Math.min(100, vertices.length - i)) throw new Error('seeding failed');
  }
}

export function frontiers(dag: Dag): Record<string, string[]> {
  return Object.fromEntries(
    dag
      .topics()
      .sort()
      .map((t) => [t, dag.frontier(t).map(toHex)]),
  );
}

/** Options every test host shares: loopback only, no mDNS, sessions soon after connecting. */
export function hostOptions(node: TestNode, extra: Partial<NetHostOptions> = {}): NetHostOptions {
  return {
    ingester: node.ingester,
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
    mdns: false,
    ...extra,
    antiEntropy: { connectDelayMs: 50, ...extra.antiEntropy },
    redial: { initialDelayMs: 100, maxDelayMs: 1_000, ...extra.redial },
  };
}

export function startHost(node: TestNode, extra: Partial<NetHostOptions> = {}): Promise<NetHost> {
  return createNetHost(hostOptions(node, extra));
}

export function tcpAddress(host: NetHost): string {
  const a = host.multiaddrs().find((m) => m.includes('/tcp/') && !m.includes('/ws'));
  if (a === undefined) throw new Error('no TCP address');
  return a;
}

export function wsAddress(host: NetHost): string {
  const a = host.multiaddrs().find((m) => m.includes('/ws'));
  if (a === undefined) throw new Error('no WebSocket address');
  return a;
}

/** Resolves when `check` holds, testing it now and after every event of `host`; rejects after `ms`. */
export function until(host: NetHost, check: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const events: (keyof NetHostEvents)[] = ['session', 'peer:connect', 'peer:disconnect', 'state', 'peer:banned'];
    const poll = setInterval(test, 50);
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), ms);
    function finish(error?: Error): void {
      clearInterval(poll);
      clearTimeout(timer);
      for (const e of events) host.off(e, test);
      if (error === undefined) resolve();
      else reject(error);
    }
    function test(): void {
      if (check()) finish();
    }
    for (const e of events) host.on(e, test);
    test();
  });
}
