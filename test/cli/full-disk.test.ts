import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { lowSpaceNote } from '../../src/store/disk-space.ts';
import { assertNoStack, cliSandboxes, pars } from '../support/cli.ts';

/*
 * The commands on a full disk: a small tmpfs holds the data directory, filled to the last byte.
 * Each failure must name the file and say the disk is full, leave nothing behind, and lose
 * nothing: once space is free again the same commands work. Needs root (mount); without it the
 * test is reported as skipped, with the reason.
 */
const sandbox = await cliSandboxes('pars-full-disk-');

/** Mounts a tmpfs of `bytes` at a new directory; undefined (test skipped with the reason) where this machine cannot. */
async function smallDisk(t: TestContext, root: string, bytes: number): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to mount a small tmpfs');
    return undefined;
  }
  const dir = join(root, 'disk');
  await fs.mkdir(dir, { mode: 0o700 });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    t.skip(`mount -t tmpfs failed: ${(error as Error).message}`);
    return undefined;
  }
  t.after(() => execFileSync('umount', ['-l', dir]));
  return dir;
}

/** Fills the disk holding `dir` to its last block with one file; returns its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const block = Buffer.alloc(4096, 1);
  writeFileSync(path, '');
  for (;;) {
    try {
      writeFileSync(path, block, { flag: 'a' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      return path;
    }
  }
}

test('a full disk: each command names the file and says so, leaves no lock behind, and works again once space is free', async (t) => {
  const env = await sandbox();
  const disk = await smallDisk(t, env['HOME'] as string, 4 * 1024 * 1024);
  if (disk === undefined) return;
  const home = join(disk, 'pars');
  const at = { ...env, PARS_HOME: home };
  assert.equal((await pars(['init'], at)).code, 0);
  const filler = fill(disk);
  assert.match(lowSpaceNote(join(home, 'node.sqlite')), /only 0 KiB free: free some space/);
  assert.equal(lowSpaceNote(join(env['HOME'] as string, 'x')), '', 'a disk with room gets no note');

  // Not even the data directory's lock fits.
  const noLock = await pars(['group', 'create', 'picnic'], at);
  assert.equal(noLock.code, 1);
  assert.match(noLock.stderr, new RegExp(`^pars: cannot write ${join(home, 'node.lock')}: the disk is full \\(ENOSPC\\); free some space`, 'm'));
  assertNoStack(noLock);
  assert.deepEqual((await fs.readdir(home)).sort(), ['keystore.json', 'node.sqlite'], 'no empty lock is left behind');

  // The lock fits, the store's shared-memory file does not: SQLite says "disk I/O error".
  await fs.truncate(filler, (await fs.stat(filler)).size - 8192);
  const noStore = await pars(['group', 'create', 'picnic'], at);
  assert.equal(noStore.code, 1);
  assert.match(noStore.stderr, /^pars: cannot open store .*node\.sqlite: .*\(the disk holding it has only \d+ KiB free: free some space and try again\)$/m);
  assertNoStack(noStore);

  await fs.rm(filler);
  const created = await pars(['group', 'create', 'picnic'], at);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await pars(['send', 'picnic', 'space again'], at)).code, 0);
  assert.match((await pars(['log', 'picnic'], at)).stdout, /space again/);
  assert.match((await pars(['store', 'check'], at)).stdout, /^ok /);
});
