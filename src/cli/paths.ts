import { join } from 'node:path';

/** Name of the node's SQLite store inside the data directory (next to `keystore.json`). */
export const STORE_FILE = 'node.sqlite';

/** Path of the node's store in a data directory. */
export function storePath(dataDir: string): string {
  return join(dataDir, STORE_FILE);
}
