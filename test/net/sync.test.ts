import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PQ_PROTOCOL, type NetHost, type SessionReport } from '../../src/net/index.ts';
import { fileScope, frontiers, history, openNode, seed, startHost, tcpAddress, until, wsAddress, type TestNode } from './net-support.ts';

const { dir, hosts, nodes } = fileScope('pars-net-sync-');

async function pair(name: string): Promise<{ a: NetHost; b: NetHost; nodeA: TestNode; nodeB: TestNode; sessions: SessionReport[] }> {
  const nodeA = openNode(dir, `${name}-a`);
  const nodeB = openNode(dir, `${name}-b`);
  nodes.push(nodeA, nodeB);
  await seed(nodeA, history);
  const a = await startHost(nodeA);
  const b = await startHost(nodeB);
  hosts.push(a, b);
  const sessions: SessionReport[] = [];
  b.on('session', (r) => sessions.push(r));
  return { a, b, nodeA, nodeB, sessions };
}

for (const transport of ['tcp', 'ws'] as const) {
  test(`over ${transport === 'tcp' ? 'TCP' : 'WebSocket'}: B dials A and ends with exactly A's frontiers, keys included`, async () => {
    const { a, b, nodeA, nodeB, sessions } = await pair(transport);
    assert.equal(nodeB.ingester.dag.size, 0);
    assert.equal(nodeB.ingester.store.keys().length, 0, 'B starts without any author key');
    const peer = await b.dial(transport === 'tcp' ? tcpAddress(a) : wsAddress(a));
    assert.equal(peer, a.peerId);
    await until(b, () => nodeB.ingester.dag.size === history.length, 30_000, 'B to hold every vertex');
    assert.deepEqual(frontiers(nodeB.ingester.dag), frontiers(nodeA.ingester.dag));
    assert.equal(nodeB.ingester.store.vertexCount, history.length, 'durably stored');
    const done = sessions.find((s) => s.outcome === 'completed' && s.role === 'initiator');
    assert.ok(done !== undefined, 'the dialler reconciled on connection');
    assert.equal(done.peer, a.peerId);
    assert.equal(done.stored, history.length);
    assert.ok(done.stats.keysSent === 0 && nodeB.ingester.store.keys().length > 0, 'author keys came with the vertices');
    assert.equal(b.state, 'online');
    // Over TCP and WebSocket alike, the one connection is secured by the post-quantum encrypter.
    assert.deepEqual(b.stats().encryptions, { [PQ_PROTOCOL]: 1 });
    assert.deepEqual(a.stats().encryptions, { [PQ_PROTOCOL]: 1 });
    const [summary] = b.peers();
    assert.equal(summary?.peerId, a.peerId);
    assert.ok((summary?.bytesIn ?? 0) > history.reduce((n, v) => n + v.bytes.length, 0), 'bytes in count every vertex');
    assert.ok(summary?.lastSyncAt !== undefined);
    // Nothing left to do: a second session moves no vertex.
    const [again] = await b.syncNow(a.peerId);
    assert.equal(again?.outcome, 'completed');
    assert.equal(again?.stats.verticesReceived, 0);
    assert.equal(again?.stats.verticesSent, 0);
  });
}
