import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { ExportReport, ImportReport } from '../../src/bundle/index.ts';
import { controlRequest } from '../../src/cli/control-client.ts';
import { readControlSecret, socketPath } from '../../src/cli/control-files.ts';
import type { TextSource } from '../../src/cli/context.ts';
import { main } from '../../src/cli/main.ts';
import type { NodeStatus, PeersReport } from '../../src/node/index.ts';
import { pars } from '../support/cli.ts';
import { Capture, init, logLines, person, textsOf, type Person } from '../support/cli-person.ts';
import { tempDir } from '../support/tmp.ts';
import { startNode, stopNode } from './start-support.ts';

/*
 * `pars bundle export|import` while `pars start` runs on the data directory: the command sends
 * the work to the node over the control socket, and an import goes through the node's own
 * ingester, so its groups see the vertices at once and its push gossip carries them on.
 *
 *   alice ── stick ── bob ══ network ══ carol        (alice never meets bob or carol on a network)
 *
 * Alice joins bob's group by carried files only; carol joins over the network. A message alice
 * writes travels to bob on the stick, and from bob's running node to carol by push/sync.
 */

const root = tempDir('pars-bundle-running-');
const stick = join(root, 'stick');
const file = (name: string): string => join(stick, name);
const PASS = 'words only the two of them know';
const extra: Record<string, string> = { PATH: process.env['PATH'] ?? '', ...(process.env['PARS_CRYPTO'] === undefined ? {} : { PARS_CRYPTO: process.env['PARS_CRYPTO'] }) };

const exportJson = async (p: Person, ...args: string[]): Promise<ExportReport> => JSON.parse(await p.ok('bundle', 'export', ...args, '--json')) as ExportReport;
const importJson = async (p: Person, ...args: string[]): Promise<ImportReport> => JSON.parse(await p.ok('bundle', 'import', ...args, '--json')) as ImportReport;
const status = async (p: Person): Promise<NodeStatus> => JSON.parse(await p.ok('status', '--json')) as NodeStatus;
const peers = async (p: Person): Promise<PeersReport> => JSON.parse(await p.ok('peers', '--json')) as PeersReport;
const withEnv = (p: Person, env: Record<string, string | undefined>): void => {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete (p.env as Record<string, string | undefined>)[k];
    else p.env[k] = v;
  }
};

