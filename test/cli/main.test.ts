import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import type { TextSource } from '../../src/cli/context.ts';
import { main } from '../../src/cli/main.ts';
import { openKeystore } from '../../src/identity/index.ts';

// In-process: `main` with injected streams. The terminal is a PassThrough that claims to be a TTY,
// so the hidden passphrase prompt can be driven keystroke by keystroke.

const root = await fs.mkdtemp(join(tmpdir(), 'pars-cli-main-test-'));
after(() => fs.rm(root, { recursive: true, force: true }));
let counter = 0;

/** Collects written text; `waitFor` resolves once `token` has appeared `count` times. */
class Capture {
  text = '';
  #waiters: Array<{ token: string; count: number; resolve: () => void }> = [];
  write(chunk: string): boolean {
    this.text += chunk;
    this.#waiters = this.#waiters.filter((w) => {
      if (occurrences(this.text, w.token) < w.count) return true;
      w.resolve();
      return false;
    });
    return true;
  }
  waitFor(token: string, count = 1): Promise<void> {
    if (occurrences(this.text, token) >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ token, count, resolve }));
  }
}

function occurrences(text: string, token: string): number {
  return text.split(token).length - 1;
}

function terminal(): PassThrough & TextSource {
  return Object.assign(new PassThrough(), { isTTY: true });
}

async function setup(): Promise<{ dataDir: string; stdout: Capture; stderr: Capture; stdin: PassThrough & TextSource; env: Record<string, string> }> {
  const dataDir = join(root, `d${counter++}`);
  return { dataDir, stdout: new Capture(), stderr: new Capture(), stdin: terminal(), env: { PARS_HOME: dataDir, PARS_SCRYPT_N: '1024' } };
}

const argv = (...args: string[]): string[] => ['node', 'pars', ...args];

test('main returns exit codes instead of exiting: --help 0, unknown command 1, --version 0', async () => {
  const io = await setup();
  assert.equal(await main(argv('--help'), io), 0);
  assert.match(io.stdout.text, /init/);
  assert.equal(await main(argv('nope'), io), 1);
  assert.match(io.stderr.text, /unknown command 'nope'/);
  const version = new Capture();
  assert.equal(await main(argv('--version'), { ...io, stdout: version }), 0);
  assert.match(version.text, /^\d+\.\d+\.\d+/);
});

test('init prompts twice without echo and the keystore opens with what was typed', async () => {
  const io = await setup();
  const run = main(argv('init', '--json'), io);
  await io.stderr.waitFor('New passphrase: ');
  io.stdin.write('s3cret-typed\r');
  await io.stderr.waitFor('Repeat passphrase: ');
  io.stdin.write('s3cret-typed\r');
  assert.equal(await run, 0, io.stderr.text);
  const { nodeId } = JSON.parse(io.stdout.text) as { nodeId: string };
  assert.ok(!io.stderr.text.includes('s3cret') && !io.stdout.text.includes('s3cret'), 'the passphrase is never echoed');
  assert.equal((await openKeystore(io.dataDir, 's3cret-typed')).nodeIdHex, nodeId);
});

test('a mismatch or an empty entry asks again', async () => {
  const io = await setup();
  const run = main(argv('init'), io);
  await io.stderr.waitFor('New passphrase: ');
  io.stdin.write('\r'); // empty
  await io.stderr.waitFor('must not be empty');
  await io.stderr.waitFor('New passphrase: ', 2);
  io.stdin.write('first-try\r');
  await io.stderr.waitFor('Repeat passphrase: ');
  io.stdin.write('first-typo\r');
  await io.stderr.waitFor('do not match');
  await io.stderr.waitFor('New passphrase: ', 3);
  io.stdin.write('third-time\r');
  await io.stderr.waitFor('Repeat passphrase: ', 2);
  io.stdin.write('third-time\r');
  assert.equal(await run, 0, io.stderr.text);
  await openKeystore(io.dataDir, 'third-time');
});

test('three mismatches give up with a clear error and write nothing', async () => {
  const io = await setup();
  const run = main(argv('init'), io);
  for (let i = 1; i <= 3; i++) {
    await io.stderr.waitFor('New passphrase: ', i);
    io.stdin.write(`a-${i}\r`);
    await io.stderr.waitFor('Repeat passphrase: ', i);
    io.stdin.write(`b-${i}\r`);
  }
  assert.equal(await run, 1);
  assert.match(io.stderr.text, /pars: the passphrases did not match/);
  await assert.rejects(fs.stat(join(io.dataDir, 'keystore.json')), { code: 'ENOENT' });
});

test('Ctrl-C or Ctrl-D at the prompt cancels with exit code 130', async () => {
  for (const key of ['\x03', '\x04']) {
    const io = await setup();
    const run = main(argv('init'), io);
    await io.stderr.waitFor('New passphrase: ');
    io.stdin.write(key);
    assert.equal(await run, 130);
    assert.match(io.stderr.text, /pars: cancelled/);
    await assert.rejects(fs.stat(join(io.dataDir, 'keystore.json')), { code: 'ENOENT' });
  }
});

test('PARS_PASSPHRASE wins over the terminal; an empty one is refused', async () => {
  const io = await setup();
  assert.equal(await main(argv('init'), { ...io, env: { ...io.env, PARS_PASSPHRASE: 'from the env' } }), 0, io.stderr.text);
  assert.ok(!io.stderr.text.includes('passphrase: '), 'no prompt');
  await openKeystore(io.dataDir, 'from the env');

  const empty = await setup();
  assert.equal(await main(argv('init'), { ...empty, env: { ...empty.env, PARS_PASSPHRASE: '' } }), 1);
  assert.match(empty.stderr.text, /pars: the passphrase must not be empty/);
});
