import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BundleOptionError } from '../../src/bundle/index.ts';
import { AtomicFile } from '../../src/bundle/file-commit.ts';
import { tempDir } from '../support/tmp.ts';

// The bundle file appears under its name only when complete, and never over a file it was not
// told to replace, even one that appeared while the bundle was being written.

test('a committed file holds what was written, under its name, with no temporary left', () => {
  const dir = tempDir('pars-file-commit-');
  const file = new AtomicFile(join(dir, 'a.pars'), false);
  file.write(Uint8Array.of(1, 2, 3));
  file.commit();
  assert.deepEqual([...readFileSync(join(dir, 'a.pars'))], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['a.pars']);
});

test('a file that appears under the name while writing is not replaced without overwrite', () => {
  const dir = tempDir('pars-file-commit-');
  const path = join(dir, 'b.pars');
  const file = new AtomicFile(path, false);
  file.write(Uint8Array.of(9, 9));
  writeFileSync(path, 'someone else\'s bundle');
  assert.throws(() => file.commit(), (err: unknown) => err instanceof BundleOptionError && err.code === 'ERR_BUNDLE_EXISTS');
  file.abandon();
  assert.equal(readFileSync(path, 'utf8'), 'someone else\'s bundle');
  assert.deepEqual(readdirSync(dir), ['b.pars'], 'the temporary file is gone');
});

test('with overwrite, the file replaces the one under the name', () => {
  const dir = tempDir('pars-file-commit-');
  const path = join(dir, 'c.pars');
  writeFileSync(path, 'old');
  const file = new AtomicFile(path, true);
  file.write(Uint8Array.of(7));
  file.commit();
  assert.deepEqual([...readFileSync(path)], [7]);
  assert.deepEqual(readdirSync(dir), ['c.pars']);
});
