import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { encodeGossip } from '../../src/sync/index.ts';
import { encodeLengthPrefix, GOSSIP_PROTOCOL, SYNC_PROTOCOL, type NetHost, type SessionReport } from '../../src/net/index.ts';
import { createVertex, type DecodedVertex } from '../../src/dag/index.ts';
import { fastProvider, makeAuthor, randomSource, topicOf, type TestAuthor } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { closeNode, frontiers, history, openNode, seed, startHost, tcpAddress, until, type TestNode } from './net-support.ts';
import { rawPeer } from './raw-peer.ts';

// The victim: a node holding 300 vertices, with short timeouts so stalls are caught quickly.
const dir = tempDir('pars-net-bad-');
const TIMEOUT_MS = 300;
let victimNode: TestNode;
let victim: NetHost;
const cleanup: (() => Promise<void>)[] = [];

before(async () => {
  victimNode = openNode(dir, 'victim');
  await seed(victimNode, history);
  victim = await startHost(victimNode, { limits: { idleTimeoutMs: TIMEOUT_MS, frameTimeoutMs: TIMEOUT_MS, linkCheckTimeoutMs: 1_000 } });
  cleanup.push(
    () => victim.stop(),
    () => closeNode(victimNode),
  );
});

after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/**
 * A raw libp2p node that passes for a Pars node (it accepts gossip streams and reads nothing from
 * them) and then writes whatever the test wants on our protocols.
 */
async function attacker(privateKey?: PrivateKey): Promise<Libp2p> {
  const node = await rawPeer(privateKey === undefined ? {} : { privateKey });
  cleanup.push(async () => {
    await node.stop();
  });
  return node;
}

async function open(node: Libp2p, protocol: string): Promise<Stream> {
  return node.dialProtocol(multiaddr(tcpAddress(victim)), protocol);
}

/** The attacker is banned by the victim, its connection is gone, and a new dial is refused. */
async function assertDropped(node: Libp2p, reason: string): Promise<void> {
  const id = node.peerId.toString();
  await until(victim, () => victim.banned().some((b) => b.peer === id), 10_000, `a ban (${reason})`);
  await until(victim, () => node.getConnections().length === 0, 10_000, 'the attacker to be disconnected');
  assert.ok(!victim.peers().some((p) => p.peerId === id));
  await assert.rejects(open(node, SYNC_PROTOCOL), 'a banned peer cannot come back during its cool-down');
}

/** A fresh honest node dials the victim and ends with exactly its history. */
async function honestPeerSyncs(name: string): Promise<void> {
  const node = openNode(dir, name);
  const host = await startHost(node);
  cleanup.push(() => closeNode(node), () => host.stop());
  await host.dial(tcpAddress(victim));
  await until(host, () => node.ingester.dag.size === history.length, 30_000, `${name} to sync`);
  assert.deepEqual(frontiers(node.ingester.dag), frontiers(victimNode.ingester.dag));
  assert.ok(!victim.banned().some((b) => b.peer === host.peerId), 'the honest peer is not blamed');
}

function bans(): { peerId: string; reason: string }[] {
  const seen: { peerId: string; reason: string }[] = [];
  victim.on('peer:banned', (b) => seen.push({ peerId: b.peerId, reason: b.reason }));
  return seen;
}

test('garbage bytes on the sync protocol: dropped; an honest peer still syncs', async () => {
  const seen = bans();
  const node = await attacker();
  const stream = await open(node, SYNC_PROTOCOL);
  stream.send(randomSource(99)(64));
  await assertDropped(node, 'garbage');
  assert.equal(seen[0]?.peerId, node.peerId.toString());
  await honestPeerSyncs('honest-1');
});

test('a length prefix of 2^31: refused from the prefix alone, nothing buffered', async () => {
  const seen = bans();
  const node = await attacker();
  const stream = await open(node, SYNC_PROTOCOL);
  stream.send(encodeLengthPrefix(2 ** 31));
  await assertDropped(node, 'oversized prefix');
  assert.deepEqual(seen.map((s) => s.reason), ['framing']);
  assert.ok(victim.stats().maxBufferedFrameBytes < 4_096, `held ${victim.stats().maxBufferedFrameBytes} bytes`);
  await honestPeerSyncs('honest-2');
});

