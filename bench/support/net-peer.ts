// Child process of the net-sync benchmark: one node (SQLite store, Ingester, NetHost on loopback
// TCP, no mDNS, no WebSocket), reporting JSON lines on stdout.
//
//   --role serve --store PATH              serves its store; reports its address and frontiers,
//                                          then, when stdin ends, its CPU time and stops
//   --role fetch --store PATH --address A  dials A and reports how long until it stored
//          --vertices N --frontiers FILE   N vertices and its frontiers equal those in FILE
//          [--timeout-s S]                 (or fails after S seconds, default 300)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultProvider } from '../../src/crypto/index.ts';
import { createNetHost, type NetHost, type SessionReport } from '../../src/net/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { startedIngester } from './ingest-limit.ts';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: '' },
    store: { type: 'string', default: '' },
    address: { type: 'string', default: '' },
    vertices: { type: 'string', default: '0' },
    frontiers: { type: 'string', default: '' },
    'timeout-s': { type: 'string', default: '300' },
  },
});

const provider = defaultProvider();
const report = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const cpuMs = (u: NodeJS.CpuUsage): number => Math.round((u.user + u.system) / 1000);
/** Pages this process has touched for the first time (fresh memory: zeroed by the kernel on fault). */
const pageFaults = (): number => process.resourceUsage().minorPageFault;

/** Frontiers as the store holds them on disk: topic hex → sorted vertex ids (hex). */
function storedFrontiers(store: SqliteStore): Record<string, string[]> {
  return Object.fromEntries([...store.frontiers()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, ids]) => [t, [...ids].sort()]));
}

function tcpAddress(host: NetHost): string {
  const address = host.multiaddrs().find((m) => m.includes('/tcp/') && !m.includes('/ws'));
  if (address === undefined) throw new Error('the host has no TCP address');
  return address;
}

/**
 * TCP payload bytes of this process's connections to `port`, both directions, from the kernel's
 * own counters (`ss -ti`: bytes_acked sent and acknowledged, bytes_received): everything the
 * connection carried — the post-quantum handshake and record overhead, yamux, identify, ping and
 * our frames. Undefined when `ss` is missing.
 */
function tcpBytesTo(port: number): number | undefined {
  let out: string;
  try {
    out = execFileSync('ss', ['-tinH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  let total = 0;
  for (const m of out.matchAll(/\bbytes_(?:acked|received):(\d+)/g)) total += Number(m[1]);
  return total;
}

function stdinEnded(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('end', resolve).resume();
  });
}

async function serve(): Promise<void> {
  const ingester = new Ingester({ provider, store: SqliteStore.open(values.store), workers: 1 });
  const host = await createNetHost({ ingester, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false });
  const cpu = process.cpuUsage();
  const faults = pageFaults();
  report({ address: tcpAddress(host), vertices: ingester.store.vertexCount, frontiers: storedFrontiers(ingester.store) });
  await stdinEnded();
  const used = process.cpuUsage(cpu);
  const faulted = pageFaults() - faults;
  await host.stop();
  await ingester.close();
  ingester.store.close();
  report({ cpu_ms: cpuMs(used), page_faults: faulted });
}

async function fetch(): Promise<void> {
  const expected = Number(values.vertices);
  const wanted = JSON.stringify(JSON.parse(readFileSync(values.frontiers, 'utf8')));
  // Workers start and load their provider before the clock runs, as for the ingest limit.
  const ingester = await startedIngester(provider, values.store);
  // A session at once on connecting (the default jitters it over 2 s so peers do not collide).
  const host = await createNetHost({ ingester, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, antiEntropy: { connectDelayMs: 0 } });
  const sessions: SessionReport[] = [];
  host.on('session', (s) => sessions.push(s));
  let firstStoredMs: number | undefined;
  let started = 0;
  // Counted from commits, not the DAG: a vertex counts once it is durable.
  let committed = 0;
  const all = new Promise<number>((resolve, reject) => {
    const fail = (why: string): void => {
      const history = sessions.map((s) => `${s.role}:${s.outcome}${s.error === undefined ? '' : ` (${s.error.code}: ${s.error.detail})`}`);
      reject(new Error(`${why}; stored ${committed} of ${expected}; sessions: ${history.join(', ') || 'none'}`));
    };
    const timer = setTimeout(() => fail(`not done after ${values['timeout-s']} s`), Number(values['timeout-s']) * 1000);
    timer.unref();
    host.on('peer:banned', (e) => fail(`banned the serving node (${e.reason}: ${e.detail})`));
    ingester.onStored((vertices) => {
      firstStoredMs ??= performance.now() - started;
      committed += vertices.length;
      if (committed < expected) return;
      clearTimeout(timer);
      resolve(performance.now());
    });
  });
  const cpu = process.cpuUsage();
  const faults = pageFaults();
  const mainCpu = process.threadCpuUsage();
  started = performance.now();
  const peer = await host.dial(values.address);
  const connectedMs = performance.now() - started;
  const finished = await all;
  const seconds = (finished - started) / 1000;
  const used = process.cpuUsage(cpu);
  const mainUsed = process.threadCpuUsage(mainCpu);
  const faulted = pageFaults() - faults;
  const port = Number(/\/tcp\/(\d+)/.exec(values.address)?.[1]);
  const tcpBytes = tcpBytesTo(port);
  const summary = host.peers().find((p) => p.peerId === peer);
  const frontiersEqual = JSON.stringify(storedFrontiers(ingester.store)) === wanted;
  const stored = ingester.store.vertexCount;
  // The session that brought the last vertices may still be closing its stream: let it report.
  await new Promise((r) => setTimeout(r, 200));
  await host.stop();
  await ingester.close();
  ingester.store.close();
  if (!frontiersEqual) throw new Error('frontiers differ from the serving node after every vertex arrived');
  const sync = sessions.filter((s) => s.outcome === 'completed' && s.role === 'initiator');
  report({
    seconds,
    stored,
    frontiers_equal: frontiersEqual,
    tcp_bytes: tcpBytes,
    frame_bytes: summary === undefined ? undefined : summary.bytesIn + summary.bytesOut,
    connect_ms: Math.round(connectedMs),
    first_stored_ms: Math.round(firstStoredMs ?? 0),
    sessions: sessions.map((s) => `${s.role}:${s.outcome}`),
    frames_received: sync.reduce((n, s) => n + s.stats.framesReceived, 0),
    flights: sync.reduce((n, s) => n + s.stats.flightsSent + s.stats.flightsReceived, 0),
    vertex_bytes: sync.reduce((n, s) => n + s.stats.vertexBytesReceived, 0),
    cpu_ms: cpuMs(used),
    main_cpu_ms: cpuMs(mainUsed),
    page_faults: faulted,
  });
}

try {
  if (values.role === 'serve') await serve();
  else if (values.role === 'fetch') await fetch();
  else throw new Error(`unknown role ${values.role}`);
} catch (error) {
  report({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  // The host may still hold the event loop open; the report is out (stdout pipes write synchronously).
  process.exit(1);
}
