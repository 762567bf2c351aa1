import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { controlRequest } from '../../src/cli/control-client.ts';
import { readControlSecret, socketPath } from '../../src/cli/control-files.ts';
import type { GroupMember, LoggedMessage, NodeStatus, PeersReport } from '../../src/node/index.ts';
import { PQ_PROTOCOL } from '../../src/net/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { cliSandboxes } from '../support/cli.ts';
import { parsOk, startNode, stopNode, type NodeProcess } from './start-support.ts';

/*
 * The acceptance test on loopback: five `pars start` processes, two groups with
 * overlapping members (g1: n0 n1 n2 n3, admin n0; g2: n1 n2 n4, admin n4).
 *
 *  1. All five up, joined by invites that carry addresses.
 *  2. Partition: all stop, then {n0, n1} and {n2, n3, n4} come back on fresh ports, each side
 *     told only of its own side (no mDNS), so the addresses they remember lead nowhere. Both
 *     sides write with `pars send` through the control socket; each side converges alone.
 *  3. Heal: `pars dial` links the sides; every member of each group ends with every message, in
 *     the same order.
 *  4. n0 writes 300 messages; while they stream to n3, n3 sends a message of its own and, once
 *     that is acknowledged, is killed with SIGKILL; n0 writes on. Restarted, n3 converges, and
 *     its acknowledged message reaches everyone.
 *  5. Everyone stops with SIGTERM (exit 0) and every store passes `pars store check`.
 *
 * Polling for convergence uses the control socket directly (the same requests the CLI sends),
 * since starting the CLI for each poll costs most of a second.
 */

const sandbox = await cliSandboxes('pars-five-');

/** Ports free right now (each bound once by the kernel, then released). */
async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  for (const s of servers) {
    ports.push((s.address() as { port: number }).port);
    await new Promise((r) => s.close(r));
  }
  return ports;
}

/** Every node of the test (for diagnostics). */
const everyone: Member[] = [];

interface Member {
  readonly name: string;
  readonly env: Record<string, string>;
  node: NodeProcess | undefined;
}

