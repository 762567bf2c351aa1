import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { controlRequest } from '../../src/cli/control-client.ts';
import { acquireLock } from '../../src/cli/control-lock.ts';
import { readControlSecret, socketPath } from '../../src/cli/control-files.ts';
import { encodeControlFrame } from '../../src/cli/control-protocol.ts';
import { RUNTIME_FLAGS } from '../../src/cli/runtime-flags.ts';
import type { NodeStatus, PeersReport } from '../../src/node/index.ts';
import { assertNoStack, cliSandboxes, pars } from '../support/cli.ts';
import { parsOk, startNode, stopNode } from './start-support.ts';

const sandbox = await cliSandboxes('pars-start-');

/** The environment without the passphrase: commands that reach a running node do not need it. */
const withoutPassphrase = (env: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'PARS_PASSPHRASE'));

/** Sends raw bytes to the control socket and resolves with everything it answers. */
function rawExchange(path: string, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).subarray(4).toString('utf8')));
    socket.on('error', reject);
  });
}

test('pars start: ready line, status and peers through the control socket, secret enforced, one node per data dir, clean SIGTERM', async () => {
  const env = await sandbox();
  await parsOk(['init'], env);
  const dataDir = env['PARS_HOME'] as string;

  const noNode = await pars(['status'], env);
  assert.equal(noNode.code, 1);
  assert.match(noNode.stderr, /no node is running/);
  assertNoStack(noNode);

  const node = await startNode(env);
  assert.match(node.nodeId, /^[0-9a-f]{64}$/);
  // The node replaced its own process (same pid) with one under the node's V8 flags.
  const cmdline = (await fs.readFile(`/proc/${node.child.pid}/cmdline`, 'utf8')).split('\0');
  for (const flag of RUNTIME_FLAGS) assert.ok(cmdline.includes(flag), `${flag} in ${cmdline.join(' ')}`);
  assert.ok(node.addresses.length === 2, node.out.join('\n'));
  for (const a of node.addresses) assert.match(a, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+(/ws)?/p2p/${node.peerId}$`));
  assert.equal((await fs.stat(socketPath(dataDir))).mode & 0o777, 0o600, 'the socket is for its owner only');
  assert.equal((await fs.stat(join(dataDir, 'control.secret'))).mode & 0o777, 0o600);

  const quiet = withoutPassphrase(env);
  const status = JSON.parse(await parsOk(['status', '--json'], quiet)) as NodeStatus;
  assert.equal(status.nodeId, node.nodeId);
  assert.equal(status.peerId, node.peerId);
  assert.equal(status.state, 'offline');
  assert.deepEqual(status.multiaddrs, node.addresses);
  assert.deepEqual(status.peers, { connected: 0, known: 0 });
  assert.match(await parsOk(['status'], quiet), /^state\s+offline$/m);
  const peers = JSON.parse(await parsOk(['peers', '--json'], quiet)) as PeersReport;
  assert.deepEqual(peers, { connected: [], known: [], banned: [] });

  // A wrong secret, no secret, garbage and an oversized prefix are all refused; the node serves on.
  const path = socketPath(dataDir);
  await assert.rejects(controlRequest(path, randomBytes(32), 'status', {}), { code: 'ERR_CONTROL_AUTH' });
  assert.match(await rawExchange(path, encodeControlFrame({ v: 1, op: 'status', args: {} })), /ERR_CONTROL_AUTH/);
  assert.match(await rawExchange(path, Buffer.from([0, 0, 0, 3, 0x7b, 0x7b, 0x7b])), /ERR_CONTROL_PROTOCOL/);
  assert.match(await rawExchange(path, Buffer.from([0xff, 0xff, 0xff, 0xff])), /above the limit/);
  const secret = (await readControlSecret(dataDir)) as Uint8Array;
  await assert.rejects(controlRequest(path, secret, 'status', { extra: 1 }), { code: 'ERR_CONTROL_BAD_REQUEST' });
  await assert.rejects(controlRequest(path, secret, 'shutdown', {}), { code: 'ERR_CONTROL_BAD_REQUEST' });
  assert.equal(((await controlRequest(path, secret, 'status', {})) as NodeStatus).nodeId, node.nodeId);

  // Group commands go through the running node: no passphrase needed, nothing opened twice.
  assert.match(await parsOk(['group', 'create', 'desk'], quiet), /Created group "desk"/);
  assert.match(await parsOk(['send', 'desk', 'through the socket'], quiet), /^sent [0-9a-f]{64}$/m);
  assert.match(await parsOk(['log', 'desk'], quiet), /through the socket$/m);
  const invite = await parsOk(['group', 'invite', 'desk', '--no-qr'], quiet);
  assert.match(invite, /carries 2 addresses of this running node/);
  const bundle = await pars(['bundle', 'export', join(dataDir, '..', 'x.pars')], env);
  assert.equal(bundle.code, 0, `bundle export goes through the running node: ${bundle.stderr}`);
  await assert.rejects(acquireLock(dataDir, 'command'), { code: 'ERR_NODE_RUNNING', message: /a node is already running on .* \(pid \d+\)/ }, 'nothing else opens the store while the node runs');

  const second = await pars(['start', '--listen-host', '127.0.0.1', '--no-mdns'], env);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`a node is already running on .* \\(pid ${node.child.pid}\\)`));
  assertNoStack(second);

  assert.equal(await stopNode(node, 'SIGTERM'), 0, node.err.join('\n'));
  assert.deepEqual(node.out.slice(-2), ['stopping (SIGTERM)', 'stopped']);
  await assert.rejects(fs.stat(path), { code: 'ENOENT' }, 'the socket is removed');
  await assert.rejects(fs.stat(join(dataDir, 'node.lock')), { code: 'ENOENT' }, 'the lock is released');
  assert.match(await parsOk(['store', 'check'], env), /^ok /);
  assert.match(await parsOk(['log', 'desk'], env), /through the socket$/m, 'the message is durable');
  const after = await pars(['peers'], env);
  assert.equal(after.code, 1);
  assert.match(after.stderr, /no node is running/);
});

test('pars start takes over the lock of a dead process, and SIGINT stops it with exit 0', async () => {
  const env = await sandbox();
  await parsOk(['init'], env);
  const dataDir = env['PARS_HOME'] as string;
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  await fs.writeFile(join(dataDir, 'node.lock'), `${JSON.stringify({ pid: dead, kind: 'node' })}\n`);
  await fs.writeFile(join(dataDir, 'control.sock'), 'left by a crash');
  const node = await startNode(env);
  const status = JSON.parse(await parsOk(['status', '--json'], env)) as NodeStatus;
  assert.equal(status.nodeId, node.nodeId);
  assert.equal(await stopNode(node, 'SIGINT'), 0, node.err.join('\n'));
});

test('pars start refuses a bad config file naming the field, and a data directory others can enter', async () => {
  const env = await sandbox();
  await parsOk(['init'], env);
  const dataDir = env['PARS_HOME'] as string;
  await fs.writeFile(join(dataDir, 'config.json'), JSON.stringify({ listen: { tcpPort: 'fast' } }));
  const bad = await pars(['start'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /config\.json: field "listen\.tcpPort" must be a port number/);
  assertNoStack(bad);
  await fs.writeFile(join(dataDir, 'config.json'), '{"mdns": true,');
  assert.match((await pars(['start'], env)).stderr, /config\.json: is not valid JSON/);
  await fs.rm(join(dataDir, 'config.json'));
  await fs.chmod(dataDir, 0o755);
  const open = await pars(['start'], env);
  assert.equal(open.code, 1);
  assert.match(open.stderr, /accessible to other users .* chmod 700/);
});
