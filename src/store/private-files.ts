import { chmodSync, closeSync, openSync, statSync } from 'node:fs';

/** Read and write for the owner only. */
const PRIVATE_MODE = 0o600;

/**
 * Makes the store file at `path` private to its owner before SQLite opens it: a new file is
 * created with mode 0600, and an existing one (or its WAL and shared-memory files) readable by
 * others is narrowed to 0600. SQLite gives the WAL and shared-memory files it creates the mode of
 * the store file, so they follow. The data directory is 0700 already; this is for the store that
 * is copied out of it, or a directory whose mode was changed: the store names topics, authors and
 * times even where the contents are sealed.
 */
export function makeStoreFilesPrivate(path: string): void {
  if (path === '' || path === ':memory:') return; // SQLite's own temporary databases: no file of ours
  try {
    closeSync(openSync(path, 'wx', PRIVATE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      continue; // not there (yet)
    }
    // Someone else's file (a store opened by another user) keeps its mode: chmod would fail.
    if ((mode & 0o077) !== 0) {
      try {
        chmodSync(file, PRIVATE_MODE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      }
    }
  }
}
