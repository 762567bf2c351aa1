// `npm run bench -- dht [--nodes N] [--lookups L]`: N nodes on loopback (default 32), each
// bootstrapped to one random other, in N/4 sessions of 4 members; every member announces its
// session, then L lookups (default 64) of random sessions by random members. The last line:
// {"bench":"dht","nodes":…,"lookups":…,"success_ratio":…,"median_ms":…,"p95_ms":…,"log2n":…,"median_queried_peers":…}
// where a lookup succeeds when it finds every other member, and queried peers (distinct peers the
// provider query sent a request to, from kad-dht's query events) are reported against log2(n).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultProvider } from '../src/crypto/index.ts';
import { deriveSessionId } from '../src/group/index.ts';
import { Identity } from '../src/identity/index.ts';
import { createNetHost, type NetHost } from '../src/net/index.ts';
import { Ingester } from '../src/node/index.ts';
import { Prng } from '../src/sim/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { median } from './support/median.ts';

const { values } = parseArgs({ args: process.argv.slice(2), options: { nodes: { type: 'string', default: '32' }, lookups: { type: 'string', default: '64' } } });
const N = Number(values.nodes);
const LOOKUPS = Number(values.lookups);
if (!Number.isInteger(N) || N < 4 || !Number.isInteger(LOOKUPS) || LOOKUPS < 1) throw new Error('--nodes is an integer >= 4, --lookups >= 1');

const provider = defaultProvider();
const dir = mkdtempSync(join(tmpdir(), 'pars-bench-dht-'));
/** Seeded, so runs compare. */
const random = new Prng(0x9e3779b9);

interface Member {
  readonly host: NetHost;
  readonly ingester: Ingester;
}
const members: Member[] = [];
try {
  for (let i = 0; i < N; i++) {
    const ingester = new Ingester({ provider, store: SqliteStore.open(join(dir, `n${i}.sqlite`)), workers: 1 });
    const host = await createNetHost({
      ingester,
      identity: Identity.generate(provider),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      // Every node shares 127.0.0.1: the per-address inbound rate limit is for the internet.
      limits: { inboundConnectionsPerSecond: 10_000, maxPendingConnections: 64 },
      dht: { limits: { queryTimeoutMs: 60_000 } },
    });
    members.push({ host, ingester });
  }
  const address = (h: NetHost): string => h.multiaddrs()[0] as string;
  await Promise.all(members.slice(1).map((m, i) => m.host.dial(address((members[random.int(i + 1)] as Member).host))));
  process.stderr.write(`dht: ${N} nodes up and bootstrapped\n`);

  const sessions = Array.from({ length: Math.floor(N / 4) }, (_, s) => ({
    id: deriveSessionId(provider, provider.randomBytes(32)),
    members: members.slice(s * 4, s * 4 + 4),
  }));
  for (const s of sessions) await Promise.all(s.members.map((m) => m.host.presence.announcePresence(s.id)));
  process.stderr.write(`dht: ${sessions.length} sessions announced\n`);

  const times: number[] = [];
  const queried: number[] = [];
  let found = 0;
  for (let l = 0; l < LOOKUPS; l++) {
    const s = random.pick(sessions);
    const who = random.pick(s.members);
    const t = performance.now();
    const r = await who.host.presence.findSessionPeers(s.id);
    times.push(performance.now() - t);
    queried.push(r.queriedPeers);
    const want = s.members.filter((m) => m !== who).map((m) => m.host.peerId);
    if (want.every((p) => r.peers.some((x) => x.peerId === p))) found++;
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'dht',
      nodes: N,
      lookups: LOOKUPS,
      success_ratio: found / LOOKUPS,
      median_ms: Math.round(median(times) * 10) / 10,
      p95_ms: Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number) * 10) / 10,
      log2n: Math.round(Math.log2(N) * 100) / 100,
      median_queried_peers: median(queried),
    }),
  );
} finally {
  for (const m of members) await m.host.stop().catch(() => undefined);
  for (const m of members) {
    await m.ingester.close();
    m.ingester.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
}
