import { randomBytes } from 'node:crypto';
import { constants, linkSync, lstatSync, promises as fs, renameSync, rmSync } from 'node:fs';
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
    else placeNoClobber(temp, path);
    tempExists = false;
    await syncDirectory(dir);
  } finally {
    if (tempExists) await fs.rm(temp, { force: true });
  }
}

/**
 * Moves `temp` to `path` unless `path` exists (then throws an `EEXIST` error and leaves `temp`):
 * a hard link, which fails atomically when the name is taken, then the temporary name removed.
 * Filesystems without hard links (FAT on a USB stick) get a check, then a rename: a narrow race,
 * but the best such a filesystem allows.
 */
export function placeNoClobber(temp: string, path: string): void {
  try {
    linkSync(temp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    renameUnlessExists(temp, path);
    return;
  }
  rmSync(temp, { force: true });
}

function renameUnlessExists(temp: string, path: string): void {
  let exists = true;
  try {
    lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    exists = false;
  }
  if (exists) throw Object.assign(new Error(`EEXIST: file already exists, link '${temp}' -> '${path}'`), { code: 'EEXIST', path });
  renameSync(temp, path);
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