test('a truncated frame, then the stream closed: dropped', async () => {
  const seen = bans();
  const node = await attacker();
  const stream = await open(node, SYNC_PROTOCOL);
  stream.send(encodeLengthPrefix(1_000));
  stream.send(new Uint8Array(400).fill(1));
  await stream.close();
  await assertDropped(node, 'truncated frame');
  assert.deepEqual(seen.map((s) => s.reason), ['framing']);
  await honestPeerSyncs('honest-3');
});

/** The next failed session the victim reports with `peer`. */
function failedSession(peer: () => string): Promise<SessionReport> {
  return new Promise((resolve) => {
    const listener = (report: SessionReport): void => {
      if (report.peer !== peer() || report.outcome !== 'failed') return;
      victim.off('session', listener);
      resolve(report);
    };
    victim.on('session', listener);
  });
}

test('a peer whose connection drops in the middle of a frame (a crash) is not charged, and may come back at once', async () => {
  const seen = bans();
  const key = await generateKeyPair('Ed25519');
  const node = await attacker(key);
  const failed = failedSession(() => node.peerId.toString());
  const stream = await open(node, SYNC_PROTOCOL);
  stream.send(encodeLengthPrefix(1_000));
  stream.send(new Uint8Array(400).fill(1));
  await until(victim, () => victim.peers().some((p) => p.peerId === node.peerId.toString()), 10_000, 'the attacker to connect');
  // Long enough for the 400 bytes to cross loopback, well short of the 300 ms frame timeout; the
  // assertion on the failure's code below fails if either went otherwise.
  await new Promise((resolve) => setTimeout(resolve, 60));
  await node.stop();
  const report = await failed;
  assert.equal(report.error?.code, 'ERR_FRAME_TRUNCATED', `the session failed on the cut frame (${report.error?.code}: ${report.error?.detail})`);
  assert.deepEqual(seen, [], 'no ban for a lost link');
  const back = await attacker(key);
  assert.equal(back.peerId.toString(), node.peerId.toString());
  const again = await open(back, SYNC_PROTOCOL);
  assert.equal(again.status, 'open', 'the same peer is accepted again at once');
  again.abort(new Error('done'));
});

