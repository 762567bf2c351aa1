import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ip, lanForTest } from './lan-namespaces.ts';
import { NamespaceChild } from './namespace-child.ts';

/*
 * PIP-1's Starlink bridge, in network namespaces the test makes: a LAN with no internet {A, B}
 * where nodes find each other by mDNS, an "internet" {C} that cannot reach the LAN, and bridge D
 * with an interface in each (a veth pair into C's namespace). D is in no group. A invites C; the
 * join request, the welcome and the messages cross through D alone, both ways. Needs root;
 * without it the test is reported as skipped, with the reason.
 */

const CHILD = fileURLToPath(new URL('./bridge-node-child.ts', import.meta.url));
const INTERNET = { d: '10.204.0.1', c: '10.204.0.2' };

interface Reply {
  readonly [field: string]: unknown;
}

/** A MeshNode process in a namespace, driven by JSON commands (bridge-node-child.ts). */
class BridgeNode extends NamespaceChild<Reply> {
  #id = 0;
  peerId = '';
  addresses: string[] = [];

  constructor(name: string, namespace: string, args: readonly string[]) {
    super(name, namespace, CHILD, args);
  }

  async ready(): Promise<this> {
    const r = await this.next();
    this.peerId = String(r['peerId']);
    this.addresses = r['addresses'] as string[];
    return this;
  }

  async do(op: string, fields: Record<string, unknown> = {}): Promise<Reply> {
    const id = ++this.#id;
    this.send({ id, op, ...fields });
    const r = await this.next();
    assert.equal(r['id'], id);
    return r;
  }

  async stop(): Promise<void> {
    this.endInput();
    assert.equal((await this.next())['stopped'], true);
    assert.equal(await this.exited, 0, `${this.name} shut down cleanly`);
  }
}

test('bridge: a node in two networks carries a group it is not in between a LAN and the internet', { timeout: 120_000 }, async (t) => {
  const setup = lanForTest<BridgeNode>(t, 'pbr');
  if (setup === undefined) return;
  const { lan, dir, nodes } = setup;
  const [hostA, hostB, hostD] = ['a', 'b', 'd'].map((n) => lan.addHost(n));
  if (hostA === undefined || hostB === undefined || hostD === undefined) throw new Error('LAN hosts');
  // The internet side: C's namespace, joined to D's by a veth pair (D's second interface, eth1).
  const internet = lan.addNamespace('inet');
  ip(['-n', hostD.namespace, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', internet]);
  ip(['-n', hostD.namespace, 'addr', 'add', `${INTERNET.d}/24`, 'dev', 'eth1']);
  ip(['-n', hostD.namespace, 'link', 'set', 'eth1', 'up']);
  ip(['-n', internet, 'link', 'set', 'lo', 'up']);
  ip(['-n', internet, 'addr', 'add', `${INTERNET.c}/24`, 'dev', 'eth0']);
  ip(['-n', internet, 'link', 'set', 'eth0', 'up']);

  const start = (name: string, namespace: string, seed: number, args: string[]): Promise<BridgeNode> => {
    const node = new BridgeNode(name, namespace, ['--store', join(dir, `${name}.sqlite`), '--seed', String(seed), ...args]);
    nodes.push(node);
    return node.ready();
  };
  // D listens on every interface (both networks) and speaks mDNS on the LAN.
  const d = await start('d', hostD.namespace, 4, ['--listen', '/ip4/0.0.0.0/tcp/0', '--mdns']);
  const dInternet = d.addresses.find((addr) => addr.startsWith(`/ip4/${INTERNET.d}/tcp/`));
  assert.ok(dInternet !== undefined, `D listens on the internet side: ${d.addresses.join(' ')}`);
  assert.ok(d.addresses.some((addr) => addr.startsWith(`/ip4/${hostD.address}/tcp/`)), 'and on the LAN');
  const a = await start('a', hostA.namespace, 1, ['--listen', `/ip4/${hostA.address}/tcp/0`, '--mdns']);
  const b = await start('b', hostB.namespace, 2, ['--listen', `/ip4/${hostB.address}/tcp/0`, '--mdns']);
  // C knows D's internet address (a bootstrap address, say); there is no mDNS on the internet.
  const c = await start('c', internet, 3, ['--listen', `/ip4/${INTERNET.c}/tcp/0`, '--peer', dInternet]);

  await a.do('wait-peer', { peer: d.peerId });
  await b.do('wait-peer', { peer: d.peerId });
  await c.do('wait-peer', { peer: d.peerId });

  const group = String((await a.do('create', { name: 'across the bridge' }))['group']);
  const code = String((await a.do('invite', { group }))['code']);
  const joined = await c.do('join', { code });
  assert.equal(joined['reached'], null, 'C cannot reach A at the addresses of the invite');
  assert.notEqual(joined['dialProblem'], null);
  await c.do('wait-members', { group, members: 2, ms: 60_000 });

  await a.do('send', { group, text: 'hello from the blocked zone' });
  await c.do('wait-text', { group, text: 'hello from the blocked zone' });
  await c.do('send', { group, text: 'hello from outside' });
  await a.do('wait-text', { group, text: 'hello from outside' });

  const [sa, sb, sc, sd] = await Promise.all([a, b, c, d].map((n) => n.do('status')));
  assert.deepEqual(sd?.['groups'], [], 'D is in no group');
  assert.ok(((sd?.['foreign'] as { bytes: number }).bytes ?? 0) > 0, 'D carried the group as foreign vertices');
  assert.ok(!(sa?.['peers'] as string[]).includes(c.peerId) && !(sc?.['peers'] as string[]).includes(a.peerId), 'A and C never connected');
  assert.ok((sb?.['peers'] as string[]).includes(d.peerId), 'B is on the LAN with D');
  assert.deepEqual(sa?.['groups'], [group]);
  assert.deepEqual(sc?.['groups'], [group]);

  for (const n of [c, b, a, d]) await n.stop();
});
