import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CLI_MAIN, cliSandboxes, type Run } from '../support/cli.ts';
import { parsOk, startNode, stopNode } from './start-support.ts';

// Only `pars start` (and a command that opens the store itself) needs the node stack, which
// brings libp2p: about half a second of module loading, paid by every `pars send` while a node
// ran. The other commands load without it; a probe preloaded into each process lists every
// libp2p module it loads.
const sandbox = await cliSandboxes('pars-startup-modules-');
const PROBE = fileURLToPath(new URL('../support/network-module-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs node ARGS with the probe preloaded; the libp2p modules it loaded, and how it ran. */
async function probed(args: readonly string[], env: Record<string, string>): Promise<{ run: Run; network: string[] }> {
  const out = join(env['HOME'] as string, `probe-${Math.random().toString(36).slice(2)}.txt`);
  const run = await new Promise<Run>((resolve) => {
    const child = execFile(process.execPath, ['--import', PROBE, ...args], { env: { ...env, NETWORK_MODULE_PROBE_OUT: out }, encoding: 'utf8', timeout: 20_000, cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
    child.stdin?.end();
  });
  const text = await fs.readFile(out, 'utf8').catch(() => '');
  return { run, network: text.split('\n').filter((l) => l !== '') };
}

test('the probe sees libp2p load when the node layer is imported', async () => {
  const env = await sandbox();
  const { run, network } = await probed(['--input-type=module', '-e', "await import('./src/node/index.ts')"], env);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(network.length > 10, `expected libp2p modules, got ${network.length}`);
});

test('commands other than start load no libp2p module, also when they talk to a running node', async () => {
  const env = await sandbox();
  for (const args of [['--help'], ['init'], ['id'], ['status']]) {
    const { run, network } = await probed([CLI_MAIN, ...args], env);
    assert.equal(run.code, args[0] === 'status' ? 1 : 0, `pars ${args.join(' ')}: ${run.stderr}`); // status: no node runs
    assert.deepEqual(network, [], `pars ${args.join(' ')} loaded libp2p`);
  }
  const node = await startNode(env, ['--no-dht']);
  try {
    await parsOk(['group', 'create', 'picnic'], env);
    for (const args of [['send', 'picnic', 'bring bread'], ['log', 'picnic'], ['group', 'invite', 'picnic', '--no-qr'], ['group', 'list'], ['status'], ['peers']]) {
      const { run, network } = await probed([CLI_MAIN, ...args], env);
      assert.equal(run.code, 0, `pars ${args.join(' ')}: ${run.stderr}`);
      assert.deepEqual(network, [], `pars ${args.join(' ')} loaded libp2p`);
    }
    const log = await probed([CLI_MAIN, 'log', 'picnic'], env);
    assert.match(log.run.stdout, /bring bread/);
  } finally {
    assert.equal(await stopNode(node), 0);
  }
});
