import type { CryptoProvider } from '../crypto/index.ts';
import { openKeystore, readKeystoreHeader, type Identity } from '../identity/index.ts';
import type { Ingester, NodeGroups } from '../node/index.ts';
import { SqliteStore } from '../store/index.ts';
import type { CliContext } from './context.ts';
import { acquireLockWaiting } from './control-lock.ts';
import { obtainPassphrase } from './passphrase.ts';
import { storePath } from './paths.ts';

/** What a command that works on the node's state gets. */
export interface OpenNode {
  readonly identity: Identity;
  readonly ingester: Ingester;
  readonly groups: NodeGroups;
}

/** How long a command waits for another command that has the store open. */
const LOCK_WAIT_MS = 10_000;

/**
 * Unlocks the identity (`PARS_PASSPHRASE` or a prompt), opens the store, an ingester with one
 * verify worker and the node's groups, runs `work`, and closes everything again — also when
 * `work` throws. Background work the start-up found (welcomes and admissions for vertices copied
 * in while no command ran) finishes before `work` runs, and what `work` started before closing.
 *
 * The data directory's lock is held throughout: one process at a time has the store open, since
 * each keeps the DAG and frontiers in memory. While a node runs (`pars start`), commands reach it
 * through its control socket instead (`perform`); one that opens the store itself is refused.
 */
export async function withNode<T>(ctx: CliContext, work: (node: OpenNode) => Promise<T>): Promise<T> {
  const dataDir = ctx.dataDir();
  await checkKeystore(ctx, dataDir);
  const lock = await acquireLockWaiting(dataDir, 'command', LOCK_WAIT_MS);
  try {
    const { identity, provider } = await unlockIdentity(ctx, dataDir);
    // Loaded here rather than at start-up: the node layer brings libp2p with it, which a command
    // that only talks to a running node (most of them, most of the time) never needs.
    const { Ingester, NodeGroups } = await import('../node/index.ts');
    const store = SqliteStore.open(storePath(dataDir));
    let ingester: Ingester | undefined;
    let groups: NodeGroups | undefined;
    try {
      ingester = new Ingester({ provider, store, workers: 1 });
      groups = new NodeGroups(ingester, identity, { now: () => Date.now(), warn: ctx.warn });
      await groups.idle();
      return await work({ identity, ingester, groups });
    } finally {
      await groups?.close();
      await ingester?.close();
      store.close();
    }
  } finally {
    await lock.release();
  }
}

/** Refuses a missing keystore (before anything prompts) and warns when other users can read it. */
export async function checkKeystore(ctx: CliContext, dataDir: string): Promise<void> {
  const header = await readKeystoreHeader(dataDir);
  if (header.looseMode) ctx.warn(`keystore ${header.path} is accessible to other users; run: chmod 600 '${header.path}'`);
}

/** The node's identity, unlocked with `PARS_PASSPHRASE` or a prompt, and the provider it was opened with. */
export async function unlockIdentity(ctx: CliContext, dataDir: string): Promise<{ readonly identity: Identity; readonly provider: CryptoProvider }> {
  const passphrase = await obtainPassphrase(ctx, { confirm: false });
  const provider = ctx.provider();
  const { identity } = await openKeystore(dataDir, passphrase, { provider });
  return { identity, provider };
}
