import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { controlRequest } from '../../src/cli/control-client.ts';
import { readControlSecret, socketPath } from '../../src/cli/control-files.ts';
import { CONTROL_LIMITS } from '../../src/cli/control-protocol.ts';
import { assertNoStack, CLI_MAIN, cliSandboxes, pars } from '../support/cli.ts';
import { parsOk, startNode, stopNode } from './start-support.ts';

const sandbox = await cliSandboxes('pars-log-');

test('pars log on a running node: a log larger than the control socket\'s response limit prints whole; --tail; --follow prints what arrives', async () => {
  const env = await sandbox();
  await parsOk(['init'], env);
  const node = await startNode(env);
  try {
    await parsOk(['group', 'create', 'archive'], env);
    const dataDir = env['PARS_HOME'] as string;
    const secret = (await readControlSecret(dataDir)) as Uint8Array;
    const ask = (op: string, args: Record<string, unknown>): Promise<unknown> => controlRequest(socketPath(dataDir), secret, op, args);
    // 600 messages of 60,000 bytes: 36 MB of text, more than one response may carry.
    const count = 600;
    const text = (i: number): string => `${String(i).padStart(4, '0')} ${'y'.repeat(59_995)}`;
    for (let i = 0; i < count; i++) await ask('send', { group: 'archive', text: text(i) });
    assert.ok(count * 60_000 > CONTROL_LIMITS.maxResponseBytes);

    const all = await pars(['log', 'archive'], env);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.equal(lines.length, count);
    assert.ok(lines.every((l, i) => l.endsWith(`  ${text(i)}`)), 'every message once, in order');

    const json = await pars(['log', 'archive', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { text: string; own: boolean }[];
    assert.deepEqual(parsed.map((m) => m.text), Array.from({ length: count }, (_, i) => text(i)));
    assert.ok(parsed.every((m) => m.own));

    // The first page counts what cannot be shown; a follower's polls do not count it again.
    const firstPage = (await ask('log', { group: 'archive', last: 1 })) as { unreadable?: unknown; frontier: string[] };
    assert.deepEqual(firstPage.unreadable, { notForYou: 0, keyNotOpened: 0, badContent: 0 });
    const poll = (await ask('log', { group: 'archive', since: firstPage.frontier })) as { unreadable?: unknown; messages: unknown[] };
    assert.deepEqual([poll.messages, poll.unreadable], [[], undefined]);

    const tail = await parsOk(['log', 'archive', '--tail', '2'], env);
    assert.deepEqual(tail.trimEnd().split('\n').map((l) => l.slice(l.lastIndexOf('  ') + 2)), [text(count - 2), text(count - 1)]);

    // --follow: the last message, then each new one as it arrives, until stopped.
    const follower = spawn(process.execPath, [CLI_MAIN, 'log', 'archive', '-n', '1', '--follow'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follower.stdout.setEncoding('utf8');
    follower.stdout.on('data', (s: string) => (seen += s));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => follower.on('exit', (_code, signal) => resolve(signal)));
    const waitFor = async (what: string): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!seen.includes(what)) {
        if (Date.now() > deadline) throw new Error(`--follow never printed ${JSON.stringify(what)}; printed ${JSON.stringify(seen.slice(-300))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(text(count - 1));
    await ask('send', { group: 'archive', text: 'live: first' });
    await ask('send', { group: 'archive', text: 'live: second' });
    await waitFor('live: second');
    follower.kill('SIGINT');
    assert.equal(await exited, 'SIGINT');
    const printed = seen.trimEnd().split('\n').map((l) => l.slice(l.lastIndexOf('  ') + 2));
    assert.deepEqual(printed, [text(count - 1), 'live: first', 'live: second'], 'each once, in order');
  } finally {
    assert.equal(await stopNode(node), 0);
  }
});

test('pars log: --tail takes a count of at least 1; --follow needs a running node and says so before asking for a passphrase', async () => {
  const env = await sandbox();
  await parsOk(['init'], env);
  await parsOk(['group', 'create', 'notes'], env);
  for (const t of ['one', 'two', 'three']) await parsOk(['send', 'notes', t], env);
  assert.deepEqual((await parsOk(['log', 'notes', '-n', '2'], env)).trimEnd().split('\n').map((l) => l.slice(l.lastIndexOf('  ') + 2)), ['two', 'three']);
  for (const bad of ['0', '-3', 'two', '1.5']) {
    const run = await pars(['log', 'notes', '--tail', bad], env);
    assert.notEqual(run.code, 0, `--tail ${bad}`);
    assert.match(run.stderr, /--tail takes a whole number of messages, at least 1/);
    assertNoStack(run);
  }
  const noPassphrase = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'PARS_PASSPHRASE'));
  const follow = await pars(['log', 'notes', '--follow'], noPassphrase);
  assert.notEqual(follow.code, 0);
  assert.match(follow.stderr, /no node is running on .*; start one with: pars start/);
  assertNoStack(follow);
});
