// Run by dht-sybil.test.ts in a process of its own (no test-runner hooks on the promises of a
// hundred libp2p nodes): HONEST hosts announce one session, then SYBILS made-up peers, each a bare
// libp2p node with the mesh's DHT and a fresh peer id, write junk into the honest nodes' DHT; then
// every honest host looks the session up. Prints one JSON line with what it saw.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { deriveSessionId } from '../../src/group/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { connectionEncrypters, dhtLimitsOf, encodePresenceRecord, GOSSIP_PROTOCOL, netLimitsOf, presenceKey, PresenceVerifier, sessionKey } from '../../src/net/index.ts';
import { createLibp2pNode, type Libp2pNode } from '../../src/net/libp2p-node.ts';
import { provider } from '../support/fixtures.ts';
import { bootstrapRandomly, endChild, inBatches, startDhtPeers, TEST_DHT_LIMITS } from './dht-support.ts';
import { tcpAddress, type FileScope } from './net-support.ts';

const HONEST = Number(process.argv[2] ?? 5);
const SYBILS = Number(process.argv[3] ?? 100);

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

const scope: FileScope = { dir: mkdtempSync(join(tmpdir(), 'pars-dht-sybil-')), hosts: [], nodes: [] };
const result: Record<string, unknown> = {};
let failure: unknown;
try {
  const honest = await startDhtPeers(scope, HONEST, 'h');
  await bootstrapRandomly(honest, 3);
  const sessionId = deriveSessionId(provider, provider.randomBytes(32));
  const members = new Set(honest.map((h) => h.nodeIdHex));
  for (const h of honest) await h.host.presence.announcePresence(sessionId);

  const targets = honest.map((h) => tcpAddress(h.host));
  const session = await sessionKey(sessionId);
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
        await drain(dht.provide(await sessionKey(provider.randomBytes(32)), { signal }));
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
  result.sent = sent;

  // The Sybils are gone (dead routing entries, provider entries without a presence record).
  const lookups: { peerId: string; found: string[]; unfiltered: number }[] = [];
  for (const h of honest) {
    const found = await h.host.presence.findSessionPeers(sessionId, { members });
    const unfiltered = await h.host.presence.findSessionPeers(sessionId);
    lookups.push({ peerId: h.host.peerId, found: found.peers.map((p) => p.peerId), unfiltered: unfiltered.peers.length });
  }
  result.lookups = lookups;
  result.heapUsed = process.memoryUsage().heapUsed;
} catch (error) {
  failure = error ?? new Error('unknown failure');
}
await endChild(scope, result, failure);
