import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DataDirError, ensureDataDir, resolveDataDir } from '../../src/identity/index.ts';

const home = '/home/ada';
const cwd = '/work';

test('resolveDataDir precedence: --data-dir, PARS_HOME, XDG_DATA_HOME/pars, ~/.local/share/pars', () => {
  const env = { PARS_HOME: '/srv/pars', XDG_DATA_HOME: '/xdg' };
  assert.equal(resolveDataDir({ dataDir: '/flag', env, home, cwd }), '/flag');
  assert.equal(resolveDataDir({ env, home, cwd }), '/srv/pars');
  assert.equal(resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, home, cwd }), '/xdg/pars');
  assert.equal(resolveDataDir({ env: {}, home, cwd }), '/home/ada/.local/share/pars');
});

test('resolveDataDir: empty values count as unset; a relative XDG_DATA_HOME is ignored', () => {
  assert.equal(resolveDataDir({ dataDir: '', env: { PARS_HOME: '', XDG_DATA_HOME: '' }, home, cwd }), '/home/ada/.local/share/pars');
  assert.equal(resolveDataDir({ env: { XDG_DATA_HOME: 'relative/xdg' }, home, cwd }), '/home/ada/.local/share/pars');
});

test('resolveDataDir: relative paths resolve against cwd, ~/ expands to home', () => {
  assert.equal(resolveDataDir({ dataDir: 'node-a', env: {}, home, cwd }), '/work/node-a');
  assert.equal(resolveDataDir({ dataDir: '~/pars-a', env: {}, home, cwd }), '/home/ada/pars-a');
  assert.equal(resolveDataDir({ env: { PARS_HOME: '~' }, home, cwd }), '/home/ada');
  assert.equal(resolveDataDir({ env: { PARS_HOME: './x' }, home, cwd }), '/work/x');
});

const root = await fs.mkdtemp(join(tmpdir(), 'pars-datadir-test-'));
after(() => fs.rm(root, { recursive: true, force: true }));

test('ensureDataDir creates nested directories, the last with mode 0700, and is idempotent', async () => {
  const dir = join(root, 'a', 'b', 'pars');
  assert.deepEqual(await ensureDataDir(dir), { created: true, looseMode: false });
  if (process.platform !== 'win32') assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
  assert.deepEqual(await ensureDataDir(dir), { created: false, looseMode: false });
});

test('ensureDataDir flags a directory others can read and rejects a file', { skip: process.platform === 'win32' }, async () => {
  const open = join(root, 'open');
  await fs.mkdir(open, { mode: 0o755 });
  await fs.chmod(open, 0o755);
  assert.deepEqual(await ensureDataDir(open), { created: false, looseMode: true });
  const file = join(root, 'file');
  await fs.writeFile(file, 'x');
  await assert.rejects(ensureDataDir(file), (err: unknown) => err instanceof DataDirError && err.code === 'ERR_DATA_DIR');
});
