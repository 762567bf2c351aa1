import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600). */
  readonly mode?: number;
  /** Replace an existing file (default false: fail with an `EEXIST` error instead). */
  readonly overwrite?: boolean;
}

/**
 * Writes `data` to `path` so that a reader (or a crash) sees either the old file or the complete
 * new one, never a torn write: a temporary file in the same directory is written with the final
 * mode, fsynced, moved into place, and the directory is fsynced so the new name is durable.
 *
 * Without `overwrite`, the temporary file is hard-linked to `path`, which fails atomically when
 * `path` exists (no check-then-rename race). Filesystems without hard links fall back to a
 * check followed by rename.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let tempExists = true;
  try {
    try {
      await handle.chmod(mode); // the umask may have narrowed it; make it exact
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite === true) await fs.rename(temp, path);
    else await linkNoClobber(temp, path);
    await fs.rm(temp, { force: true }); // after a link, the temporary name is still there
    tempExists = false;
    await syncDirectory(dir);
  } finally {
    if (tempExists) await fs.rm(temp, { force: true });
  }
}

/** Gives `temp`'s content the name `path` unless `path` exists (then throws an `EEXIST` error). */
async function linkNoClobber(temp: string, path: string): Promise<void> {
  try {
    await fs.link(temp, path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
  }
  // No hard links here: check, then rename (a narrow race, but the best such a filesystem allows).
  const exists = await fs.lstat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  if (exists) throw Object.assign(new Error(`EEXIST: file already exists, link '${temp}' -> '${path}'`), { code: 'EEXIST', path });
  await fs.rename(temp, path);
}

/** fsync a directory so a rename in it survives a crash; a no-op where directories cannot be opened (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    await handle?.close();
  }
}
