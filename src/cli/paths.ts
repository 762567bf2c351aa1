import { join } from 'node:path';

/** Name of the node's SQLite store inside the data directory (next to `keystore.json`). */
export const STORE_FILE = 'node.sqlite';

/** Name of the node's settings file inside the data directory (see README, `pars start`). */
export const CONFIG_FILE = 'config.json';

/** Path of the node's store in a data directory. */
export function storePath(dataDir: string): string {
  return join(dataDir, STORE_FILE);
}
