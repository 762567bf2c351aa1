import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** Below this much free space, a store that fails to open is said to be on a full disk. */
const LOW_SPACE_BYTES = 1024 * 1024;

/**
 * A note for an error opening the store at `path` when the disk holding it is (nearly) full, else
 * ''. SQLite reports a full disk while it opens a store as "disk I/O error" (its shared-memory
 * file cannot grow), which does not tell the user to free space.
 */
export function lowSpaceNote(path: string): string {
  try {
    const { bavail, bsize } = statfsSync(dirname(path));
    const free = Number(bavail) * Number(bsize);
    return free < LOW_SPACE_BYTES ? ` (the disk holding it has only ${Math.floor(free / 1024)} KiB free: free some space and try again)` : '';
  } catch {
    return ''; // no statfs here (or the directory is gone): the error says what it can
  }
}
