import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeStatus, PeersReport } from '../../src/node/index.ts';
import { cliSandboxes } from '../support/cli.ts';
import { parsOk, parsUntil, startNode, stopNode } from './start-support.ts';

const sandbox = await cliSandboxes('pars-two-');

/*
 * The README's "Two nodes on one LAN", on loopback: two `pars start` processes, an invite that
 * carries the inviter's addresses, a join that connects by itself, and messages both ways — every
 * command through the control sockets, nothing copied between data directories.
 */
test('two pars start processes: create, invite, join over the network, chat both ways; both restart and find each other again', async () => {
  const alice = await sandbox();
  const bob = await sandbox();
  await parsOk(['init'], alice);
  await parsOk(['init'], bob);
  const a = await startNode(alice);
  const b = await startNode(bob);

  await parsOk(['group', 'create', 'picnic'], alice);
  const code = (await parsOk(['group', 'invite', 'picnic', '--no-qr'], alice)).split('\n')[0] as string;
  const joined = await parsOk(['group', 'join', code], bob);
  assert.match(joined, new RegExp(`Connected to the inviter's node ${a.peerId}`));

  await parsUntil(['group', 'list', '--json'], bob, (out) => (JSON.parse(out) as { groups: { name: string; members: number }[] }).groups.some((g) => g.name === 'picnic' && g.members === 2), 30_000, 'the welcome at bob');
  await parsOk(['send', 'picnic', 'bring bread'], alice);
  await parsUntil(['log', 'picnic'], bob, (out) => out.includes('bring bread'), 15_000, "alice's message at bob");
  await parsOk(['send', 'picnic', 'and cheese'], bob);
  const log = await parsUntil(['log', 'picnic', '--json'], alice, (out) => out.includes('and cheese'), 15_000, "bob's message at alice");
  assert.deepEqual((JSON.parse(log) as { text: string }[]).map((m) => m.text), ['bring bread', 'and cheese']);

  const status = JSON.parse(await parsOk(['status', '--json'], bob)) as NodeStatus;
  assert.equal(status.state, 'online');
  assert.equal(status.peers.connected, 1);
  assert.deepEqual(status.groups.map((g) => [g.name, g.members]), [['picnic', 2]]);
  const peers = JSON.parse(await parsOk(['peers', '--json'], alice)) as PeersReport;
  assert.deepEqual(peers.connected.map((p) => p.peerId), [b.peerId]);

  assert.equal(await stopNode(b), 0, b.err.join('\n'));
  assert.equal(await stopNode(a), 0, a.err.join('\n'));
  assert.ok(a.out.some((l) => l.endsWith(`connected ${b.peerId}`)), 'the node logs connections');

  // Both restart with no flags and no mDNS: each comes back on the ports of its last start, so
  // the addresses the other remembers lead to it, and they reconnect and sync by themselves.
  const a2 = await startNode(alice);
  const b2 = await startNode(bob);
  assert.deepEqual(a2.addresses, a.addresses, 'alice listens where she did');
  assert.deepEqual(b2.addresses, b.addresses, 'bob listens where he did');
  await parsUntil(['peers', '--json'], alice, (out) => (JSON.parse(out) as PeersReport).connected.some((p) => p.peerId === b.peerId), 30_000, 'bob reconnected at alice');
  await parsOk(['send', 'picnic', 'back again'], bob);
  await parsUntil(['log', 'picnic'], alice, (out) => out.includes('back again'), 15_000, "bob's message after the restarts");
  assert.equal(await stopNode(b2), 0, b2.err.join('\n'));
  assert.equal(await stopNode(a2), 0, a2.err.join('\n'));
});
