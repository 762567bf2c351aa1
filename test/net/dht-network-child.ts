// Run by dht-discovery.test.ts in a process of its own (no test-runner hooks on the hot path):
// NODES hosts on loopback, each bootstrapped to one random other, in GROUPS overlapping groups.
// Every member announces its group, looks the group up through the DHT alone, dials what it found,
// and waits for the group's messages. Prints one JSON line with what it saw.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSessionId } from '../../src/group/index.ts';
import { makeAuthor, prng, provider, randomDag } from '../support/fixtures.ts';
import { bootstrapRandomly, endChild, inBatches, startDhtPeers, type DhtPeer } from './dht-support.ts';
import { until, type FileScope } from './net-support.ts';

const NODES = Number(process.argv[2] ?? 30);
const GROUPS = Number(process.argv[3] ?? 4);
const MEMBERS = Number(process.argv[4] ?? 7);

const scope: FileScope = { dir: mkdtempSync(join(tmpdir(), 'pars-dht-net-')), hosts: [], nodes: [] };
const result: Record<string, unknown> = {};
let failure: unknown;
const t0 = performance.now();
const phases: Record<string, number> = {};
result.phasesMs = phases;
const mark = (name: string): void => void (phases[name] = Math.round(performance.now() - t0));
try {
  const peers = await startDhtPeers(scope, NODES, 'n');
  mark('started');
  await bootstrapRandomly(peers, 7);
  mark('bootstrapped');
  const random = prng(11);
  const groups = Array.from({ length: GROUPS }, (_, g) => {
    const members = new Set<DhtPeer>();
    while (members.size < MEMBERS) members.add(peers[Math.floor(random() * NODES)] as DhtPeer);
    return { g, sessionId: deriveSessionId(provider, provider.randomBytes(32)), members: [...members], memberIds: new Set([...members].map((m) => m.nodeIdHex)) };
  });
  const memberships = groups.flatMap((group) => group.members.map((peer) => ({ group, peer })));
  result.memberships = memberships.length;
  result.nodesInTwoGroups = memberships.length - new Set(memberships.map((m) => m.peer)).size;

  const announced: number[] = [];
  await inBatches(memberships, 4, async ({ group, peer }) => {
    announced.push((await peer.host.presence.announcePresence(group.sessionId)).providerPeers);
  });
  result.minProviderPeers = Math.min(...announced);
  mark('announced');

  const misses: string[] = [];
  const wrongNode: string[] = [];
  const queried: number[] = [];
  await inBatches(memberships, 4, async ({ group, peer }) => {
    const found = await peer.host.presence.findSessionPeers(group.sessionId, { members: group.memberIds });
    queried.push(found.queriedPeers);
    const got = new Set(found.peers.map((p) => p.peerId));
    for (const m of group.members) if (m !== peer && !got.has(m.host.peerId)) misses.push(`group ${group.g}: ${peer.host.peerId} missed ${m.host.peerId}`);
    for (const p of found.peers) {
      if (peers.find((x) => x.host.peerId === p.peerId)?.nodeIdHex !== p.nodeIdHex) wrongNode.push(p.peerId);
      await peer.host.dial(p.addresses[0] as string).catch(() => undefined);
    }
  });
  mark('looked up');
  result.misses = misses;
  result.wrongNode = wrongNode;
  result.lookups = queried.length;
  result.maxQueriedPeers = Math.max(...queried);

  // Outsiders: without the member filter they see the providers; with a filter naming only themselves, nobody.
  const group0 = groups[0] as (typeof groups)[number];
  const outsider = peers.find((p) => !group0.memberIds.has(p.nodeIdHex)) as DhtPeer;
  result.outsiderUnfiltered = (await outsider.host.presence.findSessionPeers(group0.sessionId)).peers.length;
  const filtered = await outsider.host.presence.findSessionPeers(group0.sessionId, { members: new Set([outsider.nodeIdHex]) });
  result.outsiderFiltered = filtered.peers.length;
  result.outsiderRefused = filtered.refused;
  result.outsiderUnverified = filtered.unverified;

  // Each group's first member writes its messages; every member must end up with them.
  const unsynced: string[] = [];
  await Promise.all(
    groups.map(async (group) => {
      const author = makeAuthor(100 + group.g);
      const history = randomDag({ vertices: 12, authors: [author], topics: 1, seed: 500 + group.g });
      for (const p of peers) p.node.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: author.publicKey });
      await (group.members[0] as DhtPeer).node.ingester.ingest(history.map((v) => v.bytes), 'local');
      await Promise.all(
        group.members.map((m) =>
          until(m.host, () => history.every((v) => m.node.ingester.dag.has(v.id)), 60_000, 'messages').catch(() => unsynced.push(`group ${group.g} at ${m.host.peerId}`)),
        ),
      );
    }),
  );
  mark('synced');
  result.unsynced = unsynced;
} catch (error) {
  failure = error ?? new Error('unknown failure');
}
await endChild(scope, result, failure);
