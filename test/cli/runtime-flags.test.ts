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
  assert.equal(relaunchCommandLine('/usr/bin/node', ['--max-semi-space-size', '16'], argv('start')), undefined);
  assert.equal(relaunchCommandLine('/usr/bin/node', [], argv('start'), '--max-old-space-size=4096 --max-semi-space-size=1'), undefined);
  assert.notEqual(relaunchCommandLine('/usr/bin/node', [], argv('start'), '--max-old-space-size=4096'), undefined);
});

test('a bulk command replaces its own process (same pid) with one under the flags; a quick command runs as it was started', async () => {
  // A preload that runs in every Node process started with this environment, relaunches included.
  const probe = "--import=data:text/javascript,console.error('RUNTIME'+JSON.stringify({pid:process.pid,execArgv:process.execArgv}))";
  const run = (args: string[]): Promise<{ code: number; stdout: string; runs: { pid: number; execArgv: string[] }[] }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, NODE_OPTIONS: probe }, encoding: 'utf8' }, (err, stdout, stderr) => {
        const runs = stderr.split('\n').filter((l) => l.startsWith('RUNTIME')).map((l) => JSON.parse(l.slice('RUNTIME'.length)) as { pid: number; execArgv: string[] });
        resolve({ code: err === null ? 0 : Number((err as { code?: unknown }).code ?? 1), stdout, runs });
      });
    });
  const bulk = await run(['bundle', '--help']);
  assert.equal(bulk.code, 0);
  assert.match(bulk.stdout, /Usage: pars bundle/, 'the relaunched process runs the command');
  assert.equal(bulk.runs.length, 2, 'started once, relaunched once, and not again');
  const [first, second] = bulk.runs as [{ pid: number; execArgv: string[] }, { pid: number; execArgv: string[] }];
  assert.equal(second.pid, first.pid, 'the same process, replaced');
  assert.deepEqual(first.execArgv, []);
  assert.deepEqual(second.execArgv, [...RUNTIME_FLAGS]);
  const quick = await run(['--version']);
  assert.equal(quick.code, 0);
  assert.match(quick.stdout, /^\d+\.\d+\.\d+/);
  assert.equal(quick.runs.length, 1, 'a quick command is not relaunched');
});