test('a peer frozen in the middle of a frame (connection open, pings unanswered) is not charged; its connection is closed', async () => {
  const seen = bans();
  const child = spawn(process.execPath, [fileURLToPath(new URL('./frozen-peer-child.ts', import.meta.url)), tcpAddress(victim)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(async () => {
    child.kill('SIGKILL');
  });
  let peerId = '';
  const failed = failedSession(() => peerId);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the frozen peer exited early (${String(code)})`)));
  });
  peerId = (JSON.parse(line) as { peerId: string }).peerId;
  child.kill('SIGSTOP');
  const report = await failed;
  assert.equal(report.error?.code, 'ERR_FRAME_TIMEOUT', `the session timed out on the frame (${report.error?.code}: ${report.error?.detail})`);
  await until(victim, () => !victim.peers().some((p) => p.peerId === peerId), 10_000, 'the silent connection to be closed');
  assert.deepEqual(seen, [], 'no ban for a lost link');
  assert.ok(!victim.banned().some((b) => b.peer === peerId));
  child.kill('SIGKILL');
});

test('slowloris: a stream that opens and never sends is timed out and dropped', async () => {
  const seen = bans();
  const node = await attacker();
  await open(node, SYNC_PROTOCOL);
  await assertDropped(node, 'silent stream');
  assert.deepEqual(seen.map((s) => s.reason), ['timeout']);
  await honestPeerSyncs('honest-4');
});

test('a frame trickled a byte at a time is timed out', async () => {
  const seen = bans();
  const node = await attacker();
  const stream = await open(node, SYNC_PROTOCOL);
  stream.send(encodeLengthPrefix(200));
  const trickle = setInterval(() => {
    if (stream.writeStatus === 'writable') stream.send(Uint8Array.of(1));
  }, 50);
  try {
    await assertDropped(node, 'trickled frame');
  } finally {
    clearInterval(trickle);
  }
  assert.deepEqual(seen.map((s) => s.reason), ['timeout']);
});

test('a flood of 500 pushed vertices with bad signatures: dropped within its budget, none stored', async () => {
  const seen = bans();
  const node = await attacker();
  const stream = await open(node, GOSSIP_PROTOCOL);
  const before = victimNode.ingester.store.vertexCount;
  let sent = 0;
  for (let i = 0; i < 500; i++) {
    const bad = Uint8Array.from((history[i % history.length] as (typeof history)[number]).bytes);
    const at = 100 + Math.floor(i / history.length); // inside the signature
    bad[at] = (bad[at] as number) ^ 0xff;
    const message = encodeGossip({ type: 'push', id: fastProvider.sha3_256(bad), vertex: bad });
    if (stream.writeStatus !== 'writable') break;
    stream.send(encodeLengthPrefix(message.length));
    stream.send(message);
    sent++;
  }
  await assertDropped(node, 'invalid vertices');
  assert.ok(sent > victim.limits.misbehaviourBudget);
  assert.deepEqual(seen.map((s) => s.reason), ['invalid-vertex']);
  assert.equal(victimNode.ingester.store.vertexCount, before, 'no invalid vertex stored');
  assert.equal(victimNode.ingester.dag.quarantine.size, 0, 'nothing left waiting from the offender');
  assert.ok(victim.stats().maxBufferedFrameBytes <= victim.limits.maxSyncFrameBytes + victim.limits.streamWindowBytes, 'reader memory stays bounded');
  await honestPeerSyncs('honest-5');
});

/** A root vertex by `author` on a topic of its own, and the gossip PUSH carrying it with `key`. */
function keyedPush(author: TestAuthor, key: Uint8Array, text: string): { vertex: DecodedVertex; message: Uint8Array } {
  const vertex = createVertex({ topic: topicOf(900), parents: [], lamport: 1, payload: new TextEncoder().encode(text) }, author, fastProvider);
  return { vertex, message: encodeGossip({ type: 'push', id: vertex.id, vertex: vertex.bytes, authorKey: { algorithm: 'ml-dsa-65', publicKey: key } }) };
}

test('pushed vertices sent with another author\'s key: dropped within the budget, neither key nor vertex stored', async () => {
  const seen = bans();
  const node = await attacker();
  const stream = await open(node, GOSSIP_PROTOCOL);
  const author = makeAuthor(91);
  const decoy = makeAuthor(92); // a well-formed key, but not the vertex author's
  const { vertex, message } = keyedPush(author, decoy.publicKey, 'signed by 91, keyed as 92');
  let sent = 0;
  for (let i = 0; i < 100 && stream.writeStatus === 'writable'; i++, sent++) {
    stream.send(encodeLengthPrefix(message.length));
    stream.send(message);
  }
  await assertDropped(node, 'foreign keys');
  assert.ok(sent > victim.limits.misbehaviourBudget);
  assert.deepEqual(seen.map((s) => s.reason), ['bad-key']);
  assert.equal(victimNode.ingester.store.hasVertex(vertex.id), false, 'the vertex is not stored');
  for (const a of [author, decoy]) assert.equal(victimNode.ingester.store.getKey(a.author), undefined, 'no key slipped in');
  await honestPeerSyncs('honest-6');
});

// Last: the victim ends with a vertex beyond the shared history.
test('a pushed vertex of an author the node never heard of, sent with its key: stored at once, by push alone', async () => {
  const seen = bans();
  const node = await attacker(); // it speaks no sync protocol: the key can only come with the push
  const stream = await open(node, GOSSIP_PROTOCOL);
  const author = makeAuthor(93);
  assert.equal(victimNode.ingester.keys.has(author.author), false);
  const { vertex, message } = keyedPush(author, author.publicKey, 'a newcomer\'s first words');
  stream.send(encodeLengthPrefix(message.length));
  stream.send(message);
  await until(victim, () => victimNode.ingester.store.hasVertex(vertex.id), 10_000, 'the newcomer\'s vertex stored');
  assert.deepEqual(victimNode.ingester.store.getKey(author.author)?.publicKey, author.publicKey);
  assert.deepEqual(seen, [], 'an honest keyed push costs nothing');
});
