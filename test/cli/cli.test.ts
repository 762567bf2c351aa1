import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertNoStack, CLI_MAIN, cliSandboxes, pars } from '../support/cli.ts';

// End-to-end: the CLI as a child process, the way a user runs it. Every run gets its own HOME and
// PARS_HOME under a temp dir, and PARS_SCRYPT_N=1024 keeps keystore creation fast.
const sandbox = await cliSandboxes('pars-cli-test-');



// Each test spawns a few processes of its own in its own sandbox, so they can run side by side.
describe('pars command line', { concurrency: 4 }, () => {
  test('--help exits 0 and lists the commands and --data-dir', async () => {
    const run = await pars(['--help'], await sandbox());
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: pars/);
    assert.match(run.stdout, /^\s+init\b/m);
    assert.match(run.stdout, /^\s+id\b/m);
    assert.match(run.stdout, /--data-dir <path>/);
  });

  test('init then id print the same node id; the keystore is 0600 in a 0700 dir', async () => {
    const env = await sandbox();
    const init = await pars(['init'], env);
    assert.equal(init.code, 0, init.stderr);
    const nodeId = /node id\s+([0-9a-f]{64})/.exec(init.stdout)?.[1];
    assert.ok(nodeId !== undefined, init.stdout);
    assert.ok(init.stdout.includes(env['PARS_HOME'] as string), 'init prints the data dir');

    const id = await pars(['id'], env);
    assert.equal(id.code, 0, id.stderr);
    assert.equal(id.stdout, `${nodeId}\n`);
    assert.equal(id.stderr, '');

    const json = await pars(['id', '--json'], env);
    assert.deepEqual(JSON.parse(json.stdout), { nodeId, dataDir: env['PARS_HOME'], keystore: join(env['PARS_HOME'] as string, 'keystore.json') });

    if (process.platform !== 'win32') {
      assert.equal((await fs.stat(join(env['PARS_HOME'] as string, 'keystore.json'))).mode & 0o777, 0o600);
      assert.equal((await fs.stat(env['PARS_HOME'] as string)).mode & 0o777, 0o700);
    }
  });

  test('init twice fails without --force and keeps the identity; --force replaces it', async () => {
    const env = await sandbox();
    const first = JSON.parse((await pars(['init', '--json'], env)).stdout) as { nodeId: string };
    const again = await pars(['init'], env);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /^pars: a keystore already exists/m);
    assert.match(again.stderr, /--force/);
    assertNoStack(again);
    assert.equal((await pars(['id'], env)).stdout, `${first.nodeId}\n`);

    const forced = await pars(['init', '--force', '--json'], env);
    assert.equal(forced.code, 0, forced.stderr);
    const second = JSON.parse(forced.stdout) as { nodeId: string };
    assert.notEqual(second.nodeId, first.nodeId);
    assert.match(forced.stderr, new RegExp(`replaced the previous identity ${first.nodeId}`));
    assert.equal((await pars(['id'], env)).stdout, `${second.nodeId}\n`);
  });

  test('id without a keystore: clear error pointing at pars init, non-zero exit', async () => {
    const run = await pars(['id'], await sandbox());
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /^pars: no keystore at .*keystore\.json; run `pars init`/);
    assert.equal(run.stdout, '');
    assertNoStack(run);
  });

  test('--data-dir overrides PARS_HOME (before or after the command)', async () => {
    const env = await sandbox();
    const custom = join(env['HOME'] as string, 'custom');
    const init = await pars(['--data-dir', custom, 'init', '--json'], env);
    assert.equal(init.code, 0, init.stderr);
    const { nodeId, dataDir } = JSON.parse(init.stdout) as { nodeId: string; dataDir: string };
    assert.equal(dataDir, custom);
    await fs.stat(join(custom, 'keystore.json'));
    await assert.rejects(fs.stat(join(env['PARS_HOME'] as string, 'keystore.json')), { code: 'ENOENT' });
    assert.equal((await pars(['id', '--data-dir', custom], env)).stdout, `${nodeId}\n`);
    assert.notEqual((await pars(['id'], env)).code, 0, 'PARS_HOME still has no keystore');
  });

  test('init with no PARS_PASSPHRASE and no terminal: clear error, nothing written', async () => {
    const env = await sandbox();
    delete env['PARS_PASSPHRASE'];
    const run = await pars(['init'], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /pars: a passphrase is needed but stdin is not a terminal; set PARS_PASSPHRASE/);
    assertNoStack(run);
    await assert.rejects(fs.stat(join(env['PARS_HOME'] as string, 'keystore.json')), { code: 'ENOENT' });
  });

  test('id on a damaged keystore, and a loose file mode, are reported clearly', async () => {
    const env = await sandbox();
    assert.equal((await pars(['init'], env)).code, 0);
    const path = join(env['PARS_HOME'] as string, 'keystore.json');
    if (process.platform !== 'win32') {
      await fs.chmod(path, 0o644);
      const loose = await pars(['id'], env);
      assert.equal(loose.code, 0);
      assert.match(loose.stderr, /pars: warning: keystore .* is accessible to other users \(mode 0644\); run: chmod 600/);
    }
    await fs.writeFile(path, '{"format": "pars-keystore", "version": 1');
    const damaged = await pars(['id'], env);
    assert.notEqual(damaged.code, 0);
    assert.match(damaged.stderr, /^pars: keystore .* is damaged or not a Pars keystore: not valid JSON/);
    assertNoStack(damaged);
  });

  test('usage errors exit non-zero; a bad PARS_SCRYPT_N is refused', async () => {
    const env = await sandbox();
    const unknown = await pars(['frobnicate'], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const bad = await pars(['init'], { ...env, PARS_SCRYPT_N: '1000' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /scrypt N must be a power of two/);
    assertNoStack(bad);
  });

  test('a closed stdout (pars … | head) does not kill the command: its work is done, exit 0, no stack', async () => {
    const env = await sandbox();
    // The reader goes away before the child writes a byte, as `head` does after its lines.
    const closed = await parsWithClosedStdout(['init'], env);
    assert.equal(closed.code, 0, closed.stderr);
    assert.doesNotMatch(closed.stderr, /EPIPE|Unhandled/);
    assertNoStack({ ...closed, stdout: '' });
    const id = await pars(['id'], env);
    assert.equal(id.code, 0, id.stderr);
    assert.match(id.stdout, /^[0-9a-f]{64}\n$/);
    const help = await parsWithClosedStdout(['--help'], env);
    assert.equal(help.code, 0, help.stderr);
    assert.equal(help.stderr, '');
  });
});

/** Runs `pars ARGS` with its stdout pipe closed by the reader at once; stderr is collected. */
function parsWithClosedStdout(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
