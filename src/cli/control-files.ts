import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_LIMITS } from './control-protocol.ts';
import { CliError } from './errors.ts';

/* Where a running node's control files live in the data directory, and the per-install secret. */

const CONTROL_SOCKET_FILE = 'control.sock';
const CONTROL_SECRET_FILE = 'control.secret';
const LOCK_FILE = 'node.lock';

/** Longest path a Unix domain socket can have on Linux (108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

export function socketPath(dataDir: string): string {
  const path = join(dataDir, CONTROL_SOCKET_FILE);
  if (process.platform !== 'win32' && Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new CliError('ERR_CONTROL_PATH', `the control socket path ${path} is ${Buffer.byteLength(path)} bytes, longer than Unix sockets allow (${MAX_SOCKET_PATH_BYTES}); use a shorter --data-dir`);
  }
  return path;
}

function secretPath(dataDir: string): string {
  return join(dataDir, CONTROL_SECRET_FILE);
}

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/** The control secret, or undefined when this data directory has none yet (no node ever ran). */
export async function readControlSecret(dataDir: string): Promise<Uint8Array | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(secretPath(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (bytes.length !== CONTROL_LIMITS.secretBytes) throw new CliError('ERR_CONTROL_SECRET', `${secretPath(dataDir)} is ${bytes.length} bytes, not ${CONTROL_LIMITS.secretBytes}; delete it and restart the node`);
  return new Uint8Array(bytes);
}

/** The control secret, created (32 random bytes, mode 0600) on first use; call it only while holding the node lock. */
export async function ensureControlSecret(dataDir: string): Promise<Uint8Array> {
  let existing: Uint8Array | undefined;
  try {
    existing = await readControlSecret(dataDir);
  } catch (error) {
    // Only a node holding the data directory's lock calls this: a torn secret (a crash while it
    // was first written) can be replaced, since no other node is using it.
    if ((error as CliError).code !== 'ERR_CONTROL_SECRET') throw error;
    await fs.rm(secretPath(dataDir), { force: true });
  }
  if (existing !== undefined) return existing;
  try {
    // O_EXCL: two nodes starting at once cannot both write one (the loser reads the winner's).
    const handle = await fs.open(secretPath(dataDir), 'wx', 0o600);
    try {
      await handle.chmod(0o600); // exact, whatever the umask
      await handle.writeFile(randomBytes(CONTROL_LIMITS.secretBytes));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = await readControlSecret(dataDir);
  if (secret === undefined) throw new CliError('ERR_CONTROL_SECRET', `${secretPath(dataDir)} vanished while it was created`);
  return secret;
}
