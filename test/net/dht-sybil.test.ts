import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { multiaddr } from '@multiformats/multiaddr';
import { Identity } from '../../src/identity/index.ts';
import { connectionEncrypters, dhtLimitsOf, encodePresenceRecord, GOSSIP_PROTOCOL, netLimitsOf, presenceKey, PresenceVerifier } from '../../src/net/index.ts';
import { createLibp2pNode, type Libp2pNode } from '../../src/net/libp2p-node.ts';
import { deriveSessionId } from '../../src/group/index.ts';
import { provider } from '../support/fixtures.ts';
import { bootstrapRandomly, inBatches, startDhtPeers, TEST_DHT_LIMITS } from './dht-support.ts';
import { fileScope, tcpAddress } from './net-support.ts';

const scope = fileScope('pars-dht-sybil-');
const SYBILS = 100;

/** A made-up peer: a bare libp2p node with the mesh's DHT, keeping the gossip stream open so the hosts keep it. */
async function sybil(): Promise<Libp2pNode> {
  const limits = dhtLimitsOf(TEST_DHT_LIMITS);
  const node = await createLibp2pNode({
    listen: [],
    limits: netLimitsOf({ inboundConnectionsPerSecond: 10_000 }),
    mdns: false,
    encrypters: connectionEncrypters(Identity.generate(provider)),
    refuses: () => false,
    dht: { verifier: new PresenceVerifier(provider, limits, Date.now) },
    dhtLimits: limits,
    onLanPeer: () => undefined,
  });
  await node.handle(GOSSIP_PROTOCOL, async (stream) => {
    for await (const chunk of stream) void chunk;
  });
  await node.start();
  return node;
}

test(`DHT under a Sybil burst of ${SYBILS} made-up peer ids: no crash, bounded state, honest lookups still succeed`, { timeout: 150_000 }, async () => {
  const honest = await startDhtPeers(scope, 5, 'h');
  await bootstrapRandomly(honest, 3);
  const sessionId = deriveSessionId(provider, provider.randomBytes(32));
  const members = new Set(honest.map((h) => h.nodeIdHex));
  for (const h of honest) await h.host.presence.announcePresence(sessionId);

  const targets = honest.map((h) => tcpAddress(h.host));
  const session = CID.createV1(0x55, await sha256.digest(sessionId));
  const forger = Identity.generate(provider);
  let sent = 0;
  await inBatches(
    Array.from({ length: SYBILS }, (_, i) => i),
    20,
    async (i) => {
      const node = await sybil();
      try {
        await node.dial(multiaddr(targets[i % targets.length] as string), { signal: AbortSignal.timeout(10_000) });
        const dht = node.services.dht;
        if (dht === undefined) throw new Error('no DHT');
        const me = node.peerId.toString();
        const signal = AbortSignal.timeout(10_000);
        const drain = async (events: AsyncIterable<unknown>): Promise<void> => {
          try {
            for await (const e of events) void e;
          } catch {
            // Refusals and timeouts are what the honest nodes answer with.
          }
        };
        // A provider entry under the honest session (anyone who knows the id can add one), one
        // under a random key, a presence record naming an honest node it cannot sign for, and one
        // of absurd size.
        await drain(dht.provide(session, { signal }));
        await drain(dht.provide(CID.createV1(0x55, await sha256.digest(provider.randomBytes(32))), { signal }));
        const stolen = encodePresenceRecord(provider, forger, { peerId: me, addresses: ['/ip4/127.0.0.1/tcp/1'], issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
        const forged = Uint8Array.from(stolen);
        forged[forged.length - 5] = (forged[forged.length - 5] as number) ^ 1;
        await drain(dht.put(presenceKey(me), forged, { signal }));
        await drain(dht.put(presenceKey(me), new Uint8Array(1024 * 1024), { signal }));
        sent++;
      } finally {
        await node.stop();
      }
    },
  );
  assert.equal(sent, SYBILS);

  // The Sybils are gone (dead routing entries, provider entries without a presence record).
  for (const h of honest) {
    const found = await h.host.presence.findSessionPeers(sessionId, { members });
    assert.deepEqual(found.peers.map((p) => p.peerId).sort(), honest.filter((x) => x !== h).map((x) => x.host.peerId).sort(), 'every honest member is found');
    const unfiltered = await h.host.presence.findSessionPeers(sessionId);
    assert.equal(unfiltered.peers.length, honest.length - 1, 'providers without a verified presence record are dropped');
  }
  assert.ok(process.memoryUsage().heapUsed < 1024 * 1024 * 1024, 'heap stays bounded');
});
