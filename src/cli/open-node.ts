import { openKeystore, readKeystoreHeader, type Identity } from '../identity/index.ts';
import { Ingester, NodeGroups } from '../node/index.ts';
import { SqliteStore } from '../store/index.ts';
import type { CliContext } from './context.ts';
import { obtainPassphrase } from './passphrase.ts';
import { storePath } from './paths.ts';

/** What a command that works on the node's state gets. */
export interface OpenNode {
  readonly identity: Identity;
  readonly ingester: Ingester;
  readonly groups: NodeGroups;
}

/**
 * Unlocks the identity (`PARS_PASSPHRASE` or a prompt), opens the store, an ingester with one
 * verify worker and the node's groups, runs `work`, and closes everything again — also when
 * `work` throws. Background work the start-up found (welcomes and admissions for vertices copied
 * in while no command ran) finishes before `work` runs, and what `work` started before closing.
 */
export async function withNode<T>(ctx: CliContext, work: (node: OpenNode) => Promise<T>): Promise<T> {
  const dataDir = ctx.dataDir();
  const header = await readKeystoreHeader(dataDir); // refuses a missing keystore before prompting
  if (header.looseMode) ctx.warn(`keystore ${header.path} is accessible to other users; run: chmod 600 '${header.path}'`);
  const passphrase = await obtainPassphrase(ctx, { confirm: false });
  const provider = ctx.provider();
  const { identity } = await openKeystore(dataDir, passphrase, { provider });
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
}
