// Run by bridge-netns.test.ts inside one network namespace: a whole MeshNode driven by JSON
// commands on stdin, one per line ({ id, op, ... }), each answered by one JSON line on stdout
// ({ id, ...result } or { id, error }). The first line is { ready, peerId, addresses }; stdin's end
// stops the node, which then reports { stopped }.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Identity } from '../../src/identity/index.ts';
import { MeshNode } from '../../src/node/index.ts';
import { provider } from '../support/fixtures.ts';
import { texts, until } from './mesh-watch.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
    listen: { type: 'string', default: '' },
    mdns: { type: 'boolean', default: false },
    peer: { type: 'string', multiple: true, default: [] },
  },
});
const write = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

interface Command {
  readonly id: number;
  readonly op: string;
  readonly [field: string]: unknown;
}

async function run(node: MeshNode, c: Command): Promise<object> {
  const s = (field: string): string => String(c[field]);
  const ms = typeof c['ms'] === 'number' ? c['ms'] : 30_000;
  switch (c.op) {
    case 'create':
      return { group: await node.groups.createGroup(s('name')) };
    case 'invite':
      return { code: await node.invite(s('group'), 3600) };
    case 'join':
      return await node.join(s('code'));
    case 'send':
      return { vertex: await node.groups.send(s('group'), s('text')) };
    case 'wait-peer':
      await until(() => node.net.peers().some((p) => p.peerId === s('peer')), ms, `peer ${s('peer')}`);
      return {};
    case 'wait-members':
      await until(() => node.groups.groups().some((g) => g.id === s('group') && g.members === Number(c['members'])), ms, `${String(c['members'])} members in ${s('group')}`);
      return {};
    case 'wait-text':
      await until(() => texts(node, s('group')).includes(s('text')), ms, `"${s('text')}" in ${s('group')}`);
      return {};
    case 'status':
      return {
        groups: node.groups.groups().map((g) => g.id),
        vertices: node.store.vertexCount,
        foreign: node.courier.usage(),
        peers: node.net.peers().map((p) => p.peerId),
      };
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

try {
  const node = new MeshNode({
    identity: Identity.fromSeed(new Uint8Array(32).fill(Number(values.seed)), provider),
    provider,
    storePath: values.store,
    workers: 1,
    net: {
      listen: [values.listen],
      mdns: values.mdns ? { intervalMs: 500 } : false,
      dht: false,
      peers: values.peer,
      antiEntropy: { connectDelayMs: 50, intervalMs: 1_000 },
      redial: { initialDelayMs: 100, maxDelayMs: 1_000 },
    },
  });
  await node.start();
  write({ ready: true, peerId: node.net.peerId, addresses: node.multiaddrs() });
  // Commands run one at a time, in order.
  for await (const line of createInterface({ input: process.stdin })) {
    const c = JSON.parse(line) as Command;
    try {
      write({ id: c.id, ...(await run(node, c)) });
    } catch (error) {
      write({ id: c.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  await node.stop();
  write({ stopped: true });
} catch (error) {
  write({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
}
