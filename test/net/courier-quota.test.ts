import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import type { SessionReport } from '../../src/net/index.ts';
import type { MeshNode } from '../../src/node/index.ts';
import { tempDir } from '../support/tmp.ts';
import { startMesh, stopMesh, texts, until } from './mesh-support.ts';

/*
 * Two whole nodes on loopback. A is in groups G and H; C is in H only, so it carries G as a
 * courier, with quotas far below what A writes to G. C keeps G up to its quota and not a byte
 * more, no one is charged for it, sync stops asking for G (sessions move no vertex), and H —
 * C's own group — keeps syncing, beyond the foreign total. After a restart C counts the same.
 */

const dir = tempDir('pars-courier-quota-');
const KIB = 1024;
const QUOTA = 100 * KIB;
const courier = { maxTopicBytes: QUOTA, maxTotalBytes: QUOTA };
/**
 * Sessions at connection only, no periodic ones: the test runs its own and counts what they move,
 * and a scheduled session holding a stream at that moment would turn them away (each protocol
 * takes two streams per connection). Gossip carries new messages meanwhile.
 */
const quiet = { antiEntropy: { connectDelayMs: 50, intervalMs: 600_000 } };

function topicOfGroup(node: MeshNode, group: string): Uint8Array {
  const entry = node.groups.bundleKeys().find((g) => g.id === group);
  assert.ok(entry !== undefined, `group ${group} at ${node.net.peerId}`);
  return entry.topic;
}

/**
 * A session of `node` with `peer`, run again while the peer turns it away as busy: the nodes'
 * scheduled anti-entropy sessions run too, and one of them may hold the peer at that moment.
 */
async function sessionWith(node: MeshNode, peer: string): Promise<SessionReport[]> {
  for (let attempt = 0; ; attempt++) {
    const reports = await node.net.syncNow(peer);
    const busy = reports.some((r) => r.outcome === 'failed' && r.error?.detail.includes('busy') === true);
    if (!busy || attempt === 20) return reports;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a courier stops at its quota for a foreign group while its own group keeps syncing', { timeout: 120_000 }, async () => {
  const a = await startMesh(dir, 'a', 1, quiet);
  let c = await startMesh(dir, 'c', 3, { courier, ...quiet });
  const g = await a.groups.createGroup('not for c');
  const h = await a.groups.createGroup('shared with c');
  await c.join(await a.invite(h, 3600));
  await until(() => c.groups.groups().some((x) => x.id === h && x.members === 2), 30_000, 'C in H');
  const gTopic = topicOfGroup(a, g);

  const sent: string[] = [];
  for (let i = 0; i < 40; i++) {
    await a.groups.send(g, `g message ${i}`);
    const text = `h message ${i}`;
    await a.groups.send(h, text);
    sent.push(text);
  }
  await until(() => sent.every((t) => texts(c, h).includes(t)), 60_000, 'every H message at C');
  const hBytes = [...c.ingester.store.vertexBytes(topicOfGroup(c, h))].reduce((n, b) => n + b.length, 0);
  assert.ok(hBytes > QUOTA, `C holds ${hBytes} bytes of its own group, more than the foreign total ${QUOTA}`);

  // Whatever is still on its way settles; then C holds G up to the quota and no more.
  await c.net.syncNow();
  const gAtA = a.ingester.dag.topicSize(gTopic);
  const gAtC = c.ingester.dag.topicSize(gTopic);
  const usage = c.courier.usage();
  assert.ok(gAtC > 0 && gAtC < gAtA, `C carries ${gAtC} of ${gAtA} vertices of G`);
  assert.ok(usage.bytes <= QUOTA && usage.bytes > QUOTA - 72 * KIB, `C holds ${usage.bytes} foreign bytes (quota ${QUOTA})`);
  assert.equal(usage.topics, 1);
  assert.equal(c.courier.carries(gTopic, a.net.peerId), false);

  // Sync stops asking: sessions in both directions move no vertex, and nobody is charged.
  for (let round = 0; round < 2; round++) {
    for (const r of await sessionWith(c, a.net.peerId)) {
      assert.equal(r.outcome, 'completed', JSON.stringify(r.error));
      assert.equal(r.stats.verticesReceived + r.stats.verticesSent, 0, `C-initiated session ${round}`);
    }
    for (const r of await sessionWith(a, c.net.peerId)) {
      assert.equal(r.outcome, 'completed', JSON.stringify(r.error));
      assert.equal(r.stats.verticesReceived + r.stats.verticesSent, 0, `A-initiated session ${round}`);
    }
  }
  assert.equal(c.ingester.dag.topicSize(gTopic), gAtC);
  assert.deepEqual(c.net.banned(), []);
  assert.deepEqual(a.net.banned(), []);
  assert.equal(c.net.peers().length, 1);

  // The own group keeps going.
  await a.groups.send(h, 'after the quota');
  await until(() => texts(c, h).includes('after the quota'), 20_000, 'a later H message at C');

  // Restarted, C derives the same counts from its store and still does not take G.
  await stopMesh(c);
  c = await startMesh(dir, 'c', 3, { courier, ...quiet });
  assert.deepEqual(c.courier.usage(), { ...usage, declined: 0 });
  await until(() => c.net.peers().length === 1, 20_000, 'C back with A');
  for (const r of await sessionWith(c, a.net.peerId)) assert.equal(r.stats.verticesReceived, 0);
  assert.equal(c.ingester.dag.topicSize(gTopic), gAtC);
  await a.groups.send(h, 'after the restart');
  await until(() => texts(c, h).includes('after the restart'), 20_000, 'an H message after the restart');
  assert.equal(toHex(topicOfGroup(c, h)), toHex(topicOfGroup(a, h)));
});
