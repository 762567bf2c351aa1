// Run by lan-netns.test.ts inside one network namespace of the test LAN: a node (store, Ingester,
// NetHost listening on its LAN address, mDNS on, no peers configured) that writes vertices of the
// shared topic, signed by its own author, some before it meets anyone and some after. Reports JSON
// lines on stdout: `ready`, then `synced` once it holds `--total` vertices of the topic and is
// connected to `--peers` peers, then `stopped` after stdin ends.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toHex } from '../../src/crypto/index.ts';
import { makeAuthor, topicOf } from '../support/fixtures.ts';
import { closeNode, openNode, startHost, until } from './net-support.ts';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: '' },
    dir: { type: 'string', default: '' },
    address: { type: 'string', default: '' },
    author: { type: 'string', default: '0' },
    writes: { type: 'string', default: '0' },
    total: { type: 'string', default: '0' },
    peers: { type: 'string', default: '0' },
  },
});
const report = (value: object): void => void process.stdout.write(`${JSON.stringify({ name: values.name, ...value })}\n`);

/** The topic every node of the LAN writes to. */
const TOPIC = topicOf(42);
const writes = Number(values.writes);

// The test owns the directory and removes it, even when it has to kill this process.
const dir = join(values.dir, values.name);
mkdirSync(dir);
try {
  const node = openNode(dir, values.name);
  const author = makeAuthor(Number(values.author));
  node.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: author.publicKey });
  const write = async (i: number): Promise<void> => {
    await node.ingester.append(TOPIC, new TextEncoder().encode(`${values.name} says ${i}`), author);
  };
  for (let i = 0; i < writes; i++) await write(i);
  const host = await startHost(node, { listen: [`/ip4/${values.address}/tcp/0`], mdns: { intervalMs: 500 } });
  try {
    report({ ready: true, peerId: host.peerId, addresses: host.multiaddrs() });
    // Written once a peer is connected: these travel by push and anti-entropy, not the first sync.
    await until(host, () => host.peers().length > 0, 30_000, 'a first peer by mDNS');
    for (let i = writes; i < 2 * writes; i++) await write(i);
    const total = Number(values.total);
    await until(host, () => node.ingester.dag.size === total && host.peers().length === Number(values.peers), 40_000, `${total} vertices and ${values.peers} peers`);
    report({
      synced: true,
      peerId: host.peerId,
      peers: host.peers().map((p) => p.peerId).sort(),
      stored: node.ingester.store.vertexCount,
      frontier: node.ingester.store.frontier(TOPIC).map(toHex),
    });
    // Keep serving the others until the test has heard from every node.
    await new Promise((resolve) => process.stdin.on('end', resolve).resume());
  } finally {
    await host.stop();
    await closeNode(node);
  }
  report({ stopped: true });
} catch (error) {
  report({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
}
