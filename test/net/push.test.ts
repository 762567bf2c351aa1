import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetHost, SessionReport } from '../../src/net/index.ts';
import { topicOf } from '../support/fixtures.ts';
import { authors, fileScope, history, openNode, seed, startHost, tcpAddress, until, type TestNode } from './net-support.ts';

const { dir, hosts, nodes } = fileScope('pars-net-push-');

test('push: in a line A–B–C a vertex written at A reaches C by gossip, with no sync session', async () => {
  const names = ['a', 'b', 'c'];
  const sessions = new Map<string, SessionReport[]>();
  const line: NetHost[] = [];
  for (const name of names) {
    const node = openNode(dir, name);
    nodes.push(node);
    await seed(node, history.slice(0, 50)); // a shared past, and every author's key
    // Periodic anti-entropy far away: only the sessions at connection run. No DHT: its queries
    // would connect A and C directly (Kademlia dials the peers it hears of), and the line is the test.
    const host = await startHost(node, { dht: false, antiEntropy: { intervalMs: 3_600_000, retryDelayMs: 200 } });
    hosts.push(host);
    line.push(host);
    const list: SessionReport[] = [];
    sessions.set(name, list);
    host.on('session', (r) => list.push(r));
  }
  const [a, b, c] = line as [NetHost, NetHost, NetHost];
  const [nodeA, , nodeC] = nodes as [TestNode, TestNode, TestNode];
  await b.dial(tcpAddress(a));
  await c.dial(tcpAddress(b));
  const settled = (): boolean => (sessions.get('b')?.some((s) => s.outcome === 'completed' && s.role === 'initiator') ?? false) && (sessions.get('c')?.some((s) => s.outcome === 'completed' && s.role === 'initiator') ?? false);
  await until(c, settled, 20_000, 'the sessions at connection');
  assert.deepEqual(a.peers().map((p) => p.peerId), [b.peerId]);
  assert.deepEqual(c.peers().map((p) => p.peerId), [b.peerId]);
  const before = names.map((n) => sessions.get(n)?.length);

  const vertex = await nodeA.ingester.append(topicOf(1), new TextEncoder().encode('pushed, not pulled'), authors[0] as (typeof authors)[number]);
  await until(c, () => nodeC.ingester.dag.has(vertex.key), 10_000, 'the vertex at C');
  assert.ok(nodeC.ingester.store.hasVertex(vertex.id), 'stored durably at C');
  assert.deepEqual(
    names.map((n) => sessions.get(n)?.length),
    before,
    'no reconciliation session ran: the vertex came by push',
  );
  const hop = b.peers().find((p) => p.peerId === c.peerId);
  assert.ok((hop?.bytesOut ?? 0) >= vertex.bytes.length, 'B forwarded the bytes to C');
});
