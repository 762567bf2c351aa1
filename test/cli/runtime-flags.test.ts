import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { commandOf, isBulkCommand, relaunchCommandLine, RUNTIME_FLAGS } from '../../src/cli/runtime-flags.ts';
import { CLI_MAIN } from '../support/cli.ts';

const argv = (...args: string[]): string[] => ['/usr/bin/node', '/app/entry.js', ...args];

test('the command is the first argument that is not an option or the value of --data-dir', () => {
  assert.equal(commandOf(argv('start', '--port', '0')), 'start');
  assert.equal(commandOf(argv('--data-dir', '/srv/pars', 'bundle', 'export')), 'bundle');
  // A data directory named like a command is not the command.
  assert.equal(commandOf(argv('--data-dir', 'start', 'id')), 'id');
  assert.equal(commandOf(argv('--', 'start')), 'start');
  assert.equal(commandOf(argv('--help')), undefined);
  assert.equal(commandOf(argv()), undefined);
  assert.equal(isBulkCommand(argv('start')), true);
  assert.equal(isBulkCommand(argv('--data-dir', '/d', 'bundle', 'import', 'x.pmb')), true);
  for (const quick of ['id', 'status', 'peers', 'send', 'init', 'group', 'log']) assert.equal(isBulkCommand(argv(quick)), false, quick);
  assert.equal(isBulkCommand(argv('--version')), false);
});

test('the relaunch puts the flags before node options and the script, and keeps every argument', () => {
  const line = relaunchCommandLine('/usr/bin/node', ['--enable-source-maps'], argv('--data-dir', '/d', 'start', '--port', '0'));
  assert.deepEqual(line, ['/usr/bin/node', ...RUNTIME_FLAGS, '--enable-source-maps', '/app/entry.js', '--data-dir', '/d', 'start', '--port', '0']);
});

test('no relaunch once the flags are there, nor over a young generation size the user chose', () => {
  const again = relaunchCommandLine('/usr/bin/node', [...RUNTIME_FLAGS], argv('start'));
  assert.equal(again, undefined, 'the relaunched process must not relaunch again');
  assert.equal(relaunchCommandLine('/usr/bin/node', ['--max-semi-space-size=16'], argv('start')), undefined);
  assert.equal(relaunchCommandLine('/usr/bin/node', ['--max_semi_space_size=16'], argv('start')), undefined);
  assert.equal(relaunchCommandLine('/usr/bin/node', [], argv('start'), '--max-old-space-size=4096 --max-semi-space-size=1'), undefined);
  assert.notEqual(relaunchCommandLine('/usr/bin/node', [], argv('start'), '--max-old-space-size=4096'), undefined);
});

test('a quick command runs in the process it was started in; a bulk command relaunches and runs to the end', async () => {
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : Number((err as { code?: unknown }).code ?? 1), stdout, stderr });
      });
    });
  // `bundle --help` relaunches (a bulk command) and prints its help from the new process.
  const bulk = await run(['bundle', '--help']);
  assert.equal(bulk.code, 0, bulk.stderr);
  assert.match(bulk.stdout, /Usage: pars bundle/);
  assert.equal(bulk.stderr, '', 'the relaunch prints nothing of its own');
  const quick = await run(['--version']);
  assert.equal(quick.code, 0, quick.stderr);
  assert.match(quick.stdout, /^\d+\.\d+\.\d+/);
});
