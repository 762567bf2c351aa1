import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeInvite } from '../../src/group/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { MeshNode, type MeshNetOptions } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { provider } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { LOOPBACK_NET, startMesh, stopMesh, storePathOf, texts, until } from '../net/mesh-support.ts';

/*
 * Two whole nodes in one process, on loopback TCP and WebSocket: the group, the invite, the join,
 * the welcome and every message travel over the network alone (nothing is copied between stores).
 */

const dir = tempDir('pars-mesh-node-');

/** Beyond the loopback defaults: WebSocket too, the DHT on, anti-entropy at its default interval. */
const net: MeshNetOptions = {
  listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
  dht: {},
  antiEntropy: { connectDelayMs: 50 },
};

const startNode = (name: string, seed: number, extra: MeshNetOptions = {}): Promise<MeshNode> => startMesh(dir, name, seed, { ...net, ...extra });

test('two MeshNodes: invite with addresses, join over the network, talk both ways; a restarted node redials and catches up by itself', async () => {
  const a = await startNode('a', 1);
  let b = await startNode('b', 2);
  assert.equal(a.state, 'offline', 'no peers known yet');
  const group = await a.groups.createGroup('lan party');

  const code = await a.invite(group, 3600);
  const invite = decodeInvite(provider, code, Date.now());
  assert.ok(invite.ok);
  assert.ok(invite.value.addresses.length > 0, 'the invite carries addresses');
  assert.ok(invite.value.addresses.every((addr) => a.multiaddrs().includes(addr)), 'only the inviter’s own addresses');
  assert.ok(invite.value.addresses[0]?.includes('/tcp/') && !invite.value.addresses[0].includes('/ws'), 'TCP first');

  const joined = await b.join(code);
  assert.equal(joined.groupId, group);
  assert.equal(joined.reached, a.net.peerId, 'the joiner reached the inviter through the invite');
  assert.equal(joined.dialProblem, null);
  await until(() => b.groups.groups().some((g) => g.id === group && g.members === 2), 20_000, 'the welcome at B');
  await until(() => a.groups.members(group).length === 2, 5_000, 'B as a member at A');

  await a.groups.send(group, 'hello from a');
  await until(() => texts(b, group).includes('hello from a'), 10_000, 'a’s message at B');
  await b.groups.send(group, 'hi from b');
  await until(() => texts(a, group).includes('hi from b'), 10_000, 'b’s message at A');

  // Status: online, one peer, and the group reconciled once a session has run since it appeared.
  await b.net.syncNow();
  const status = b.status();
  assert.equal(status.state, 'online');
  assert.equal(status.peerId, b.net.peerId);
  assert.equal(status.peers.connected, 1);
  assert.equal(status.vertices, b.store.vertexCount);
  const lag = status.groups.find((g) => g.id === group);
  assert.ok(lag !== undefined && lag.lastReconciledAt !== null && lag.lagMs !== null && lag.lagMs >= 0, JSON.stringify(status.groups));
  assert.equal(lag.members, 2);
  const peers = b.peers();
  assert.deepEqual(peers.connected.map((p) => p.peerId), [a.net.peerId]);
  assert.ok((peers.connected[0]?.bytesIn ?? 0) > 0 && (peers.connected[0]?.bytesOut ?? 0) > 0);
  assert.ok(peers.known.some((p) => p.peerId === a.net.peerId && p.connected));

  // B goes away; A keeps writing; B comes back on the same store and finds A with no dial.
  const peerIdB = b.net.peerId;
  await until(() => a.net.knownPeers().some((p) => p.peerId === peerIdB && p.addresses.length > 0), 10_000, 'A to learn B’s address');
  await stopMesh(b);
  await until(() => a.net.peers().length === 0, 10_000, 'A to notice B left');
  assert.equal(a.state, 'reconnecting');
  await a.groups.send(group, 'while b was away');

  const reopened = SqliteStore.open(storePathOf(dir, 'b'));
  try {
    assert.deepEqual(reopened.net.knownPeers().map((p) => p.peerId), [a.net.peerId], 'B remembered A in its store');
    assert.ok(reopened.net.syncState(a.net.peerId) !== undefined, 'and the sync state of their last session');
    assert.ok(reopened.net.topicSyncs().size > 0);
  } finally {
    reopened.close();
  }

  b = await startNode('b', 2);
  assert.equal(b.net.peerId, peerIdB, 'the same peer id after a restart');
  assert.equal(b.state, 'reconnecting', 'B starts by redialling the peers it remembers');
  await until(() => texts(b, group).includes('while b was away'), 20_000, 'B to catch up');
  assert.equal(b.state, 'online');
  assert.notEqual(b.status().groups[0]?.lastReconciledAt, null, 'the lag survived the restart');
  await b.groups.send(group, 'back again');
  await until(() => texts(a, group).includes('back again'), 10_000, 'b’s new message at A');
  assert.deepEqual(texts(a, group), texts(b, group), 'both logs agree');
  assert.deepEqual(texts(a, group), ['hello from a', 'hi from b', 'while b was away', 'back again']);
});

