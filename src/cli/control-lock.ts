import { promises as fs } from 'node:fs';
import { lockPath } from './control-files.ts';
import { CliError, WriteFailedError } from './errors.ts';

/*
 * One process at a time opens a data directory's store: `pars start` for as long as the node
 * runs, or a command that opens the store directly for as long as it works. The lock is the file
 * `node.lock` holding {"pid": …, "kind": "node" | "command"}, created with O_EXCL. A lock whose
 * process is gone (killed, crashed) is stale and taken over; one of a live process is not.
 *
 * Taking over a stale lock re-reads it just before removing it, so two processes that found the
 * same stale lock do not both win (a narrow window remains between that read and the removal; the
 * loser then fails to create the new lock and sees the winner's live one).
 */

export type LockKind = 'node' | 'command';

export interface LockHolder {
  readonly pid: number;
  readonly kind: LockKind;
}

/** The data directory is locked by a live process. */
export class DataDirBusyError extends CliError {
  readonly holder: LockHolder;
  constructor(dataDir: string, holder: LockHolder, path: string) {
    super(
      holder.kind === 'node' ? 'ERR_NODE_RUNNING' : 'ERR_DATA_DIR_BUSY',
      holder.kind === 'node'
        ? `a node is already running on ${dataDir} (pid ${holder.pid}); stop it first (if no such process runs, remove ${path})`
        : `another pars command (pid ${holder.pid}) is using ${dataDir}; try again when it is done (if no such process runs, remove ${path})`,
    );
    this.holder = holder;
  }
}

/** A held lock; `release()` removes it (once, and only while it is still ours). */
export class DataDirLock {
  readonly path: string;
  readonly #content: string;
  #released = false;

  constructor(path: string, content: string) {
    this.path = path;
    this.#content = content;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const now = await fs.readFile(this.path, 'utf8').catch(() => undefined);
    if (now === this.#content) await fs.rm(this.path, { force: true });
  }
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as { pid?: unknown; kind?: unknown };
    if (Number.isSafeInteger(value.pid) && (value.pid as number) > 0 && (value.kind === 'node' || value.kind === 'command')) return { pid: value.pid as number, kind: value.kind };
  } catch {
    // A torn or foreign file: treated as stale below.
  }
  return undefined;
}

/** Who holds the lock now, or undefined when nobody does (no file, or a stale one). */
export async function lockHolder(dataDir: string): Promise<LockHolder | undefined> {
  const text = await fs.readFile(lockPath(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const holder = parseHolder(text);
  return holder !== undefined && processAlive(holder.pid) ? holder : undefined;
}

/** Takes the lock for this process or throws DataDirBusyError naming the live holder. */
export async function acquireLock(dataDir: string, kind: LockKind): Promise<DataDirLock> {
  const path = lockPath(dataDir);
  const content = `${JSON.stringify({ pid: process.pid, kind })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(path, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } catch (error) {
        // Not left behind empty (a full disk): every later command would wait on it first.
        await handle.close();
        await fs.rm(path, { force: true });
        throw new WriteFailedError(path, error);
      }
      await handle.close();
      return new DataDirLock(path, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await fs.readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    // A lock still being written reads as empty: give its writer a moment before judging it.
    if (text === '') await new Promise((r) => setTimeout(r, 50));
    const again = text === '' ? await fs.readFile(path, 'utf8').catch(() => undefined) : text;
    if (again === undefined) continue;
    const holder = parseHolder(again);
    if (holder !== undefined && processAlive(holder.pid)) throw new DataDirBusyError(dataDir, holder, path);
    const current = await fs.readFile(path, 'utf8').catch(() => undefined);
    if (current === again) await fs.rm(path, { force: true });
  }
  const holder = await lockHolder(dataDir);
  if (holder !== undefined) throw new DataDirBusyError(dataDir, holder, path);
  throw new CliError('ERR_LOCK', `could not take the lock ${path}`);
}

/**
 * Takes the lock, waiting up to `waitMs` while another short command holds it (commands finish
 * in moments; a running node does not, so it is refused at once).
 */
export async function acquireLockWaiting(dataDir: string, kind: LockKind, waitMs: number): Promise<DataDirLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await acquireLock(dataDir, kind);
    } catch (error) {
      if (!(error instanceof DataDirBusyError) || error.holder.kind !== 'command' || Date.now() > deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