/** Running nodes' state, for a timeout's message. */
const watched: Person[] = [];

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const states = await Promise.all(watched.map(async (p) => `${p.dataDir}: ${(await p.run('status', '--json')).stdout.trim()}`));
      throw new Error(`timed out waiting for ${what}\n${states.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('pars bundle through running nodes: export from one, import into another, its peers get the vertices; bad bundles are refused with the offline errors and the node serves on', async () => {
  const [alice, bob, carol, dora] = ['alice', 'bob', 'carol', 'dora'].map((name) => person(root, name, extra)) as [Person, Person, Person, Person];
  watched.push(alice, bob, carol);
  for (const p of [alice, bob, carol, dora]) await init(p);
  mkdirSync(stick);

  // Bob runs a node and makes the group; carol runs one and joins over the network from bob's
  // invite (which carries bob's addresses).
  const b = await startNode(bob.env);
  await bob.ok('group', 'create', 'relay');
  const c = await startNode(carol.env);
  const forCarol = logLines(await bob.ok('group', 'invite', 'relay', '--no-qr'))[0] as string;
  assert.match(await carol.ok('group', 'join', forCarol), new RegExp(`Connected to the inviter's node ${b.peerId}`));
  const membersAt = async (p: Person): Promise<number> => {
    const r = await p.run('group', 'members', 'relay', '--json');
    return r.code === 0 ? (JSON.parse(r.stdout) as unknown[]).length : 0;
  };
  await until('carol to be a member', async () => (await membersAt(carol)) === 2);

  // Alice (no node running) joins by invite code; her join request travels on the stick, and
  // bob's running node admits her as it imports.
  const forAlice = logLines(await bob.ok('group', 'invite', 'relay', '--no-qr'))[0] as string;
  await alice.ok('group', 'join', forAlice);
  withEnv(alice, { PARS_BUNDLE_PASSPHRASE: PASS });
  withEnv(bob, { PARS_BUNDLE_PASSPHRASE: PASS });
  await exportJson(alice, file('alice-join.pars'), '--passphrase');
  const joinIn = await importJson(bob, file('alice-join.pars'));
  assert.equal(joinIn.device, alice.nodeId);
  assert.equal(joinIn.knownDevice, false);
  assert.ok(joinIn.stored >= 1, 'the join request is stored by the running node');
  assert.equal(await membersAt(bob), 3, 'bob\'s running node admitted alice during the import');
  // The welcome goes back from the running node (only what alice lacks), and alice imports it offline.
  const welcome = await exportJson(bob, file('welcome.pars'), '--passphrase', '--for', alice.nodeId);
  assert.equal(welcome.path, file('welcome.pars'));
  assert.ok(existsSync(file('welcome.pars')));
  await importJson(alice, file('welcome.pars'));
  assert.equal(await membersAt(alice), 3);
  const listed = JSON.parse(await bob.ok('bundle', 'list', '--json')) as { marker: string; direction: string }[];
  assert.deepEqual(listed.map((r) => `${r.direction} ${r.marker}`).sort(), [`export ${welcome.marker}`, `import ${joinIn.marker}`], 'bundle list answers through the running node');
  withEnv(alice, { PARS_BUNDLE_PASSPHRASE: undefined });
  withEnv(bob, { PARS_BUNDLE_PASSPHRASE: undefined });
  // Carol hears of alice's admission from bob, so she holds the keys alice will write under.
  await until('carol to see alice admitted', async () => (await membersAt(carol)) === 3);

  // Alice now runs a node too, writes, and exports through it; the relative path is hers, not the node's.
  const a = await startNode(alice.env);
  await alice.ok('send', 'relay', 'carried on a stick');
  // A child process in the stick's directory, so the relative path is relative to it.
  const exported = await pars(['bundle', 'export', 'msg.pars', '--group', 'relay', '--json'], alice.env, stick);
  assert.equal(exported.code, 0, exported.stderr);
  const msgOut = JSON.parse(exported.stdout) as ExportReport;
  assert.equal(msgOut.path, file('msg.pars'));
  assert.equal(msgOut.groupRecipients, 1);
  assert.ok(existsSync(file('msg.pars')), 'the running node wrote the file where the command was asked');

  // Bob's running node imports it: its store and its log have the message at once, no restart.
  const before = await status(bob);
  const msgIn = await importJson(bob, file('msg.pars'));
  assert.equal(msgIn.vertices, msgOut.vertices);
  assert.equal(msgIn.rejected, 0);
  assert.ok(msgIn.stored >= 1);
  assert.equal((await status(bob)).vertices, before.vertices + msgIn.stored, 'the running node stored the new vertices');
  assert.ok(textsOf(await bob.ok('log', 'relay')).includes('carried on a stick'));
  // Carol, connected to bob only, gets it from bob's node by push or sync.
  await until('the message at carol', async () => textsOf(await carol.ok('log', 'relay')).includes('carried on a stick'));
  assert.deepEqual(await status(alice).then((s) => s.peers), { connected: 0, known: 0 }, 'alice met nobody on a network');
  for (const p of [bob, carol]) {
    const seen = await peers(p);
    assert.ok(![...seen.connected, ...seen.known].some((x) => x.peerId === a.peerId), `${p === bob ? 'bob' : 'carol'} never met alice`);
  }

  // Bad input through the running node: the same refusals as the offline command (dora runs no node).
  const garbage = file('not-a-bundle.pars');
  writeFileSync(garbage, 'these are just some words on a stick, not a bundle at all\n'.repeat(200));
  const online = await bob.run('bundle', 'import', garbage);
  const offline = await dora.run('bundle', 'import', garbage);
  assert.equal(online.code, 1);
  assert.match(online.stderr, /not a Pars Mesh bundle/);
  assert.deepEqual(online, offline);
  withEnv(bob, { PARS_BUNDLE_PASSPHRASE: 'not the words' });
  withEnv(dora, { PARS_BUNDLE_PASSPHRASE: 'not the words' });
  const wrongOnline = await bob.run('bundle', 'import', file('alice-join.pars'), '--passphrase');
  const wrongOffline = await dora.run('bundle', 'import', file('alice-join.pars'), '--passphrase');
  assert.equal(wrongOnline.code, 1);
  assert.match(wrongOnline.stderr, /no key of this node opens the bundle/);
  assert.deepEqual(wrongOnline, wrongOffline);
  withEnv(dora, { PARS_BUNDLE_PASSPHRASE: PASS });
  await exportJson(dora, file('dora.pars'), '--passphrase');
  withEnv(bob, { PARS_BUNDLE_PASSPHRASE: PASS });
  const stranger = await bob.run('bundle', 'import', file('dora.pars'), '--known-only');
  assert.equal(stranger.code, 1);
  assert.match(stranger.stderr, /never met; nothing was imported/);

  // The typed codes, as the control socket carries them; malformed arguments are refused.
  const secret = (await readControlSecret(bob.dataDir)) as Uint8Array;
  const ask = (op: string, args: Record<string, unknown>): Promise<unknown> => controlRequest(socketPath(bob.dataDir), secret, op, args);
  await assert.rejects(ask('bundle.import', { file: garbage, knownOnly: false }), { code: 'ERR_BUNDLE_NOT_A_BUNDLE' });
  await assert.rejects(ask('bundle.import', { file: file('alice-join.pars'), knownOnly: false, passphrase: 'not the words' }), { code: 'ERR_BUNDLE_NO_KEY' });
  await assert.rejects(ask('bundle.import', { file: file('dora.pars'), knownOnly: true, passphrase: PASS }), { code: 'ERR_BUNDLE_UNKNOWN_DEVICE' });
  await assert.rejects(ask('bundle.export', { file: file('msg.pars'), force: false }), { code: 'ERR_BUNDLE_EXISTS' });
  await assert.rejects(ask('bundle.import', { file: 'msg.pars', knownOnly: false }), { code: 'ERR_CONTROL_BAD_REQUEST', message: /absolute path/ });
  await assert.rejects(ask('bundle.import', { file: garbage, knownOnly: false, passphrase: 42 }), { code: 'ERR_CONTROL_BAD_REQUEST' });
  await assert.rejects(ask('bundle.import', { file: garbage }), { code: 'ERR_CONTROL_BAD_REQUEST', message: /knownOnly must be true or false/ });
  await assert.rejects(ask('bundle.export', { file: file('x.pars'), force: false, groups: 'relay' }), { code: 'ERR_CONTROL_BAD_REQUEST' });
  await assert.rejects(ask('bundle.export', { file: file('x.pars'), force: false, kdfLogN: 1.5 }), { code: 'ERR_CONTROL_BAD_REQUEST' });

  // On a terminal, a bundle that no group key opens makes the command ask, then send it again.
  const terminal = Object.assign(new PassThrough(), { isTTY: true }) as PassThrough & TextSource;
  const typed = { stdout: new Capture(), stderr: new Capture() };
  const noPassphrase = Object.fromEntries(Object.entries(bob.env).filter(([k]) => k !== 'PARS_BUNDLE_PASSPHRASE'));
  const prompted = main(['node', 'pars', 'bundle', 'import', file('alice-join.pars'), '--json'], { ...typed, stdin: terminal, env: noPassphrase });
  await until('the bundle passphrase prompt', async () => typed.stderr.text.includes('Bundle passphrase: '));
  terminal.write(`${PASS}\r`);
  assert.equal(await prompted, 0, typed.stderr.text);
  assert.match(typed.stderr.text, /None of your groups' keys opens this bundle/);
  assert.ok(!typed.stderr.text.includes(PASS), 'the passphrase is not echoed');
  const again = JSON.parse(typed.stdout.text) as ImportReport;
  assert.deepEqual([again.stored, again.duplicates], [0, joinIn.vertices], 'importing twice changes nothing');

  // Bob's node serves on, holding exactly what it held before the bad input.
  const after = await status(bob);
  assert.equal(after.state, 'online');
  assert.equal(after.vertices, before.vertices + msgIn.stored);
  assert.equal(after.peers.connected, 1);

  for (const n of [a, b, c]) assert.equal(await stopNode(n), 0, n.err.join('\n'));
  assert.match(await bob.ok('store', 'check'), /^ok /);
  assert.ok(textsOf(await bob.ok('log', 'relay')).includes('carried on a stick'), 'the imported message is durable');
});
