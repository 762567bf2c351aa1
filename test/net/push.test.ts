import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetHost, SessionReport } from '../../src/net/index.ts';
import { makeAuthor, topicOf } from '../support/fixtures.ts';
import { authors, fileScope, history, openNode, seed, startHost, tcpAddress, until, type TestNode } from './net-support.ts';

const { dir, hosts, nodes } = fileScope('pars-net-push-');

interface Line {
  readonly hosts: readonly [NetHost, NetHost, NetHost];
  readonly nodes: readonly [TestNode, TestNode, TestNode];
  /** Sessions so far, per host, as a list of counts. */
  sessionCounts(): number[];
}

/**
 * Three nodes in a line A–B–C sharing a past (and every seeded author's key), connected, with
 * the sessions at connection done. Periodic anti-entropy is far away, so only those sessions
 * run. No DHT: its queries would connect A and C directly (Kademlia dials the peers it hears of),
 * and the line is the test.
 */
async function line(prefix: string): Promise<Line> {
  const sessions: SessionReport[][] = [];
  const hostsOf: NetHost[] = [];
  const nodesOf: TestNode[] = [];
  for (const name of ['a', 'b', 'c']) {
    const node = openNode(dir, `${prefix}-${name}`);
    nodes.push(node);
    nodesOf.push(node);
    await seed(node, history.slice(0, 50));
    const host = await startHost(node, { dht: false, antiEntropy: { intervalMs: 3_600_000, retryDelayMs: 200 } });
    hosts.push(host);
    hostsOf.push(host);
    const list: SessionReport[] = [];
    sessions.push(list);
    host.on('session', (r) => list.push(r));
  }
  const [a, b, c] = hostsOf as [NetHost, NetHost, NetHost];
  await b.dial(tcpAddress(a));
  await c.dial(tcpAddress(b));
  const initiated = (list: SessionReport[] | undefined): boolean => list?.some((s) => s.outcome === 'completed' && s.role === 'initiator') ?? false;
  await until(c, () => initiated(sessions[1]) && initiated(sessions[2]), 20_000, 'the sessions at connection');
  assert.deepEqual(a.peers().map((p) => p.peerId), [b.peerId]);
  assert.deepEqual(c.peers().map((p) => p.peerId), [b.peerId]);
  return { hosts: [a, b, c], nodes: nodesOf as [TestNode, TestNode, TestNode], sessionCounts: () => sessions.map((l) => l.length) };
}

test('push: in a line A–B–C a vertex written at A reaches C by gossip, with no sync session', async () => {
  const { hosts: [, b, c], nodes: [nodeA, , nodeC], sessionCounts } = await line('known');
  const before = sessionCounts();

  const vertex = await nodeA.ingester.append(topicOf(1), new TextEncoder().encode('pushed, not pulled'), authors[0] as (typeof authors)[number]);
  await until(c, () => nodeC.ingester.dag.has(vertex.key), 10_000, 'the vertex at C');
  assert.ok(nodeC.ingester.store.hasVertex(vertex.id), 'stored durably at C');
  assert.deepEqual(sessionCounts(), before, 'no reconciliation session ran: the vertex came by push');
  const hop = b.peers().find((p) => p.peerId === c.peerId);
  assert.ok((hop?.bytesOut ?? 0) >= vertex.bytes.length, 'B forwarded the bytes to C');
});

test('push: a vertex of an author B and C never heard of reaches C by gossip alone, its key crossing each link once', async () => {
  const { hosts: [, b, c], nodes: [nodeA, nodeB, nodeC], sessionCounts } = await line('new');
  // A newcomer (a joiner's request, say) whose key only A holds.
  const newcomer = makeAuthor(77);
  nodeA.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: newcomer.publicKey });
  assert.equal(nodeB.ingester.keys.has(newcomer.author) || nodeC.ingester.keys.has(newcomer.author), false);
  const before = sessionCounts();
  const sentToC = (): number => b.peers().find((p) => p.peerId === c.peerId)?.bytesOut ?? 0;

  let out = sentToC();
  const first = await nodeA.ingester.append(topicOf(2), new TextEncoder().encode('hello from a newcomer'), newcomer);
  await until(c, () => nodeC.ingester.dag.has(first.key), 10_000, 'the newcomer\'s first vertex at C');
  const firstHop = sentToC() - out;
  assert.deepEqual(sessionCounts(), before, 'no reconciliation session ran: vertex and key came by push');
  for (const node of [nodeB, nodeC]) {
    assert.ok(node.ingester.store.hasVertex(first.id), 'stored durably');
    assert.deepEqual(node.ingester.store.getKey(newcomer.author)?.publicKey, newcomer.publicKey, 'the key is stored with it');
  }

  out = sentToC();
  const second = await nodeA.ingester.append(topicOf(2), new TextEncoder().encode('and again'), newcomer);
  await until(c, () => nodeC.ingester.dag.has(second.key), 10_000, 'the second vertex at C');
  const secondHop = sentToC() - out;
  assert.deepEqual(sessionCounts(), before);
  const keyBytes = newcomer.publicKey.length;
  assert.ok(firstHop >= first.bytes.length + keyBytes, `the first vertex went with its key (${firstHop} bytes)`);
  assert.ok(secondHop < second.bytes.length + keyBytes, `the second went without (${secondHop} bytes for a ${second.bytes.length}-byte vertex)`);
});