async function ask<T>(m: Member, op: string, args: Record<string, unknown> = {}): Promise<T> {
  const dataDir = m.env['PARS_HOME'] as string;
  return (await controlRequest(socketPath(dataDir), (await readControlSecret(dataDir)) as Uint8Array, op, args)) as T;
}

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await describe(everyone)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One line per running node: state, peers, vertices, sessions, bans (for a timeout's message). */
async function describe(members: readonly Member[]): Promise<string> {
  const lines = await Promise.all(
    members.map(async (m) => {
      if (m.node === undefined) return `${m.name}: stopped`;
      const s = await ask<NodeStatus>(m, 'status').catch((e: Error) => e);
      if (s instanceof Error) return `${m.name}: ${s.message}`;
      return `${m.name}: ${s.state}, ${s.peers.connected} peers, ${s.vertices} vertices, ${s.waitingForParents} waiting, ${JSON.stringify(s.net)}`;
    }),
  );
  return lines.join('\n');
}

const logOf = async (m: Member, group: string): Promise<LoggedMessage[]> => (await ask<{ messages: LoggedMessage[] }>(m, 'log', { group })).messages;
const texts = async (m: Member, group: string): Promise<string[]> => (await logOf(m, group)).map((x) => x.text);

async function start(m: Member, ports: readonly number[], peers: readonly Member[] = []): Promise<void> {
  const args = ['--tcp-port', String(ports[0]), '--ws-port', String(ports[1])];
  for (const p of peers) args.push('--peer', (p.node as NodeProcess).addresses[0] as string);
  m.node = await startNode(m.env, args);
}

async function stop(m: Member, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const node = m.node as NodeProcess;
  const code = await stopNode(node, signal);
  if (signal !== 'SIGKILL') assert.equal(code, 0, `${m.name}: ${node.err.join('\n')}`);
  m.node = undefined;
}

/** Every member of `group` holds `expected` (as a set) and all of them list the log identically. */
async function converged(members: readonly Member[], group: string, expected: readonly string[]): Promise<boolean> {
  const logs = await Promise.all(members.map((m) => logOf(m, group)));
  const ids = logs.map((l) => l.map((x) => x.vertexId).join());
  return logs.every((l) => expected.every((t) => l.some((x) => x.text === t))) && ids.every((x) => x === ids[0]);
}

test('five pars start processes: partition, write both sides, heal, SIGKILL mid-sync; every member converges, nothing acknowledged is lost', async () => {
  const names = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const nodes: Member[] = await Promise.all(names.map(async (name) => ({ name, env: await sandbox(), node: undefined })));
  everyone.push(...nodes);
  await Promise.all(nodes.map((m) => parsOk(['init'], m.env)));
  const [n0, n1, n2, n3, n4] = nodes as [Member, Member, Member, Member, Member];
  const g1Members = [n0, n1, n2, n3];
  const g2Members = [n1, n2, n4];
  const ports = await freePorts(20);
  const phase1 = (i: number): number[] => ports.slice(2 * i, 2 * i + 2);
  const phase2 = (i: number): number[] => ports.slice(10 + 2 * i, 12 + 2 * i);

  // 1. Up and joined.
  await start(n0, phase1(0));
  await Promise.all([n1, n2, n3, n4].map((m, i) => start(m, phase1(i + 1), [n0])));
  const g1 = (await ask<{ id: string }>(n0, 'group.create', { name: 'g1' })).id;
  const g2 = (await ask<{ id: string }>(n4, 'group.create', { name: 'g2' })).id;
  for (const [admin, group, joiners] of [[n0, g1, [n1, n2, n3]], [n4, g2, [n1, n2]]] as const) {
    for (const joiner of joiners) {
      const { code } = await ask<{ code: string }>(admin, 'group.invite', { group, ttl: 3600 });
      const joined = await ask<{ reached: string | null }>(joiner, 'group.join', { code });
      assert.equal(joined.reached, admin.node?.peerId, `${joiner.name} reached ${admin.name}`);
    }
  }
  const full = async (members: readonly Member[], group: string): Promise<boolean> => {
    const views = await Promise.all(members.map((m) => ask<GroupMember[]>(m, 'group.members', { group }).catch(() => [])));
    return views.every((v) => v.length === members.length);
  };
  await until(async () => (await full(g1Members, g1)) && (await full(g2Members, g2)), 60_000, 'both groups complete at every member');
  await parsOk(['send', g1, 'g1: all five up'], n0.env);
  await parsOk(['send', g2, 'g2: all five up'], n4.env);
  await until(async () => (await converged(g1Members, g1, ['g1: all five up'])) && (await converged(g2Members, g2, ['g2: all five up'])), 30_000, 'first messages');

  // 2. Partition {n0, n1} | {n2, n3, n4}, on fresh ports; each side only knows itself.
  for (const m of nodes) await stop(m);
  await start(n0, phase2(0));
  await start(n1, phase2(1), [n0]);
  await start(n2, phase2(2));
  await Promise.all([start(n3, phase2(3), [n2]), start(n4, phase2(4), [n2])]);
  const written = {
    g1: ['g1: all five up', 'g1 from n0 (side a)', 'g1 from n1 (side a)', 'g1 from n2 (side b)', 'g1 from n3 (side b)'],
    g2: ['g2: all five up', 'g2 from n1 (side a)', 'g2 from n2 (side b)', 'g2 from n4 (side b)'],
  };
  await parsOk(['send', g1, 'g1 from n0 (side a)'], n0.env);
  await parsOk(['send', g1, 'g1 from n1 (side a)'], n1.env);
  await parsOk(['send', g2, 'g2 from n1 (side a)'], n1.env);
  await parsOk(['send', g1, 'g1 from n2 (side b)'], n2.env);
  await parsOk(['send', g1, 'g1 from n3 (side b)'], n3.env);
  await parsOk(['send', g2, 'g2 from n2 (side b)'], n2.env);
  await parsOk(['send', g2, 'g2 from n4 (side b)'], n4.env);
  await until(async () => (await converged([n0, n1], g1, written.g1.slice(0, 3))) && (await converged([n2, n3], g1, [written.g1[0] as string, ...written.g1.slice(3)])), 30_000, 'each side to converge on g1');
  await until(async () => converged([n2, n4], g2, [written.g2[0] as string, ...written.g2.slice(2)]), 30_000, 'side b to converge on g2');
  for (const m of [n0, n1]) assert.ok(!(await texts(m, g1)).some((t) => t.includes('side b')), `${m.name} saw nothing of side b`);
  for (const m of [n2, n3]) assert.ok(!(await texts(m, g1)).some((t) => t.includes('side a')), `${m.name} saw nothing of side a`);

  // 3. Heal with one dial; everything flows both ways.
  assert.match(await parsOk(['dial', (n2.node as NodeProcess).addresses[0] as string], n1.env), /^connected to /);
  await until(async () => (await converged(g1Members, g1, written.g1)) && (await converged(g2Members, g2, written.g2)), 60_000, 'every member to converge after healing');

  // 4. n0 writes a backlog; n3 acknowledges a message of its own and is killed while the backlog
  //    streams in; n0 writes on. Restarted, n3 converges.
  const backlog = Array.from({ length: 300 }, (_, i) => `backlog ${i}`);
  const before = (await ask<NodeStatus>(n3, 'status')).vertices;
  let reachedKillPoint: () => void = () => undefined;
  const killPoint = new Promise<void>((resolve) => (reachedKillPoint = resolve));
  const writer = (async (): Promise<void> => {
    for (const [i, text] of backlog.entries()) {
      await ask(n0, 'send', { group: g1, text });
      if (i === 100) reachedKillPoint();
    }
  })();
  await killPoint;
  const acknowledged = await ask<{ id: string }>(n3, 'send', { group: g1, text: 'n3 before the crash' });
  assert.match(acknowledged.id, /^[0-9a-f]{64}$/);
  await stop(n3, 'SIGKILL');
  await writer;
  const killed = SqliteStore.open(join(n3.env['PARS_HOME'] as string, 'node.sqlite'), { readonly: true });
  const heldAtKill = killed.vertexCount - before - 1;
  killed.close();
  assert.ok(heldAtKill > 0 && heldAtKill < backlog.length, `n3 was killed in the middle of the backlog (it held ${heldAtKill} of ${backlog.length})`);
  // Restarted with no address given: it redials the peers it remembers, and none of them holds
  // the crash against it (a frame cut short by a lost link is not misbehaviour).
  await start(n3, phase2(3));
  const all = [...written.g1, ...backlog, 'n3 before the crash'];
  await until(async () => converged(g1Members, g1, all), 60_000, 'every g1 member to hold the backlog and n3’s acknowledged message');
  for (const m of nodes) {
    const { banned } = await ask<PeersReport>(m, 'peers');
    assert.deepEqual(banned, [], `${m.name} refuses no one`);
    // Every connection the node made or took since its last start used the PQ encrypter.
    const { encryptions } = (await ask<NodeStatus>(m, 'status')).net;
    assert.deepEqual(Object.keys(encryptions), [PQ_PROTOCOL], `${m.name} connections by encryption: ${JSON.stringify(encryptions)}`);
  }

  // 5. Clean stops and sound stores.
  for (const m of nodes) await stop(m);
  for (const m of nodes) assert.match(await parsOk(['store', 'check'], m.env), /^ok /, m.name);
});