test('configured peers are dialled at start; a configured address without /p2p/ is refused', async () => {
  const c = await startNode('c', 3);
  const tcp = c.multiaddrs().find((m) => !m.includes('/ws')) as string;
  const d = await startNode('d', 4, { peers: [tcp] });
  await until(() => d.state === 'online' && c.state === 'online', 10_000, 'D to reach C');
  assert.deepEqual(d.peers().connected.map((p) => p.peerId), [c.net.peerId]);

  const bad = new MeshNode({ identity: Identity.fromSeed(new Uint8Array(32).fill(5), provider), provider, storePath: storePathOf(dir, 'e'), workers: 1, net: { ...LOOPBACK_NET, ...net, peers: ['/ip4/127.0.0.1/tcp/1'] } });
  await assert.rejects(bad.start(), { code: 'ERR_NODE_PEER_ADDRESS' });
  await bad.stop();
});

/** Notes `node`'s connections and sessions (what each stored and refused) in `into`. */
function watchSessions(node: MeshNode, name: string, into: string[]): void {
  node.net.on('peer:connect', () => into.push(`${name} connected`));
  node.net.on('session', (r) => {
    const error = r.error === undefined ? '' : ` ${r.error.code} ${r.error.detail}`;
    into.push(`${name} ${r.role} ${r.outcome}${error}: sent ${r.stats.verticesSent}, stored ${r.stored} of ${r.stats.verticesReceived}, refused ${r.rejected}`);
  });
}

/** Waits until `joiner` holds `group` with `members` members; on timeout, says what the joiner and the inviter did. */
async function untilWelcomed(joiner: MeshNode, group: string, members: number, what: string, inviter: MeshNode, seen: readonly string[]): Promise<void> {
  try {
    await until(() => joiner.groups.groups().some((x) => x.id === group && x.members === members), 20_000, what);
  } catch (error) {
    const state = { seen, joins: joiner.groups.pendingJoins(), requests: inviter.groups.joinRequests(group), connected: joiner.peers().connected.length };
    throw new Error(`${(error as Error).message}: ${JSON.stringify(state)}`, { cause: error });
  }
}

test('a join written while no node ran dials the inviter when the node starts; an inviter that did not answer is dialled until it does', async () => {
  // Without mDNS or the DHT, the invite's addresses are the only way the two nodes meet.
  const alone: MeshNetOptions = { dht: false };
  const f = await startNode('f', 6, alone);
  for (const bad of ['not an address', '/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/1/p2p/notapeerid', f.multiaddrs()[0] as string]) {
    assert.equal(f.net.remember(bad), false, `${bad} is not remembered`);
  }
  assert.deepEqual(f.net.knownPeers(), [], 'nothing was remembered');
  const group = await f.groups.createGroup('offline join');
  const code = await f.invite(group, 3600);

  // As `pars group join` does with no node running: the request is written; the network starts later.
  const g = new MeshNode({ identity: Identity.fromSeed(new Uint8Array(32).fill(7), provider), provider, storePath: storePathOf(dir, 'g'), workers: 1, net: { ...LOOPBACK_NET, ...net, ...alone } });
  // What the two did, said if a welcome does not come. A joiner's first session once lost its
  // request to a false positive of the inviter's author filter (no key sent, the vertex refused).
  const seen: string[] = [];
  watchSessions(f, 'F', seen);
  try {
    await g.groups.join(code);
    await g.start();
    watchSessions(g, 'G', seen);
    await untilWelcomed(g, group, 2, 'the welcome at G, which dialled F at start', f, seen);
  } finally {
    await g.stop();
  }

  // The inviter is down when H joins, and comes back on the same address.
  const second = await f.invite(group, 3600);
  const address = f.multiaddrs().find((m) => !m.includes('/ws')) as string;
  await stopMesh(f);
  const h = await startNode('h', 8, alone);
  watchSessions(h, 'H', seen);
  const joined = await h.join(second);
  assert.equal(joined.reached, null);
  assert.notEqual(joined.dialProblem, null, 'the inviter did not answer');
  const back = await startNode('f', 6, { ...alone, listen: [address.slice(0, address.indexOf('/p2p/'))] });
  seen.push('F back');
  watchSessions(back, 'F', seen);
  await untilWelcomed(h, group, 3, 'the welcome at H, which kept dialling F', back, seen);
  await until(() => back.groups.members(group).length === 3, 5_000, 'H as a member at F');
});

test('a join written while the joiner is already connected to the inviter goes by push: welcomed with no session, then both talk', async () => {
  // Periodic anti-entropy far away: after the sessions at connection, only push moves vertices.
  const quiet: MeshNetOptions = { antiEntropy: { connectDelayMs: 50, intervalMs: 3_600_000 } };
  const p = await startNode('p', 16, quiet);
  const q = await startNode('q', 17, quiet);
  const sessions: string[] = [];
  for (const node of [p, q]) node.net.on('session', (r) => sessions.push(`${r.role} ${r.outcome}`));
  await q.net.dial(p.multiaddrs()[0] as string);
  await until(() => sessions.includes('initiator completed'), 10_000, 'the session at connection');
  await until(() => sessions.length === 2, 10_000, 'both ends of it');
  const group = await p.groups.createGroup('already connected');

  const joined = await q.join(await p.invite(group, 3600));
  assert.equal(joined.reached, p.net.peerId);
  // The join request is the first vertex of its author that P sees; its key has to come with it.
  await until(() => q.groups.groups().some((g) => g.id === group && g.members === 2), 20_000, 'the welcome at Q');
  await q.groups.send(group, 'first words');
  await until(() => texts(p, group).includes('first words'), 10_000, 'Q’s message at P');
  assert.deepEqual(sessions.sort(), ['initiator completed', 'responder completed'], 'no session ran after the one at connection');
});
