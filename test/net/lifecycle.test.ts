import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { derivePeerKey, type ConnectivityState, type NetHost } from '../../src/net/index.ts';
import { provider, topicOf } from '../support/fixtures.ts';
import { authors, closeNode, fileScope, frontiers, history, openNode, seed, startHost, tcpAddress, until } from './net-support.ts';

const { dir, hosts, nodes } = fileScope('pars-net-life-');

test('offline/online: A keeps writing while B is gone; B restarted on its store catches up with no manual sync', async () => {
  const seedB = new Uint8Array(32).fill(7);
  const nodeA = openNode(dir, 'a');
  let nodeB = openNode(dir, 'b');
  nodes.push(nodeA);
  await seed(nodeA, history.slice(0, 40));
  await seed(nodeB, history.slice(0, 40));
  // Periodic sessions far away: catching up must come from the reconnection itself.
  const slow = { antiEntropy: { intervalMs: 3_600_000 } };
  const a = await startHost(nodeA, slow);
  hosts.push(a);
  const statesA: ConnectivityState[] = [a.state];
  a.on('state', (s) => statesA.push(s));
  const b1 = await startHost(nodeB, { ...slow, privateKey: await derivePeerKey(Identity.fromSeed(seedB, provider)) });
  await b1.dial(tcpAddress(a));
  // A learns where B listens (identify) before B goes: that is what it redials.
  await until(a, () => a.peers().length === 1 && a.knownPeers().some((p) => p.peerId === b1.peerId && p.addresses.length > 0), 10_000, 'A to see B');
  assert.equal(a.state, 'online');

  await b1.stop();
  assert.equal(b1.state, 'offline');
  await until(a, () => a.peers().length === 0, 10_000, 'A to notice B left');
  assert.equal(a.state, 'reconnecting', 'A redials the peer it lost');

  const written: DecodedVertex[] = [];
  for (let i = 0; i < 20; i++) written.push(await nodeA.ingester.append(topicOf(1 + (i % 2)), Uint8Array.of(i), authors[i % authors.length] as (typeof authors)[number]));
  assert.equal(nodeA.ingester.store.vertexCount, 60, 'local writes are accepted while alone');

  // B restarts: same store, same identity seed (so the same peer id), the peers it knew.
  const known = b1.knownPeers();
  assert.deepEqual(known.map((p) => p.peerId), [a.peerId]);
  await closeNode(nodeB);
  nodeB = openNode(dir, 'b');
  nodes.push(nodeB);
  const b2 = await startHost(nodeB, { ...slow, privateKey: await derivePeerKey(Identity.fromSeed(seedB, provider)), knownPeers: known });
  hosts.push(b2);
  assert.equal(b2.peerId, b1.peerId, 'the derived peer key gives the same peer id');
  const statesB: ConnectivityState[] = [b2.state];
  b2.on('state', (s) => statesB.push(s));
  await until(b2, () => written.every((v) => nodeB.ingester.dag.has(v.key)), 20_000, 'B to hold all 20 new vertices');
  assert.deepEqual(frontiers(nodeB.ingester.dag), frontiers(nodeA.ingester.dag));
  assert.equal(nodeB.ingester.store.vertexCount, 60);
  assert.equal(b2.state, 'online');
  assert.equal(statesB[0], 'reconnecting', 'B starts by dialling the peers it knew');
  await until(a, () => a.state === 'online', 10_000, 'A online again');
  assert.deepEqual(statesA, ['offline', 'online', 'reconnecting', 'online']);
});

/**
 * A (two quick redials, then one every `slowDelayMs`) met B, then B stopped and A spent its quick
 * redials (offline). `restartB` brings B back on its old address, with the same peer id, knowing no one.
 */
async function lostPeer(name: string, seedByte: number, slowDelayMs: number): Promise<{ a: NetHost; restartB: () => Promise<NetHost> }> {
  const nodeA = openNode(dir, `${name}-a`);
  const nodeB = openNode(dir, `${name}-b`);
  nodes.push(nodeA);
  const a = await startHost(nodeA, { redial: { initialDelayMs: 50, factor: 1, maxDelayMs: 50, maxAttempts: 2, slowDelayMs } });
  hosts.push(a);
  const keyB = await derivePeerKey(Identity.fromSeed(new Uint8Array(32).fill(seedByte), provider));
  const b1 = await startHost(nodeB, { privateKey: keyB, listen: ['/ip4/127.0.0.1/tcp/0'] });
  const address = tcpAddress(b1);
  await a.dial(address);
  await until(a, () => a.peers().length === 1 && a.knownPeers().some((p) => p.peerId === b1.peerId && p.addresses.length > 0), 10_000, 'A to see B');
  await b1.stop();
  await closeNode(nodeB);
  await until(a, () => a.state === 'offline', 10_000, 'A to spend its quick redials and go offline');
  const restartB = async (): Promise<NetHost> => {
    const again = openNode(dir, `${name}-b`);
    nodes.push(again);
    const port = /\/tcp\/(\d+)/.exec(address)?.[1] as string;
    const b2 = await startHost(again, { privateKey: keyB, listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    hosts.push(b2);
    return b2;
  };
  return { a, restartB };
}

test('a peer gone past the quick redials is still tried: it comes back on its address after A went offline, and A reconnects by itself', async () => {
  const { a, restartB } = await lostPeer('slow', 9, 500);
  const b = await restartB();
  await until(a, () => a.peers().some((p) => p.peerId === b.peerId), 10_000, 'A to reconnect to B by itself');
  assert.equal(a.state, 'online');
});

test('the first peer to connect after none brings the slow redials forward: the network is back, so A tries B at once', async () => {
  // After the quick attempts the next one is an hour away.
  const { a, restartB } = await lostPeer('back', 10, 3_600_000);
  const b = await restartB();
  // C reaches A: the first peer since A was alone.
  const nodeC = openNode(dir, 'back-c');
  nodes.push(nodeC);
  const c = await startHost(nodeC);
  hosts.push(c);
  await c.dial(tcpAddress(a));
  await until(a, () => a.peers().some((p) => p.peerId === b.peerId), 10_000, 'A to redial B once C connected');
});
